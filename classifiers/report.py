"""The analysts' evaluation report: a directory with ``report.html``, ``confusion.png`` and
``coverage.png``, written from the result of :func:`classifiers.evaluate.evaluate`.

The charts use ASCII labels only (department codes, or ``#n`` for a label that is not ASCII),
so they render without a CJK font; the HTML gives every code's display name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from classifiers.evaluate import PRECISION_TARGETS
from classifiers.thresholds import NEVER

REPORT_FILE = "report.html"
CONFUSION_FILE = "confusion.png"
COVERAGE_FILE = "coverage.png"

_STYLE = """
body { font-family: sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
img { max-width: 100%; border: 1px solid #eee; }
"""


def write_report(
    result: Mapping[str, Any], out_dir: Path, *, names: Mapping[str, str] | None = None
) -> Path:
    """Write the report of an evaluation into ``out_dir``; ``names`` maps department codes to
    display names (the catalogue's). Returns the path of ``report.html``."""
    names = names or {}
    out_dir.mkdir(parents=True, exist_ok=True)
    matrix = result["confusion_matrix"]
    tags = axis_tags(matrix["labels"])
    plot_confusion(matrix["labels"], matrix["counts"], tags, out_dir / CONFUSION_FILE)
    plot_coverage(result, out_dir / COVERAGE_FILE)
    path = out_dir / REPORT_FILE
    path.write_text(render_html(result, names, tags), encoding="utf-8")
    return path


def axis_tags(labels: Sequence[str]) -> list[str]:
    """Chart labels: the code itself when it is printable ASCII, else ``#n`` (its row)."""
    return [
        label if label.isascii() and label.isprintable() and label else f"#{i}"
        for i, label in enumerate(labels, start=1)
    ]


def plot_confusion(
    labels: Sequence[str], counts: Sequence[Sequence[int]], tags: Sequence[str], path: Path
) -> None:
    """Row-normalised confusion matrix (true rows, predicted columns) as a PNG."""
    matrix = np.asarray(counts, dtype=float)
    totals = matrix.sum(axis=1, keepdims=True)
    shares = matrix / np.where(totals == 0, 1, totals)
    size = 3 + 0.42 * len(labels)
    figure = _figure(size + 1.5, size)
    axes = figure.subplots()
    image = axes.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    positions = np.arange(len(labels))
    axes.set_xticks(positions, tags, rotation=90, fontsize=7)
    axes.set_yticks(positions, tags, fontsize=7)
    axes.set_xlabel("predicted department")
    axes.set_ylabel("true department")
    axes.set_title("Confusion matrix, share of each true department's tickets")
    for (row, column), share in np.ndenumerate(shares):
        if share >= 0.01:
            colour = "white" if share > 0.6 else "black"
            axes.text(
                column, row, f"{share:.0%}", ha="center", va="center", fontsize=6, color=colour
            )
    figure.colorbar(image, ax=axes, format=PercentFormatter(1.0), shrink=0.8)
    figure.savefig(path, dpi=110)


def plot_coverage(result: Mapping[str, Any], path: Path) -> None:
    """Precision against the share of tickets dispatched automatically, sweeping one global
    confidence threshold, with the target-precision points and the model's thresholds."""
    curve = result["precision_curve"]
    figure = _figure(8, 5.5)
    axes = figure.subplots()
    axes.plot([p["share"] for p in curve], [p["precision"] for p in curve], label="one threshold")
    for target in PRECISION_TARGETS:
        share = result["coverage_at_precision"][f"{target:.2f}"]
        if share > 0:
            axes.plot(share, target, "o", color="tab:orange", zorder=4)  # above the labels
            axes.annotate(
                f"{target:.0%}: {share:.0%} dispatched",
                (share, target),
                textcoords="offset points",
                xytext=(6, -12),
                fontsize=8,
                bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "alpha": 0.8, "lw": 0},
            )
    auto = result["model_thresholds"]
    if auto["auto_dispatch_share"] > 0:
        axes.plot(
            auto["auto_dispatch_share"],
            auto["auto_dispatch_precision"],
            "*",
            markersize=14,
            color="tab:red",
            zorder=4,
            label="the model's per-department thresholds",
        )
    lowest = min([p["precision"] for p in curve] + [min(PRECISION_TARGETS)])
    axes.set_xlim(0, 1.02)
    axes.set_ylim(max(0.0, lowest - 0.03), 1.01)
    axes.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    axes.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    axes.set_xlabel("share of tickets dispatched automatically (most confident first)")
    axes.set_ylabel("precision of the dispatched tickets")
    axes.set_title("Precision against automatic coverage")
    axes.grid(alpha=0.3)
    axes.legend(loc="lower left")
    figure.savefig(path, dpi=110)


def render_html(result: Mapping[str, Any], names: Mapping[str, str], tags: Sequence[str]) -> str:
    """The report page; every value from the data is HTML-escaped."""
    auto = result["model_thresholds"]
    summary = [
        ("model version", result["model_version"]),
        ("examples", result["examples"]),
        ("accuracy", f"{result['accuracy']:.3f}"),
        ("macro-F1", f"{result['macro_f1']:.3f}"),
        (
            "dispatched automatically with the model's thresholds",
            f"{_pct(auto['auto_dispatch_share'])} at {_pct(auto['auto_dispatch_precision'])} "
            "precision",
        ),
        *(
            (f"coverage at {float(target):.0%} precision (one threshold)", _pct(share))
            for target, share in result["coverage_at_precision"].items()
        ),
        ("labels the model does not know", ", ".join(result["unknown_to_model"]) or "none"),
    ]
    departments = sorted(
        result["per_department"].items(), key=lambda item: (-item[1]["support"], item[0])
    )
    labels = result["confusion_matrix"]["labels"]
    skipped = result.get("skipped_unknown_labels", {})
    sections = [
        "<h1>Evaluation of model " + escape(str(result["model_version"])) + "</h1>",
        "<h2>Summary</h2>",
        _table(("", ""), summary),
        "<h2>Precision against automatic coverage</h2>",
        f'<img src="{COVERAGE_FILE}" alt="precision against the share dispatched">',
        "<h2>Confusion matrix</h2>",
        "<p>Rows are the true departments, columns the predicted ones; each row sums to 100%.</p>",
        f'<img src="{CONFUSION_FILE}" alt="confusion matrix">',
        _table(
            ("on the chart", "code", "name"),
            ((tag, label, names.get(label, "")) for tag, label in zip(tags, labels, strict=True)),
        ),
        "<h2>Per department</h2>",
        _table(
            ("code", "name", "precision", "recall", "F1", "support", "threshold"),
            (
                (
                    code,
                    names.get(code, ""),
                    f"{s['precision']:.3f}",
                    f"{s['recall']:.3f}",
                    f"{s['f1']:.3f}",
                    s["support"],
                    _threshold(s.get("threshold")),
                )
                for code, s in departments
            ),
            numeric=(2, 3, 4, 5),
        ),
        "<h2>Costliest confusions</h2>",
        _table(
            ("tickets", "true department", "taken for"),
            (
                (c["count"], _named(c["true"], names), _named(c["predicted"], names))
                for c in result["confusions"]
            ),
            numeric=(0,),
        ),
        "<h2>Rows skipped: labels not in the catalogue</h2>",
        _table(("label", "rows"), skipped.items(), numeric=(1,)) if skipped else "<p>none</p>",
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Evaluation of model {escape(str(result['model_version']))}</title>"
        f"<style>{_STYLE}</style></head><body>\n" + "\n".join(sections) + "\n</body></html>\n"
    )


def _figure(width: float, height: float) -> Figure:
    """A figure drawn by the Agg backend (no display, no pyplot state)."""
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _table(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], *, numeric: Sequence[int] = ()
) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="n">{escape(str(v))}</td>' if i in numeric else f"<td>{escape(str(v))}</td>"
            for i, v in enumerate(row)
        )
        + "</tr>\n"
        for row in rows
    )
    return f"<table><tr>{head}</tr>\n{body}</table>"


def _pct(share: float) -> str:
    return f"{share:.1%}"


def _threshold(value: float | None) -> str:
    if value is None:
        return "catalogue's"
    return "never automatic" if value >= NEVER else f"{value:.3f}"


def _named(code: str, names: Mapping[str, str]) -> str:
    return f"{code} {names[code]}" if code in names else code
