"""The analysts' retraining notebook: its two paired files agree, and it runs top to bottom on
a small export with a registry that already has a current model, promoting exactly when its
own comparison says the new model is not worse."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import jupytext
import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient

from classifiers.evaluate import not_worse_checks
from classifiers.importer import Example, write_examples
from classifiers.registry import ModelRegistry
from classifiers.synthetic import generate
from classifiers.train import synthetic_texts, train_on_examples
from tests.conftest import HAIKOU

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
SCRIPT = NOTEBOOKS / "retrain.py"
NOTEBOOK = NOTEBOOKS / "retrain.ipynb"


def _cells(path: Path) -> list[tuple[str, str, list[str]]]:
    notebook = jupytext.read(path)
    return [
        (cell.cell_type, cell.source, list(cell.metadata.get("tags", [])))
        for cell in notebook.cells
    ]


def test_the_notebook_and_its_script_are_in_sync_and_unexecuted():
    assert _cells(NOTEBOOK) == _cells(SCRIPT), (
        "notebooks/retrain.ipynb and retrain.py differ: run "
        "`.venv/bin/jupytext --sync notebooks/retrain.py` (or --sync the one you edited)"
    )
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    assert all(not cell.outputs and cell.execution_count is None for cell in code)


def _synthetic_examples(n: int, seed: int) -> list[Example]:
    """Synthetic requests as imported examples, one every 7 minutes from 2026-01-01 08:00."""
    texts, labels, _ = synthetic_texts(generate(n, seed=seed), seed=seed)
    start = datetime(2026, 1, 1, 8, 0)
    return [
        Example(
            id=f"syn-{seed}-{i}",
            text=text,
            department=label,
            raw_label=label,
            time=f"{start + timedelta(minutes=7 * i):%Y-%m-%d %H:%M}",
        )
        for i, (text, label) in enumerate(zip(texts, labels, strict=True))
    ]


@pytest.fixture(scope="module")
def current_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small model trained on other synthetic requests: the registry's current version."""
    path = tmp_path_factory.mktemp("current") / "model"
    train_on_examples(_synthetic_examples(700, seed=77), path, source="synthetic, seed 77")
    return path


def _haikou(tmp_path: Path) -> dict[str, str]:
    """A random 600 of Haikou's work orders, the notebook's default columns, split stratified."""
    return {
        "HOTLINE_NB_DATA": str(HAIKOU),
        "HOTLINE_NB_TEXT_COL": "诉求内容",
        "HOTLINE_NB_LABEL_COL": "处置单位",
        "HOTLINE_NB_ID_COL": "工单编号",
        "HOTLINE_NB_TIME_COL": "",
        "HOTLINE_NB_SAMPLE": "600",
    }


def _synthetic(tmp_path: Path) -> dict[str, str]:
    """900 synthetic requests written in the import format, split by time."""
    path = tmp_path / "export.csv"
    write_examples(path, _synthetic_examples(900, seed=31))
    return {
        "HOTLINE_NB_DATA": str(path),
        "HOTLINE_NB_TEXT_COL": "text",
        "HOTLINE_NB_LABEL_COL": "department",
        "HOTLINE_NB_ID_COL": "id",
        "HOTLINE_NB_TIME_COL": "time",
        "HOTLINE_NB_SAMPLE": "0",
    }


def _execute(notebook: nbformat.NotebookNode) -> None:
    """Run every cell in a kernel of this interpreter (ipykernel's own "python3" spec, never a
    kernel spec of that name installed elsewhere), in the notebooks folder."""
    kernel = AsyncKernelManager(
        kernel_name="python3", kernel_spec_manager=KernelSpecManager(kernel_dirs=[])
    )
    NotebookClient(
        notebook, km=kernel, timeout=240, resources={"metadata": {"path": str(NOTEBOOKS)}}
    ).execute()


@pytest.mark.parametrize(
    "export",
    [
        pytest.param(
            _haikou,
            id="haikou",
            marks=[
                pytest.mark.data,
                pytest.mark.skipif(not HAIKOU.exists(), reason=f"real data not found at {HAIKOU}"),
            ],
        ),
        pytest.param(_synthetic, id="synthetic"),
    ],
)
def test_the_notebook_runs_and_promotes_only_a_model_that_is_not_worse(
    export, current_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    registry = ModelRegistry(root=tmp_path / "registry")
    before = registry.add(current_model)
    registry.promote(before, actor="test")
    out = tmp_path / "out"
    for name, value in {
        **export(tmp_path),
        "HOTLINE_NB_REGISTRY": str(registry.root),
        "HOTLINE_NB_PROMOTE": "1",
        "HOTLINE_NB_OUT": str(out),
    }.items():
        monkeypatch.setenv(name, value)
    notebook = nbformat.read(NOTEBOOK, as_version=4)

    _execute(notebook)  # raises CellExecutionError, with the traceback, if a cell fails

    outputs = [output for cell in notebook.cells for output in cell.get("outputs", [])]
    assert not [output for output in outputs if output.output_type == "error"]
    for name in ("report.html", "coverage.png", "confusion.png"):
        assert (out / "report" / name).stat().st_size > 0
    assert (out / "labels.png").stat().st_size > 0
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 3  # the label chart, the coverage and the confusion chart

    decision = json.loads((out / "decision.json").read_text())
    new, current = decision["new"], decision["current"]
    assert decision["current_version"] == before and current is not None
    checks = not_worse_checks(new, current, target=decision["target_precision"])
    assert decision["checks"] == checks
    not_worse = all(checks.values())
    assert decision["not_worse"] == not_worse
    assert decision["promoted"] == not_worse  # HOTLINE_NB_PROMOTE=1
    printed = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    if not_worse:
        new_version = decision["new_version"]
        assert registry.current() == new_version
        last = registry.history()[-1]
        assert (last["action"], last["from"], last["to"]) == ("promote", before, new_version)
        assert last["actor"].endswith("(retrain notebook)")
        assert f"HOTLINE_MODEL_REGISTRY={registry.root} hotline models rollback" in printed
    else:
        assert registry.current() == before
        assert registry.names() == [before]
        assert "Not promoting: the new model is worse" in printed
