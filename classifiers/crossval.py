"""Stratified k-fold cross-validation of the classifier on imported examples: how well the
pipeline learns a data set, with its spread, before a model is trained on all of it."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold

from classifiers.importer import Example
from classifiers.model import build_pipeline, model_input
from router.exceptions import ConfigurationError


def cross_validate(
    examples: Sequence[Example], *, folds: int = 5, seed: int = 0, min_examples: int = 20
) -> dict[str, Any]:
    """Accuracy and macro-F1 of a fresh pipeline per fold, per fold and as mean and standard
    deviation. Departments with fewer examples than ``folds`` or ``min_examples`` (which
    ``hotline train`` leaves out of a model too) are left out and reported."""
    if folds < 2:
        raise ConfigurationError(f"cross-validation needs at least 2 folds, not {folds}")
    least = max(folds, min_examples)
    counts = Counter(e.department for e in examples)
    too_few = {label: n for label, n in sorted(counts.items()) if n < least}
    kept = [e for e in examples if e.department not in too_few]
    if len(counts) - len(too_few) < 2:
        raise ConfigurationError(f"need at least two departments with {least} examples each")
    texts = np.array([model_input(e.title, e.text) for e in kept], dtype=object)
    labels = np.array([e.department for e in kept], dtype=object)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    per_fold = []
    for fold, (train, test) in enumerate(splitter.split(texts, labels), start=1):
        started = time.perf_counter()
        try:
            pipeline = build_pipeline().fit(list(texts[train]), list(labels[train]))
        except ValueError as exc:  # e.g. too few examples for the pipeline's own calibration
            raise ConfigurationError(f"fold {fold}: {exc} (raise the minimum examples)") from exc
        predicted = pipeline.predict(list(texts[test]))
        per_fold.append(
            {
                "fold": fold,
                "train": len(train),
                "test": len(test),
                "accuracy": round(float(accuracy_score(labels[test], predicted)), 4),
                "macro_f1": round(float(f1_score(labels[test], predicted, average="macro")), 4),
                "seconds": round(time.perf_counter() - started, 1),
            }
        )
    scores = {
        metric: np.array([f[metric] for f in per_fold]) for metric in ("accuracy", "macro_f1")
    }
    return {
        "folds": folds,
        "seed": seed,
        "min_examples": least,
        "examples": len(kept),
        "departments": len(counts) - len(too_few),
        "left_out_too_few": too_few,
        "per_fold": per_fold,
        "mean": {metric: round(float(v.mean()), 4) for metric, v in scores.items()},
        "std": {metric: round(float(v.std()), 4) for metric, v in scores.items()},
    }
