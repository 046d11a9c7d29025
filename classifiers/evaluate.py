"""Evaluating a model on labelled examples it never saw: what an analyst checks before
promoting it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

from classifiers.importer import Example
from classifiers.model import DepartmentModel, model_input
from classifiers.thresholds import coverage

PRECISION_TARGETS = (0.90, 0.95, 0.98, 0.99)


def precision_coverage(
    y_true: Sequence[str], predicted: Sequence[str], confidence: Sequence[float], target: float
) -> float:
    """The largest share of tickets, most confident first, whose predictions are right at
    least ``target`` of the time (one global threshold)."""
    order = np.argsort(-np.asarray(confidence), kind="stable")
    right = (np.asarray(y_true) == np.asarray(predicted))[order]
    precision = np.cumsum(right) / np.arange(1, len(right) + 1)
    reaching = np.flatnonzero(precision >= target)
    return float((reaching.max() + 1) / len(right)) if len(reaching) else 0.0


def evaluate(
    model: DepartmentModel, examples: Sequence[Example], *, top_pairs: int = 10
) -> dict[str, Any]:
    """Accuracy, macro-F1, per-department scores, precision-coverage and costly confusions."""
    y_true = [e.department for e in examples]
    predictions = model.predict([model_input(e.title, e.text) for e in examples])
    predicted = [p.department for p in predictions]
    confidence = [p.confidence for p in predictions]
    labels = sorted(set(y_true) | set(predicted))
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, predicted, labels=labels, zero_division=0
    )
    auto_share, auto_precision = coverage(y_true, predicted, confidence, model.thresholds)
    pairs = Counter((t, p) for t, p in zip(y_true, predicted, strict=True) if t != p)
    return {
        "model_version": model.version,
        "examples": len(examples),
        "accuracy": round(float(accuracy_score(y_true, predicted)), 4),
        "macro_f1": round(
            float(f1_score(y_true, predicted, labels=sorted(set(y_true)), average="macro")), 4
        ),
        "unknown_to_model": sorted(set(y_true) - set(model.labels)),
        "per_department": {
            label: {
                "precision": round(float(p), 4),
                "recall": round(float(r), 4),
                "f1": round(float(f), 4),
                "support": int(s),
            }
            for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
        },
        "coverage_at_precision": {
            f"{target:.2f}": round(precision_coverage(y_true, predicted, confidence, target), 4)
            for target in PRECISION_TARGETS
        },
        "model_thresholds": {
            "auto_dispatch_share": round(auto_share, 4),
            "auto_dispatch_precision": round(auto_precision, 4),
        },
        "confusions": [
            {"true": t, "predicted": p, "count": n} for (t, p), n in pairs.most_common(top_pairs)
        ],
    }
