"""Training: the default model from synthetic requests (so the system works offline with no
data), and models from imported historical exports.

Synthetic requests go through the same channel adapters as live traffic (rendered in a
channel's raw shape, then normalised), so the model sees exactly what the worker will feed it.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import random
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from classifiers.artefacts import load_model, save_model
from classifiers.importer import Example
from classifiers.model import ESTIMATOR, DepartmentModel, build_pipeline, model_input
from classifiers.synthetic import SyntheticRequest, generate
from classifiers.thresholds import coverage, department_thresholds
from classifiers.training_defaults import DEFAULT_SEED, DEFAULT_TRAIN_SIZE
from router.departments import Catalogue
from router.exceptions import ConfigurationError
from topics.adapters import normalise, render
from topics.catalogue import intake_topic
from topics.schemas import CHANNELS, TZ

log = logging.getLogger(__name__)


def synthetic_texts(
    requests: Sequence[SyntheticRequest], *, seed: int
) -> tuple[list[str], list[str], list[str]]:
    """Model inputs, labels and channels for requests passed through random channels."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, 8, 0, tzinfo=TZ)
    texts, labels, channels = [], [], []
    for i, request in enumerate(requests):
        channel = rng.choice(CHANNELS)
        raw = render(
            channel,
            request,
            source_id=f"syn-{seed}-{i}",
            when=start + timedelta(minutes=7 * i),
            rng=rng,
        )
        ticket = normalise(
            raw, topic=intake_topic(channel), max_text_chars=100_000, max_record_bytes=1 << 24
        )
        texts.append(model_input(ticket.title, ticket.text))
        labels.append(request.department)
        channels.append(channel)
    return texts, labels, channels


def train_synthetic(
    model_dir: Path,
    *,
    n: int = DEFAULT_TRAIN_SIZE,
    seed: int = DEFAULT_SEED,
    catalogue: Catalogue | None = None,
) -> DepartmentModel:
    """Train on ``n`` synthetic requests, evaluate on fresh ones, save to ``model_dir``."""
    catalogue = catalogue or Catalogue.load()
    started = time.perf_counter()
    x_train, y_train, _ = synthetic_texts(generate(n, seed=seed, catalogue=catalogue), seed=seed)
    holdout = max(1000, n // 5)
    x_test, y_test, _ = synthetic_texts(
        generate(holdout, seed=seed + 1, catalogue=catalogue), seed=seed + 1
    )
    pipeline = build_pipeline().fit(x_train, y_train)
    predicted = pipeline.predict(x_test)
    trained_at = datetime.now(TZ)
    metadata = {
        "version": f"synthetic-{trained_at:%Y%m%d%H%M%S}",
        "trained_at": trained_at.isoformat(timespec="seconds"),
        "training_data": f"synthetic generator, {n} requests, seed {seed}",
        "estimator": ESTIMATOR,
        "metrics": {
            "holdout": f"{holdout} fresh synthetic requests, seed {seed + 1}",
            "accuracy": round(float(accuracy_score(y_test, predicted)), 4),
            "macro_f1": round(float(f1_score(y_test, predicted, average="macro")), 4),
        },
        "train_seconds": round(time.perf_counter() - started, 1),
    }
    model = save_model(model_dir, pipeline, metadata)
    log.info(
        "trained %s: holdout accuracy %.3f, macro-F1 %.3f in %.0f s",
        metadata["version"],
        metadata["metrics"]["accuracy"],
        metadata["metrics"]["macro_f1"],
        metadata["train_seconds"],
    )
    return model


@contextmanager
def _training_lock(model_dir: Path) -> Iterator[None]:
    model_dir.parent.mkdir(parents=True, exist_ok=True)
    with open(model_dir.parent / f".{model_dir.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def load_or_train(model_dir: Path, *, catalogue: Catalogue | None = None) -> DepartmentModel:
    """Load the model in ``model_dir``; on first start, train the default model there first."""
    with _training_lock(model_dir):
        if not (model_dir / "metadata.json").exists():
            log.info("no model in %s: training the default model (about a minute)", model_dir)
            return train_synthetic(model_dir, catalogue=catalogue)
    return load_model(model_dir)


def data_fingerprint(examples: Sequence[Example]) -> str:
    """SHA-256 over the examples' ids, texts and labels: which data a model was trained on."""
    digest = hashlib.sha256()
    for example in examples:
        digest.update(f"{example.id}\x1f{example.text}\x1f{example.department}\x1e".encode())
    return digest.hexdigest()


def train_on_examples(
    examples: Sequence[Example],
    out_dir: Path,
    *,
    target_precision: float = 0.95,
    min_examples: int = 20,
    folds: int = 5,
    seed: int = 0,
    source: str = "",
) -> DepartmentModel:
    """Train on imported examples and save the model to ``out_dir``.

    Departments with fewer than ``min_examples`` are left out (their tickets go to triage) and
    reported in the metadata. Thresholds per department are chosen on out-of-fold predictions
    (``folds``-fold stratified cross-validation) to reach ``target_precision``; the model
    served is then fitted on all the examples.

    Texts are segmented and vectorised once (vocabulary and IDF from all the examples: no
    labels are involved) and only the classifier is cross-validated, which keeps training on
    large exports affordable.
    """
    started = time.perf_counter()
    counts = Counter(example.department for example in examples)
    too_few = {code: n for code, n in counts.items() if n < min_examples}
    kept = [e for e in examples if e.department not in too_few]
    if len({e.department for e in kept}) < 2:
        raise ConfigurationError(
            f"need at least two departments with {min_examples} examples each to train"
        )
    if min_examples < folds:
        raise ConfigurationError(f"min_examples ({min_examples}) must be at least folds ({folds})")
    labels = np.asarray([e.department for e in kept])
    pipeline = build_pipeline()
    segment, features, classifier = (step for _, step in pipeline.steps)
    texts = segment.transform([model_input(e.title, e.text) for e in kept])
    matrix = features.fit_transform(texts)
    out_of_fold = cross_val_predict(
        clone(classifier),
        matrix,
        labels,
        cv=StratifiedKFold(folds, shuffle=True, random_state=seed),
        method="predict_proba",
        n_jobs=min(folds, os.cpu_count() or 1),
    )
    classes = np.unique(labels)
    predicted = classes[out_of_fold.argmax(axis=1)].tolist()
    confidence = out_of_fold.max(axis=1).tolist()
    y_true = labels.tolist()
    thresholds = department_thresholds(y_true, predicted, confidence, target=target_precision)
    auto_share, auto_precision = coverage(y_true, predicted, confidence, thresholds)
    classifier.fit(matrix, labels)
    trained_at = datetime.now(TZ)
    fingerprint = data_fingerprint(examples)
    metadata = {
        "version": f"{trained_at:%Y%m%d%H%M%S}-{fingerprint[:8]}",
        "trained_at": trained_at.isoformat(timespec="seconds"),
        "training_data": source or f"{len(examples)} imported examples",
        "data_fingerprint": fingerprint,
        "estimator": ESTIMATOR,
        "examples": len(kept),
        "left_out_too_few": too_few,
        "target_precision": target_precision,
        "thresholds": thresholds,
        "metrics": {
            "validation": f"{folds}-fold stratified cross-validation (classifier), seed {seed}",
            "accuracy": round(float(accuracy_score(y_true, predicted)), 4),
            "macro_f1": round(float(f1_score(y_true, predicted, average="macro")), 4),
            "auto_dispatch_share": round(auto_share, 4),
            "auto_dispatch_precision": round(auto_precision, 4),
        },
        "train_seconds": round(time.perf_counter() - started, 1),
    }
    return save_model(out_dir, pipeline, metadata)
