"""The analysts' HTML report with its two charts."""

from __future__ import annotations

import json
import struct

import pytest

from classifiers.evaluate import confusion_top, evaluate, precision_curve
from classifiers.importer import Example
from classifiers.model import DepartmentModel
from classifiers.report import axis_tags, write_report
from classifiers.synthetic import generate
from classifiers.thresholds import NEVER

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def result(model):
    """An evaluation with hostile strings in the version, a label and a skipped label."""
    examples = [
        Example(id=str(i), text=r.text, title=r.title, department=r.department, raw_label="")
        for i, r in enumerate(generate(400, seed=99))
    ]
    examples.append(Example(id="x", text="路灯坏了", department=HOSTILE, raw_label=HOSTILE))
    thresholds = {code: 0.4 for code in model.labels} | {model.labels[0]: NEVER}
    scored = DepartmentModel(
        pipeline=model.pipeline, metadata={"version": f"v1{HOSTILE}", "thresholds": thresholds}
    )
    out = evaluate(scored, examples)
    out["skipped_unknown_labels"] = {f"<b>{HOSTILE}</b>": 3}
    return out


def _png_size(path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    assert len(data) > 10_000
    return struct.unpack(">II", data[16:24])


def test_report_writes_html_and_two_charts(result, tmp_path, catalogue):
    names = {d.code: d.name for d in catalogue}
    path = write_report(result, tmp_path / "report", names=names)
    assert path == tmp_path / "report" / "report.html"
    for chart in ("confusion.png", "coverage.png"):
        width, height = _png_size(tmp_path / "report" / chart)
        assert width > 400 and height > 300
    html = path.read_text(encoding="utf-8")
    assert 'src="confusion.png"' in html and 'src="coverage.png"' in html
    busiest = max(result["per_department"], key=lambda c: result["per_department"][c]["support"])
    assert names[busiest] in html
    assert "never automatic" in html
    for target in ("90%", "95%", "98%", "99%"):
        assert f"coverage at {target} precision" in html


def test_report_escapes_every_string(result, tmp_path):
    html = write_report(result, tmp_path, names={"X": HOSTILE}).read_text(encoding="utf-8")
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;" in html


def test_result_carries_curve_and_matrix_and_stays_json(result):
    json.dumps(result)
    curve = result["precision_curve"]
    assert curve[-1]["share"] == 1.0 and len(curve) <= 200
    assert [p["share"] for p in curve] == sorted(p["share"] for p in curve)
    matrix = result["confusion_matrix"]
    assert len(matrix["labels"]) == 21 and matrix["labels"][-1] == "other"
    assert sum(map(sum, matrix["counts"])) == result["examples"]


def test_chart_labels_are_ascii():
    assert axis_tags(["URBAN_MANAGEMENT", "城乡建设", "other"]) == [
        "URBAN_MANAGEMENT",
        "#2",
        "other",
    ]


def test_precision_curve_takes_ties_together():
    curve = precision_curve(["A", "A", "B"], ["A", "B", "B"], [0.9, 0.5, 0.5])
    assert curve == [
        {"threshold": 0.9, "share": 0.3333, "precision": 1.0},
        {"threshold": 0.5, "share": 1.0, "precision": 0.6667},
    ]
    assert precision_curve([], [], []) == []


def test_confusion_matrix_folds_the_rest_into_other():
    matrix = confusion_top(["A", "A", "B", "C"], ["A", "B", "B", "A"], top=2)
    assert matrix == {"labels": ["A", "B", "other"], "counts": [[1, 1, 0], [0, 1, 0], [1, 0, 0]]}
