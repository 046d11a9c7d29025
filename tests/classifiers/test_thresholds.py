"""Per-department thresholds for a target precision."""

from __future__ import annotations

import pytest

from classifiers.thresholds import (
    NEVER,
    coverage,
    department_thresholds,
    global_threshold,
    precision_thresholds,
)


def test_threshold_is_the_lowest_confidence_keeping_the_target_precision():
    # A predictions, by confidence: right, right, right, right, wrong, right, wrong
    truth = ["A", "A", "A", "A", "B", "A", "B"]
    predicted = ["A"] * 7
    confidence = [0.99, 0.95, 0.9, 0.85, 0.8, 0.7, 0.6]
    thresholds = precision_thresholds(truth, predicted, confidence, target=0.8, min_predictions=2)
    # precision@k: 1, 1, 1, 1, .8, .83, .71 -> the largest k at >= .8 is 6 (confidence 0.7)
    assert thresholds == {"A": 0.7}
    assert precision_thresholds(truth, predicted, confidence, target=1.0, min_predictions=2) == {
        "A": 0.85
    }


def test_too_little_evidence_never_routes_automatically():
    thresholds = precision_thresholds(["A", "B"], ["A", "A"], [0.9, 0.8], target=0.95)
    assert thresholds == {"A": NEVER}


def test_coverage_counts_automatic_share_and_its_precision():
    truth = ["A", "A", "B", "B"]
    predicted = ["A", "A", "B", "A"]
    confidence = [0.9, 0.5, 0.8, 0.95]
    share, precision = coverage(truth, predicted, confidence, {"A": 0.85, "B": 0.9})
    assert share == pytest.approx(0.5)  # the 0.9 A (right) and the 0.95 A (wrong)
    assert precision == pytest.approx(0.5)
    assert coverage(truth, predicted, confidence, {}) == (0.0, 0.0)


def test_the_global_floor_holds_back_a_department_that_only_looks_precise():
    # A alone reaches 80% down to 0.5; all predictions together only down to 0.55
    truth = ["A", "A", "A", "A", "B", "B", "B", "A", "A"]
    predicted = ["A", "A", "A", "A", "A", "B", "B", "B", "B"]
    confidence = [0.9, 0.8, 0.7, 0.6, 0.5, 0.95, 0.85, 0.55, 0.52]
    own = precision_thresholds(truth, predicted, confidence, target=0.8, min_predictions=2)
    assert own == {"A": 0.5, "B": 0.85}
    assert global_threshold(truth, predicted, confidence, target=0.8) == 0.55
    floored = department_thresholds(truth, predicted, confidence, target=0.8, min_predictions=2)
    assert floored == {"A": 0.55, "B": 0.85}
    assert global_threshold(["A", "B"], ["B", "B"], [0.9, 0.8], target=0.9) == NEVER
