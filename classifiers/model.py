"""The department classifier: jieba segmentation, TF-IDF and a linear model, with top-k output."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from classifiers.segment import Segmenter

TOP_K = 3


def model_input(title: str, text: str) -> str:
    """The text the classifier sees for a ticket: its title, then its cleaned text."""
    return f"{title}。{text}" if title else text


def build_pipeline(
    *,
    engine: str = "rjieba",
    ngram_range: tuple[int, int] = (1, 2),
    min_df: int = 2,
    max_features: int | None = 300_000,
    C: float = 20.0,
) -> Pipeline:
    """An unfitted segment → TF-IDF → logistic-regression pipeline."""
    return Pipeline(
        [
            ("segment", Segmenter(engine=engine)),
            (
                "tfidf",
                TfidfVectorizer(
                    token_pattern=r"[^ ]+",
                    lowercase=False,
                    ngram_range=ngram_range,
                    min_df=min_df,
                    max_features=max_features,
                    sublinear_tf=True,
                    dtype=np.float32,
                ),
            ),
            ("clf", LogisticRegression(C=C, max_iter=2000)),
        ]
    )


@dataclass(frozen=True, kw_only=True)
class Prediction:
    """The model's answer for one text: best department, its probability and the top-k."""

    department: str
    confidence: float
    top: list[tuple[str, float]]


@dataclass(kw_only=True)
class DepartmentModel:
    """A fitted pipeline with its metadata (version, labels, metrics)."""

    pipeline: Pipeline
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return str(self.metadata.get("version", "unversioned"))

    @property
    def thresholds(self) -> dict[str, float]:
        """Per-department thresholds chosen at training time (empty: the catalogue's apply)."""
        return dict(self.metadata.get("thresholds", {}))

    @property
    def labels(self) -> list[str]:
        return [str(label) for label in self.pipeline.classes_]

    def predict(self, texts: Sequence[str], *, k: int = TOP_K) -> list[Prediction]:
        """Predict a batch of texts (batching is much faster than one call per text)."""
        if not texts:
            return []
        proba = self.pipeline.predict_proba(list(texts))
        labels = self.pipeline.classes_
        k = min(k, proba.shape[1])
        order = np.argsort(-proba, axis=1)[:, :k]
        predictions = []
        for row, idx in zip(proba, order, strict=True):
            top = [(str(labels[i]), round(float(row[i]), 4)) for i in idx]
            predictions.append(Prediction(department=top[0][0], confidence=top[0][1], top=top))
        return predictions
