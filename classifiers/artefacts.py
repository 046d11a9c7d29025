"""Model artefacts on disk: a skops file, its SHA-256 and a metadata file.

A model directory holds ``model.skops`` and ``metadata.json`` (version, labels, metrics,
checksum, ...). Loading checks the checksum and accepts only the types listed in
:data:`TRUSTED_TYPES`: nothing is ever unpickled.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import skops.io as sio
from sklearn.pipeline import Pipeline

from classifiers.model import DepartmentModel
from router.exceptions import ModelError

MODEL_FILE = "model.skops"
METADATA_FILE = "metadata.json"

#: Types a model file may contain beyond skops' defaults.
TRUSTED_TYPES = [
    "classifiers.char_ngrams.CharNgramVectorizer",
    "classifiers.segment.Segmenter",
    "classifiers.vectorizer.CompactTfidfVectorizer",
    "classifiers.word_ngrams.WordNgramVectorizer",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
]


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _compact(pipeline: Pipeline) -> None:
    """Store linear models' coefficients as float32: half the file and no loss that changes a
    prediction (the features are float32 already)."""
    for estimator in _estimators(pipeline):
        coef = getattr(estimator, "coef_", None)
        if isinstance(coef, np.ndarray) and coef.dtype == np.float64:
            estimator.coef_ = coef.astype(np.float32)


def _estimators(pipeline: Pipeline) -> list[Any]:
    found = []
    for _, step in pipeline.steps:
        found.append(step)
        found.extend(c.estimator for c in getattr(step, "calibrated_classifiers_", []))
    return found


def save_model(model_dir: Path, pipeline: Pipeline, metadata: dict[str, Any]) -> DepartmentModel:
    """Write the pipeline and its metadata atomically into ``model_dir``."""
    _compact(pipeline)
    model_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=model_dir) as tmp:
        tmp_model = Path(tmp) / MODEL_FILE
        sio.dump(pipeline, tmp_model)
        full = {
            **metadata,
            "labels": [str(label) for label in pipeline.classes_],
            "sha256": sha256_of(tmp_model),
            "format": "skops",
        }
        tmp_meta = Path(tmp) / METADATA_FILE
        tmp_meta.write_text(json.dumps(full, ensure_ascii=False, indent=2))
        os.replace(tmp_model, model_dir / MODEL_FILE)
        os.replace(tmp_meta, model_dir / METADATA_FILE)
    return DepartmentModel(pipeline=pipeline, metadata=full)


def read_metadata(model_dir: Path) -> dict[str, Any]:
    """The metadata of a saved model; raises ModelError if absent or unreadable."""
    try:
        return json.loads((model_dir / METADATA_FILE).read_text())
    except FileNotFoundError as exc:
        raise ModelError(f"no model in {model_dir} (missing {METADATA_FILE})") from exc
    except ValueError as exc:
        raise ModelError(f"{model_dir / METADATA_FILE} is not valid JSON: {exc}") from exc


def load_model(model_dir: Path) -> DepartmentModel:
    """Load a model directory, verifying its checksum and the types it contains."""
    metadata = read_metadata(model_dir)
    model_path = model_dir / MODEL_FILE
    if not model_path.is_file():
        raise ModelError(f"no model in {model_dir} (missing {MODEL_FILE})")
    if sha256_of(model_path) != metadata.get("sha256"):
        raise ModelError(f"{model_path} does not match the checksum in its metadata")
    untrusted = set(sio.get_untrusted_types(file=model_path)) - set(TRUSTED_TYPES)
    if untrusted:
        raise ModelError(f"{model_path} contains untrusted types: {sorted(untrusted)}")
    try:
        pipeline = sio.load(model_path, trusted=TRUSTED_TYPES)
    except Exception as exc:  # skops raises many kinds on a corrupt file
        raise ModelError(f"cannot load {model_path}: {exc}") from exc
    return DepartmentModel(pipeline=pipeline, metadata=metadata)
