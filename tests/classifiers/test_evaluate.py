"""Evaluating a model on labelled examples."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest

from classifiers.evaluate import evaluate, not_worse_checks, precision_coverage
from classifiers.importer import Example
from classifiers.synthetic import generate


def test_precision_coverage_takes_the_most_confident_first():
    truth = ["A", "A", "B", "B"]
    predicted = ["A", "A", "A", "B"]
    confidence = [0.9, 0.8, 0.7, 0.6]
    assert precision_coverage(truth, predicted, confidence, 1.0) == pytest.approx(0.5)
    assert precision_coverage(truth, predicted, confidence, 0.75) == pytest.approx(1.0)
    assert precision_coverage(["B"], ["A"], [0.9], 0.5) == 0.0


def test_evaluate_reports_what_an_analyst_checks(model, catalogue):
    examples = [
        Example(id=str(i), text=r.text, title=r.title, department=r.department, raw_label="")
        for i, r in enumerate(generate(300, seed=777))
    ]
    result = evaluate(model, examples)
    assert result["examples"] == 300
    assert 0.5 < result["accuracy"] <= 1.0
    supports = sum(d["support"] for d in result["per_department"].values())
    assert supports == 300
    assert set(result["coverage_at_precision"]) == {"0.90", "0.95", "0.98", "0.99"}
    shares = list(result["coverage_at_precision"].values())
    assert shares == sorted(shares, reverse=True)  # stricter precision, less coverage
    assert all(c["true"] != c["predicted"] for c in result["confusions"])
    # the synthetic default model has no thresholds of its own: like the worker, evaluate
    # falls back to the catalogue's, and without a catalogue nothing is automatic
    assert result["model_thresholds"]["auto_dispatch_share"] == 0.0
    with_catalogue = evaluate(model, examples, catalogue=catalogue)
    assert with_catalogue["model_thresholds"]["auto_dispatch_share"] > 0.5


def test_hotline_evaluate_json(model_dir, tmp_path):
    path = tmp_path / "holdout.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "unit"])
        for r in generate(100, seed=31):
            writer.writerow([r.text, r.department])
        writer.writerow(["机场大巴晚点", "美兰国际机场"])
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "router.cli",
            "evaluate",
            "--model",
            str(model_dir),
            "--data",
            str(path),
            "--text-col",
            "text",
            "--label-col",
            "unit",
            "--add-unknown",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["examples"] == 100
    assert out["skipped_unknown_labels"] == {"美兰国际机场": 1}
    assert {"accuracy", "macro_f1", "per_department", "coverage_at_precision"} <= set(out)


def test_not_worse_compares_automatic_dispatch_at_its_precision():
    base = {"accuracy": 0.8, "auto_share": 0.5, "auto_precision": 0.96}
    assert all(not_worse_checks(base, base, target=0.95).values())  # ties go to the new model
    wider = {**base, "auto_share": 0.6}
    assert all(not_worse_checks(wider, base, target=0.95).values())
    assert not all(not_worse_checks(base, wider, target=0.95).values())
    sloppy = {**base, "auto_share": 0.9, "auto_precision": 0.90}  # more, but below target
    assert not not_worse_checks(sloppy, base, target=0.95)[
        "auto-dispatch not worse at its precision"
    ]
    assert not_worse_checks(base, sloppy, target=0.95)["auto-dispatch not worse at its precision"]
    worse = {**base, "accuracy": 0.79}
    assert not not_worse_checks(worse, base, target=0.95)["accuracy not lower"]
