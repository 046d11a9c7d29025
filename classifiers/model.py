"""The department classifier: jieba segmentation, word and character TF-IDF, a calibrated
linear SVM, with top-k output."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from classifiers.char_ngrams import CharNgramVectorizer
from classifiers.segment import Segmenter
from classifiers.word_ngrams import WordNgramVectorizer

TOP_K = 3
#: What the pipeline is, for model metadata.
ESTIMATOR = (
    "jieba(rjieba) + TF-IDF word 1-2 grams and character 1-3 grams + LinearSVC, sigmoid-calibrated"
)


def model_input(title: str, text: str) -> str:
    """The text the classifier sees for a ticket: its title, then its cleaned text."""
    return f"{title}。{text}" if title else text


def build_pipeline(
    *,
    engine: str = "rjieba",
    min_df: int = 2,
    max_words: int | None = 100_000,
    max_chars: int | None = 100_000,
    C: float = 0.5,
    calibration_folds: int = 3,
) -> Pipeline:
    """An unfitted segment → TF-IDF (words and characters) → calibrated linear SVM pipeline.

    Character n-grams catch what segmentation splits badly (place names, misspellings); the
    SVM is calibrated by cross-validation (``ensemble=False``: one SVM on all the data, sigmoid
    calibrators fitted on out-of-fold scores), so confidences can be thresholded.
    """
    return Pipeline(
        [
            ("segment", Segmenter(engine=engine)),
            (
                "features",
                FeatureUnion(
                    [
                        (
                            "words",
                            WordNgramVectorizer(
                                min_df=min_df, max_features=max_words, sublinear_tf=True
                            ),
                        ),
                        (
                            "chars",
                            CharNgramVectorizer(
                                ngram_range=(1, 3), min_df=min_df, max_features=max_chars
                            ),
                        ),
                    ]
                ),
            ),
            (
                "clf",
                CalibratedClassifierCV(
                    LinearSVC(C=C), method="sigmoid", cv=calibration_folds, ensemble=False
                ),
            ),
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
