"""Per-department confidence thresholds chosen on held-out data to reach a target precision."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: The threshold of a department whose predictions never reach the target: never automatic.
NEVER = 1.01


def precision_thresholds(
    y_true: Sequence[str],
    predicted: Sequence[str],
    confidence: Sequence[float],
    *,
    target: float,
    min_predictions: int = 5,
) -> dict[str, float]:
    """For each predicted department, the lowest confidence above which the model's
    predictions of that department are right at least ``target`` of the time on this data.

    A department predicted fewer than ``min_predictions`` times above its threshold gets
    :data:`NEVER`: too little evidence to let it route by itself.
    """
    truth, pred, conf = np.asarray(y_true), np.asarray(predicted), np.asarray(confidence)
    thresholds: dict[str, float] = {}
    for department in sorted(set(pred.tolist())):
        mask = pred == department
        order = np.argsort(-conf[mask], kind="stable")
        right = (truth[mask] == department)[order]
        precision = np.cumsum(right) / np.arange(1, len(right) + 1)
        reaching = np.flatnonzero(precision >= target) + 1  # counts k with precision@k ≥ target
        reaching = reaching[reaching >= min_predictions]
        thresholds[department] = (
            float(conf[mask][order][reaching.max() - 1]) if len(reaching) else NEVER
        )
    return thresholds


def coverage(
    y_true: Sequence[str],
    predicted: Sequence[str],
    confidence: Sequence[float],
    thresholds: dict[str, float],
) -> tuple[float, float]:
    """Share of tickets routed automatically under ``thresholds``, and their precision."""
    truth, pred, conf = np.asarray(y_true), np.asarray(predicted), np.asarray(confidence)
    limits = np.array([thresholds.get(p, NEVER) for p in pred.tolist()])
    auto = conf >= limits
    if not auto.any():
        return 0.0, 0.0
    return float(auto.mean()), float((truth[auto] == pred[auto]).mean())
