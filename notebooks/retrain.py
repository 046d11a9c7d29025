# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Retraining the department classifier (重新训练派单模型)
#
# This notebook trains a new department classifier on a historical export of work orders
# (工单导出) and checks, on tickets the model never saw, whether it does better than the model
# the workers run now. Only then, and only if you ask for it, does it promote the new model.
#
# 1. **Parameters**: which export, which columns, which model registry.
# 2. **Import** the export through the department catalogue (派单目录).
# 3. **Label distribution**: how many tickets each department (处置单位) handled.
# 4. **Split** into a training part and a held-out test part (测试集).
# 5. **Train** a model on the training part.
# 6. **Evaluate** it on the held-out part: summary, charts, report.
# 7. **Compare** it with the registry's current model on the same held-out tickets.
# 8. **Decide**: promote it, or say why not.
#
# Every step calls the project's own functions (`classifiers/…`), the same ones the `hotline`
# commands use; `docs/analysts.md` explains them. Run the cells top to bottom (Run → Run All
# Cells). Production changes only when `HOTLINE_NB_PROMOTE=1`.

# %% [markdown]
# ## Parameters
#
# Each parameter comes from an environment variable; set it before you start Jupyter, or
# edit the cell. Relative paths are taken from the project folder.
#
# | variable | meaning | default |
# |---|---|---|
# | `HOTLINE_NB_DATA` | the export (CSV or XLSX) | Haikou's 2018 export in `../shared/data` |
# | `HOTLINE_NB_TEXT_COL` | column of the request text (诉求内容) | `诉求内容` |
# | `HOTLINE_NB_LABEL_COL` | column of the department that handled it (处置单位) | `处置单位` |
# | `HOTLINE_NB_ID_COL` | column of the work-order number (工单编号); empty for none | `工单编号` |
# | `HOTLINE_NB_TIME_COL` | column of the time: if given, test on the latest tickets | none |
# | `HOTLINE_NB_SAMPLE` | use a random sample of this many tickets (0: all) | `0` |
# | `HOTLINE_NB_REGISTRY` | the model registry to compare with and promote into | the project's |
# | `HOTLINE_NB_PROMOTE` | `1` to promote a model that is not worse | `0` |
# | `HOTLINE_NB_OUT` | where the model, the report and `decision.json` go | a new temp folder |

# %% tags=["parameters"]
import os
import tempfile
from pathlib import Path

import classifiers
from router.settings import Settings

# The project folder (the one holding classifiers/): above the notebook, else the package's.
PROJECT = next(
    (p for p in (Path.cwd(), *Path.cwd().parents) if (p / "classifiers" / "train.py").is_file()),
    Path(classifiers.__file__).resolve().parents[1],
)
HAIKOU = PROJECT.parent / "shared" / "data" / "haikou-12345" / "workorders-2018.gb18030.csv"


def from_project(path):
    """An absolute path; a relative one is taken from the project folder."""
    return PROJECT / Path(path).expanduser()


DATA = from_project(os.environ.get("HOTLINE_NB_DATA") or HAIKOU)
TEXT_COL = os.environ.get("HOTLINE_NB_TEXT_COL", "诉求内容")
LABEL_COL = os.environ.get("HOTLINE_NB_LABEL_COL", "处置单位")
ID_COL = os.environ.get("HOTLINE_NB_ID_COL", "工单编号") or None
TIME_COL = os.environ.get("HOTLINE_NB_TIME_COL") or None
SAMPLE = int(os.environ.get("HOTLINE_NB_SAMPLE") or 0)
REGISTRY = from_project(os.environ.get("HOTLINE_NB_REGISTRY") or Settings.from_env().model_registry)
PROMOTE = os.environ.get("HOTLINE_NB_PROMOTE", "0") == "1"
OUT = from_project(os.environ.get("HOTLINE_NB_OUT") or tempfile.mkdtemp(prefix="hotline-retrain-"))

TEST_SHARE = 0.25  # share of the tickets held out for the evaluation
SEED = 0  # for the sample, the split and the cross-validation
TARGET_PRECISION = 0.95  # the per-department thresholds aim at this precision
MIN_EXAMPLES = 20  # departments with fewer training examples are left out (go to triage)

# %% [markdown]
# The project's functions, the catalogue, and a helper that shows rows as a table.

# %%
import json
import random
from collections import Counter

import matplotlib.pyplot as plt
from IPython.display import Image, Markdown, display

from classifiers.evaluate import HEADLINE, evaluate, headline, not_worse_checks
from classifiers.importer import Columns, import_export
from classifiers.registry import ModelRegistry
from classifiers.report import CONFUSION_FILE, COVERAGE_FILE, write_report
from classifiers.splitting import split_examples
from classifiers.train import train_on_examples
from router.departments import Catalogue

catalogue = Catalogue.load()
names = {department.code: department.name for department in catalogue}
OUT.mkdir(parents=True, exist_ok=True)


def show_table(headers, rows):
    """Display rows as a table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(value) for value in row) + " |" for row in rows]
    display(Markdown("\n".join(lines)))


show_table(
    ("", ""),
    [
        ("export", DATA),
        ("model registry", REGISTRY),
        ("output folder", OUT),
        ("promote", "if not worse" if PROMOTE else "no (set HOTLINE_NB_PROMOTE=1 to allow)"),
    ],
)

# %% [markdown]
# ## 1. Import the export
#
# The texts are prepared as they were at intake: cleaned, the dispatcher's note removed
# ("请XX局核实处理…"), phone and ID numbers masked. Department names go through the
# catalogue's aliases. Rows whose department is not in the catalogue are skipped and listed
# below: if a name there is a department you route to, add it as an alias in
# `router/departments.toml` and run the notebook again.

# %%
columns = Columns(text=TEXT_COL, label=LABEL_COL, id=ID_COL, time=TIME_COL)
imported = import_export([DATA], columns=columns, catalogue=catalogue, allow_unknown=True)
examples = imported.examples
if 0 < SAMPLE < len(examples):
    keep = sorted(random.Random(SEED).sample(range(len(examples)), SAMPLE))
    examples = [examples[i] for i in keep]
print(f"{len(imported.examples)} examples imported ({imported.encodings[DATA.name]})")
print(f"skipped rows: {imported.skipped or 'none'}")
sampled = len(examples) < len(imported.examples)
print(f"using {len(examples)} examples" + (f" (a random sample, seed {SEED})" if sampled else ""))

# %% [markdown]
# Department names not in the catalogue (未知处置单位), with their number of rows:

# %%
if imported.unknown_labels:
    show_table(("name in the export", "rows"), imported.unknown_labels.items())
else:
    print("Every department name is in the catalogue.")

# %% [markdown]
# ## 2. Label distribution
#
# Tickets per department. The chart uses the department codes (no Chinese font needed); the
# table below it gives the names. Departments left of the dashed line are likely to have too
# few training examples: they are left out of the model and their tickets go to triage.

# %%
counts = Counter(example.department for example in examples).most_common()
figure, axes = plt.subplots(figsize=(9, 1.5 + 0.22 * len(counts)), layout="constrained")
axes.barh([code for code, _ in reversed(counts)], [n for _, n in reversed(counts)])
axes.axvline(
    MIN_EXAMPLES / (1 - TEST_SHARE),
    color="tab:red",
    linestyle="--",
    label=f"{MIN_EXAMPLES} left for training",
)
axes.legend(loc="lower right")
axes.tick_params(axis="y", labelsize=7)
axes.set_xlabel("tickets")
axes.set_title(f"Tickets per department ({len(examples)} tickets)")
figure.savefig(OUT / "labels.png", dpi=110)
plt.show()

# %%
show_table(
    ("code", "name", "tickets", "share"),
    ((code, names[code], n, f"{n / len(examples):.1%}") for code, n in counts),
)

# %% [markdown]
# ## 3. Split off a test part
#
# The model is evaluated on tickets it never saw. With a time column, the latest tickets are
# the test part (a model is trained on the past and used on what comes next); without one,
# each department gives the same share of its tickets, chosen at random.

# %%
train, test = split_examples(
    examples, test_share=TEST_SHARE, seed=SEED, by_time=TIME_COL is not None
)
how = f"the latest by {TIME_COL}" if TIME_COL else f"stratified by department, seed {SEED}"
print(f"training part {len(train)}, test part {len(test)} ({TEST_SHARE:.0%}, {how})")

# %% [markdown]
# ## 4. Train
#
# The thresholds per department are chosen by cross-validation on the training part so the
# model dispatches automatically only where it is right `TARGET_PRECISION` of the time. The
# model goes into the output folder; nothing is written to the registry yet.

# %%
staged = OUT / "model"
new_model = train_on_examples(
    train,
    staged,
    target_precision=TARGET_PRECISION,
    min_examples=MIN_EXAMPLES,
    seed=SEED,
    source=f"{DATA.name}: training part, {len(train)} examples (retrain notebook)",
)
print(f"trained {new_model.version} on {new_model.metadata['examples']} examples")
print(f"cross-validated on the training part: {new_model.metadata['metrics']}")
print(f"left out (too few examples): {new_model.metadata['left_out_too_few'] or 'none'}")

# %% [markdown]
# ## 5. Evaluate on the test part
#
# `evaluate()` scores the model on the held-out tickets and `write_report()` writes the
# report (`report.html` with the two charts and a table per department) to the output folder.

# %%
result = evaluate(new_model, test, catalogue=catalogue)
result["skipped_unknown_labels"] = imported.unknown_labels
report_path = write_report(result, OUT / "report", names=names)
print(f"report: {report_path}")

# %% [markdown]
# The headline numbers. *Coverage at 95%* is the share of tickets one global confidence
# threshold could dispatch with 95% of them right; *auto-dispatch* is what the model's own
# per-department thresholds dispatch, and how many of those are right.

# %%
new_scores = headline(result)
show_table(
    ("", new_model.version),
    [("test tickets", result["examples"])]
    + [(label, f"{new_scores[key]:.3f}") for key, label in HEADLINE.items()],
)

# %% [markdown]
# Precision against the share dispatched automatically, as one confidence threshold is
# lowered; the star is the model's own thresholds.

# %%
display(Image(filename=str(OUT / "report" / COVERAGE_FILE)))

# %% [markdown]
# Where each department's tickets went (rows: true department; columns: predicted), with the
# names of the codes on the axes below it.

# %%
display(Image(filename=str(OUT / "report" / CONFUSION_FILE)))
show_table(
    ("code", "name"),
    ((code, names.get(code, "")) for code in result["confusion_matrix"]["labels"]),
)

# %% [markdown]
# ## 6. Compare with the current model
#
# The registry's current model (the one the workers run) is scored on the same test tickets.
# Each model's auto-dispatch uses its own thresholds, and the catalogue's for a department it
# has none for (the synthetic default model has none), as the worker does.

# %%
registry = ModelRegistry(root=REGISTRY)
current_version = registry.current()
if current_version is None:
    current_scores = None
    print(f"The registry {REGISTRY} has no current model: nothing to compare with.")
else:
    current_scores = headline(evaluate(registry.load_current(), test, catalogue=catalogue))
    show_table(
        ("", f"new {new_model.version}", f"current {current_version}"),
        [
            (label, f"{new_scores[k]:.3f}", f"{current_scores[k]:.3f}")
            for k, label in HEADLINE.items()
        ],
    )

# %% [markdown]
# ## 7. Decide
#
# The new model is **not worse** when, on the test tickets,
#
# - its accuracy is at least the current model's, and
# - its automatic dispatch is not worse *at its precision*: a model whose automatic dispatches
#   are right at least `TARGET_PRECISION` of the time beats one whose are not; when both are,
#   the larger auto-dispatch share wins; when neither is, the more precise one wins (it makes
#   fewer mistakes that no person checks). Ties go to the new model.
#
# With no current model there is nothing to be worse than.


# %%
checks = {}
if current_scores is not None:
    checks = not_worse_checks(new_scores, current_scores, target=TARGET_PRECISION)
    show_table(
        ("check", "passed"), ((check, "yes" if ok else "NO") for check, ok in checks.items())
    )
not_worse = all(checks.values())
print(f"the new model is {'not worse' if not_worse else 'WORSE'} than the current one")

# %% [markdown]
# Promote (add the model to the registry, then make it current) only when allowed and not
# worse. Every worker following the registry switches to it within seconds; the command
# printed below switches them back. `decision.json` in the output folder records all this.

# %%
promoted = PROMOTE and not_worse
if promoted:
    version = registry.add(staged)
    registry.promote(version, actor=f"{os.environ.get('USER') or 'unknown'} (retrain notebook)")
    print(f"PROMOTED {version} (was {current_version or 'none'}).")
    if current_version:
        print(f"To undo: HOTLINE_MODEL_REGISTRY={REGISTRY} hotline models rollback")
else:
    why = "HOTLINE_NB_PROMOTE is not 1" if not PROMOTE else "the new model is worse"
    print(f"Not promoting: {why}. The current model stays {current_version or 'none'}.")
    print("To promote this model by hand after all:")
    print(f"  HOTLINE_MODEL_REGISTRY={REGISTRY} hotline models add {staged}")
    print(f"  HOTLINE_MODEL_REGISTRY={REGISTRY} hotline models promote {new_model.version}")
decision = {
    "new_version": new_model.version,
    "current_version": current_version,
    "target_precision": TARGET_PRECISION,
    "new": new_scores,
    "current": current_scores,
    "checks": checks,
    "not_worse": not_worse,
    "promote_requested": PROMOTE,
    "promoted": promoted,
}
(OUT / "decision.json").write_text(json.dumps(decision, ensure_ascii=False, indent=2))
print(f"decision recorded in {OUT / 'decision.json'}")

# %% [markdown]
# ## Next
#
# - Open `report.html` in the output folder for the scores per department and the costliest
#   confusions (with the department names).
# - `hotline models list` shows every version in the registry; `*` marks the current one.
# - After a promotion, watch `hotline_model_info` and the triage queue's depth
#   (`hotline queues`) for a while: a model that sends more tickets to triage than expected
#   can be rolled back with the command above.
