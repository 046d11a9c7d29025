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
from router.departments import Catalogue

PRECISION_TARGETS = (0.90, 0.95, 0.98, 0.99)

#: Label of the departments outside the most frequent ones in the confusion matrix.
OTHER = "other"


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


def precision_curve(
    y_true: Sequence[str],
    predicted: Sequence[str],
    confidence: Sequence[float],
    *,
    max_points: int = 200,
) -> list[dict[str, float]]:
    """Share dispatched and precision for one global threshold swept over every distinct
    confidence (most confident first), thinned to at most ``max_points`` points."""
    conf = np.asarray(confidence, dtype=float)
    if not len(conf):
        return []
    order = np.argsort(-conf, kind="stable")
    right = (np.asarray(y_true) == np.asarray(predicted))[order]
    sorted_conf = conf[order]
    counts = np.arange(1, len(right) + 1)
    precision = np.cumsum(right) / counts
    ends = np.flatnonzero(np.append(sorted_conf[1:] != sorted_conf[:-1], True))  # last of a tie
    if len(ends) > max_points:
        ends = ends[np.unique(np.linspace(0, len(ends) - 1, max_points).round().astype(int))]
    return [
        {
            "threshold": round(float(sorted_conf[i]), 4),
            "share": round(float(counts[i] / len(right)), 4),
            "precision": round(float(precision[i]), 4),
        }
        for i in ends
    ]


def confusion_top(
    y_true: Sequence[str], predicted: Sequence[str], *, top: int = 20
) -> dict[str, Any]:
    """Counts of true (rows) × predicted (columns) over the ``top`` most frequent true
    departments, the rest folded into :data:`OTHER`."""
    kept = [label for label, _ in Counter(y_true).most_common(top)]
    labels = [*kept, OTHER] if len(set(y_true) | set(predicted)) > len(kept) else kept
    index = {label: i for i, label in enumerate(kept)}
    other = len(kept)
    counts = np.zeros((len(labels), len(labels)), dtype=int)
    for t, p in zip(y_true, predicted, strict=True):
        counts[index.get(t, other), index.get(p, other)] += 1
    return {"labels": labels, "counts": counts.tolist()}


def evaluate(
    model: DepartmentModel,
    examples: Sequence[Example],
    *,
    catalogue: Catalogue | None = None,
    top_pairs: int = 10,
    top_confused: int = 20,
) -> dict[str, Any]:
    """Accuracy, macro-F1, per-department scores, precision-coverage and costly confusions,
    with the precision-coverage curve and the confusion matrix of the ``top_confused`` most
    frequent departments (for the report).

    Automatic dispatch is counted as the worker does it: the model's own threshold for a
    department, else the ``catalogue``'s (without one, a department with no threshold of the
    model's own never dispatches automatically)."""
    y_true = [e.department for e in examples]
    predictions = model.predict([model_input(e.title, e.text) for e in examples])
    predicted = [p.department for p in predictions]
    confidence = [p.confidence for p in predictions]
    labels = sorted(set(y_true) | set(predicted))
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, predicted, labels=labels, zero_division=0
    )
    thresholds = {d.code: d.threshold for d in catalogue} if catalogue else {}
    thresholds.update(model.thresholds)
    auto_share, auto_precision = coverage(y_true, predicted, confidence, thresholds)
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
                "threshold": thresholds.get(label),
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
        "precision_curve": precision_curve(y_true, predicted, confidence),
        "confusion_matrix": confusion_top(y_true, predicted, top=top_confused),
        "confusions": [
            {"true": t, "predicted": p, "count": n} for (t, p), n in pairs.most_common(top_pairs)
        ],
    }


#: The headline numbers an analyst compares two models by, with their labels.
HEADLINE = {
    "accuracy": "accuracy",
    "macro_f1": "macro-F1",
    "coverage_90": "coverage at 90% precision",
    "coverage_95": "coverage at 95% precision",
    "coverage_98": "coverage at 98% precision",
    "auto_share": "auto-dispatch share (own thresholds)",
    "auto_precision": "auto-dispatch precision",
}


def headline(evaluation: dict[str, Any]) -> dict[str, float]:
    """The :data:`HEADLINE` numbers of an :func:`evaluate` result."""
    coverage_at, auto = evaluation["coverage_at_precision"], evaluation["model_thresholds"]
    return {
        "accuracy": evaluation["accuracy"],
        "macro_f1": evaluation["macro_f1"],
        **{f"coverage_{t}": coverage_at[f"0.{t}"] for t in ("90", "95", "98")},
        "auto_share": auto["auto_dispatch_share"],
        "auto_precision": auto["auto_dispatch_precision"],
    }


def not_worse_checks(
    new: dict[str, float], current: dict[str, float], *, target: float
) -> dict[str, bool]:
    """Whether a new model is not worse than the current one on the same test tickets
    (:func:`headline` numbers of each): accuracy not lower, and automatic dispatch not worse
    at its precision — a model whose automatic dispatches reach ``target`` precision beats one
    whose do not; when both do the larger share wins; when neither does the more precise one
    wins (fewer mistakes nobody checks). Ties go to the new model."""
    new_reaches = new["auto_precision"] >= target
    current_reaches = current["auto_precision"] >= target
    if new_reaches != current_reaches:
        auto_not_worse = new_reaches
    elif new_reaches:
        auto_not_worse = new["auto_share"] >= current["auto_share"]
    else:
        auto_not_worse = new["auto_precision"] >= current["auto_precision"]
    return {
        "accuracy not lower": new["accuracy"] >= current["accuracy"],
        "auto-dispatch not worse at its precision": auto_not_worse,
    }
