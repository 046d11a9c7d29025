"""Training on imported examples: long tail left out, thresholds for a target precision."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from classifiers.artefacts import load_model
from classifiers.importer import Example
from classifiers.synthetic import generate
from classifiers.thresholds import NEVER
from classifiers.train import data_fingerprint, train_on_examples
from router.exceptions import ConfigurationError
from tests.conftest import HAIKOU


def _examples(n: int, seed: int = 5) -> list[Example]:
    return [
        Example(id=str(i), text=r.text, title=r.title, department=r.department, raw_label="")
        for i, r in enumerate(generate(n, seed=seed))
    ]


def test_training_on_examples_writes_thresholds_and_leaves_out_the_long_tail(tmp_path):
    examples = _examples(1500)
    rare = [e for e in examples if e.department == "AGRICULTURE"][:5]
    examples = [e for e in examples if e.department != "AGRICULTURE"] + rare
    model = train_on_examples(examples, tmp_path, target_precision=0.95, min_examples=20)
    meta = model.metadata
    assert meta["left_out_too_few"] == {"AGRICULTURE": 5}
    assert "AGRICULTURE" not in model.labels
    assert meta["data_fingerprint"] == data_fingerprint(examples)
    assert set(meta["thresholds"]) <= set(model.labels)
    assert all(0 < t <= NEVER for t in meta["thresholds"].values())
    assert 0 < meta["metrics"]["auto_dispatch_share"] <= 1
    assert meta["metrics"]["auto_dispatch_precision"] >= 0.95
    assert load_model(tmp_path).thresholds == meta["thresholds"]


def test_one_department_is_not_enough(tmp_path):
    examples = [e for e in _examples(400) if e.department == "EDUCATION"]
    with pytest.raises(ConfigurationError, match="at least two departments"):
        train_on_examples(examples, tmp_path)


@pytest.mark.data
@pytest.mark.skipif(not HAIKOU.exists(), reason=f"real data not found at {HAIKOU}")
def test_hotline_train_on_the_haikou_export(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "router.cli",
            "train",
            "--data",
            str(HAIKOU),
            "--text-col",
            "诉求内容",
            "--label-col",
            "处置单位",
            "--id-col",
            "工单编号",
            "--add-unknown",
            "--out",
            str(tmp_path / "m"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    meta = json.loads(result.stdout)
    assert "skipped" in result.stderr  # unknown department names are reported
    assert meta["examples"] > 3700
    assert meta["metrics"]["accuracy"] > 0.6
    assert load_model(tmp_path / "m").version == meta["version"]
