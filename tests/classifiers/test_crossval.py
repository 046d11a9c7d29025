"""Stratified k-fold cross-validation."""

from __future__ import annotations

import pytest

from classifiers.crossval import cross_validate
from classifiers.importer import Columns, Example, import_export
from classifiers.synthetic import generate
from router.departments import Catalogue
from router.exceptions import ConfigurationError
from tests.conftest import TEDDY

FIVE = ("GAS_SUPPLY", "PUBLIC_SECURITY", "EDUCATION", "WATER_SUPPLY", "ECOLOGY_ENVIRONMENT")


def _examples(n: int, seed: int, catalogue: Catalogue) -> list[Example]:
    """Synthetic examples of five departments (``n / 5`` each)."""
    five = Catalogue(departments=[catalogue[code] for code in FIVE])
    return [
        Example(id=str(i), text=r.text, title=r.title, department=r.department, raw_label="")
        for i, r in enumerate(generate(n, seed=seed, catalogue=five))
    ]


def test_cross_validation_scores_each_fold_and_leaves_out_rare_departments(catalogue):
    examples = _examples(150, seed=11, catalogue=catalogue)
    rare = [
        Example(id=f"r{i}", text="关于某件很少见的事", department="RARE", raw_label="")
        for i in range(19)
    ]
    result = cross_validate(examples + rare, folds=3, seed=0, min_examples=20)
    assert result["left_out_too_few"] == {"RARE": 19}
    kept = result["examples"]
    assert (kept, result["departments"], result["min_examples"]) == (150, 5, 20)
    assert [f["fold"] for f in result["per_fold"]] == [1, 2, 3]
    assert sum(f["test"] for f in result["per_fold"]) == kept
    assert all(f["train"] + f["test"] == kept for f in result["per_fold"])
    assert 0.5 < result["mean"]["accuracy"] <= 1.0
    assert 0 <= result["std"]["macro_f1"] < 0.3
    scores = [f["macro_f1"] for f in result["per_fold"]]
    assert min(scores) <= result["mean"]["macro_f1"] <= max(scores)


def test_cross_validation_needs_two_folds_and_two_departments(catalogue):
    examples = _examples(100, seed=2, catalogue=catalogue)
    with pytest.raises(ConfigurationError, match="at least 2 folds"):
        cross_validate(examples, folds=1)
    one = [e for e in examples if e.department == examples[0].department]
    with pytest.raises(ConfigurationError, match="two departments"):
        cross_validate(one, folds=2)


@pytest.mark.data
@pytest.mark.skipif(not TEDDY.exists(), reason=f"real data not found at {TEDDY}")
def test_teddy_sample_five_fold_macro_f1_is_sane():
    columns = Columns(text="留言详情", title="留言主题", label="一级分类", id="留言编号")
    report = import_export([TEDDY], columns=columns, catalogue=None)
    assert len(report.examples) == 495
    result = cross_validate(report.examples, folds=5, seed=0)
    assert result["departments"] == 7 and result["left_out_too_few"] == {}
    assert 0.5 < result["mean"]["macro_f1"] < 1.0
