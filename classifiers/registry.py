"""The model registry: every trained version side by side, one of them promoted.

A registry is a directory (``$HOTLINE_MODEL_REGISTRY``, default ``$HOTLINE_HOME/models``; in
production a volume every worker mounts)::

    versions/<version>/   model.skops + metadata.json, as :mod:`classifiers.artefacts` writes
    CURRENT               the promoted version's name (replaced atomically)
    history.jsonl         one line per promote or rollback: at, action, from, to, actor

Workers poll ``CURRENT`` (:class:`ModelWatcher`) and switch to a newly promoted version
without a restart. Changes are made under a file lock, so two commands or two workers
starting together never interleave.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from classifiers.artefacts import METADATA_FILE, MODEL_FILE, load_model, read_metadata
from classifiers.model import DepartmentModel
from router.exceptions import ConfigurationError, ModelError
from topics.schemas import TZ

if TYPE_CHECKING:
    from router.departments import Catalogue
    from router.settings import Settings

log = logging.getLogger(__name__)

VERSIONS = "versions"
CURRENT = "CURRENT"
HISTORY = "history.jsonl"
_LOCK = ".registry.lock"
_VERSION_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


@dataclass(frozen=True, kw_only=True)
class ModelVersion:
    """One registered version, as ``hotline models list`` shows it."""

    version: str
    trained_at: str
    training_data: str
    metrics: dict[str, Any] = field(default_factory=dict)
    current: bool = False


def _actor(actor: str | None) -> str:
    return actor or os.environ.get("USER") or "unknown"


class ModelRegistry:
    """A file-based model registry rooted at ``root``."""

    def __init__(self, *, root: Path) -> None:
        self.root = root

    # reading

    def current(self) -> str | None:
        """The promoted version, or None before the first promote."""
        try:
            return (self.root / CURRENT).read_text().strip() or None
        except FileNotFoundError:
            return None

    def names(self) -> list[str]:
        """The registered versions' names, sorted."""
        folder = self.root / VERSIONS
        if not folder.is_dir():
            return []
        return sorted(p.name for p in folder.iterdir() if _VERSION_NAME.fullmatch(p.name))

    def versions(self) -> list[ModelVersion]:
        """Every registered version with its metadata summary, oldest first."""
        current = self.current()
        found = []
        for name in self.names():
            try:
                metadata = read_metadata(self.root / VERSIONS / name)
            except ModelError as exc:
                metadata = {"training_data": f"unreadable: {exc}"}
            found.append(
                ModelVersion(
                    version=name,
                    trained_at=str(metadata.get("trained_at", "")),
                    training_data=str(metadata.get("training_data", "")),
                    metrics=dict(metadata.get("metrics") or {}),
                    current=name == current,
                )
            )
        return sorted(found, key=lambda v: (v.trained_at, v.version))

    def path_of(self, version: str) -> Path:
        """The directory of a registered version; ConfigurationError naming the known ones."""
        known = self.names()
        if version not in known:
            listed = ", ".join(known) if known else "none yet"
            raise ConfigurationError(
                f"no model version {version!r} in {self.root} (known: {listed})"
            )
        return self.root / VERSIONS / version

    def history(self) -> list[dict[str, Any]]:
        """Every promote and rollback, oldest first."""
        try:
            lines = (self.root / HISTORY).read_text().splitlines()
        except FileNotFoundError:
            return []
        entries = []
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                entries.append(json.loads(line))
            except ValueError as exc:
                raise ConfigurationError(f"{self.root / HISTORY} line {number}: {exc}") from exc
        return entries

    def load_current(self) -> DepartmentModel:
        """Load the promoted version; ConfigurationError if none is."""
        version = self.current()
        if version is None:
            raise ConfigurationError(
                f"no model version is promoted in {self.root}: "
                "see `hotline models list`, then `hotline models promote VERSION`"
            )
        return load_model(self.path_of(version))

    # changing

    def add(self, model_dir: Path) -> str:
        """Copy a model directory trained elsewhere into the registry; returns its version.

        The model must load (checksum, trusted types); a version already registered is refused.
        """
        with self._lock():
            return self._add(model_dir)

    def promote(self, version: str, *, actor: str | None = None) -> DepartmentModel:
        """Make ``version`` current after checking that it loads; returns the loaded model."""
        with self._lock():
            return self._switch(version, action="promote", actor=actor)

    def rollback(self, *, actor: str | None = None) -> DepartmentModel:
        """Go back to the version that was current before the last promote or rollback."""
        with self._lock():
            history = self.history()
            previous = history[-1].get("from") if history else None
            if previous is None:
                raise ConfigurationError(f"nothing to roll back to in {self.root}")
            return self._switch(previous, action="rollback", actor=actor)

    @contextmanager
    def staging(self) -> Iterator[Path]:
        """A scratch model directory on the registry's volume, removed afterwards: train into
        it, then :meth:`add` it."""
        self.root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.root, prefix=".staging-") as tmp:
            yield Path(tmp) / "model"

    def ensure_current(
        self, *, catalogue: Catalogue | None = None, legacy: Path | None = None
    ) -> DepartmentModel:
        """The promoted model, creating one on a first start with an empty registry.

        An empty registry takes the model at ``legacy`` (the directory the worker used before
        the registry existed) if there is one, else trains the synthetic default model; either
        is added and promoted. The lock makes workers starting together train only once.
        """
        with self._lock():
            if self.current() is None and not self.names():
                if legacy is not None and (legacy / METADATA_FILE).is_file():
                    log.info("registry %s is empty: adopting the model in %s", self.root, legacy)
                    version = self._add(legacy)
                else:
                    from classifiers.train import train_synthetic  # only a first start trains

                    log.info("registry %s is empty: training the default model", self.root)
                    with self.staging() as staged:
                        train_synthetic(staged, catalogue=catalogue)
                        version = self._add(staged)
                return self._switch(version, action="promote", actor="first start")
        return self.load_current()

    # internals, called with the lock held

    @contextmanager
    def _lock(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / _LOCK, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _add(self, model_dir: Path) -> str:
        version = str(read_metadata(model_dir).get("version", ""))
        if not _VERSION_NAME.fullmatch(version):
            raise ModelError(
                f"{model_dir} has no usable version in its metadata ({version!r}): "
                "letters, digits, '.', '_' and '-' only"
            )
        target = self.root / VERSIONS / version
        if target.exists():
            raise ConfigurationError(f"model version {version} is already in {self.root}")
        load_model(model_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=".adding-"))
        try:
            for name in (MODEL_FILE, METADATA_FILE):
                shutil.copyfile(model_dir / name, tmp / name)
            tmp.chmod(0o755)  # readable by every worker mounting the volume
            os.rename(tmp, target)  # fails if another process registered it meanwhile
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return version

    def _switch(self, version: str, *, action: str, actor: str | None) -> DepartmentModel:
        model = load_model(self.path_of(version))  # refuse a corrupt version before switching
        previous = self.current()
        if previous == version:
            return model
        tmp = self.root / f".{CURRENT}.tmp"
        tmp.write_text(version + "\n")
        os.replace(tmp, self.root / CURRENT)
        entry = {
            "at": datetime.now(TZ).isoformat(timespec="seconds"),
            "action": action,
            "from": previous,
            "to": version,
            "actor": _actor(actor),
        }
        with (self.root / HISTORY).open("a") as history:
            history.write(json.dumps(entry, ensure_ascii=False) + "\n")
        log.info("model %s: %s -> %s", action, previous, version)
        return model


class ModelWatcher:
    """Tells a worker when the registry's promoted version differs from the one it runs.

    A version that fails to load is remembered and not retried until ``CURRENT`` names
    another version (or the worker's own again).
    """

    def __init__(self, *, registry: ModelRegistry, loaded: str) -> None:
        self.registry = registry
        self.loaded = loaded
        self.failed: str | None = None

    def check(self) -> DepartmentModel | None:
        """The newly promoted model, loaded (blocking: call it off the event loop), or None
        when nothing changed. Raises ModelError once per version that does not load."""
        wanted = self.registry.current()
        if wanted is None or wanted == self.loaded:
            self.failed = None
            return None
        if wanted == self.failed:
            return None
        try:
            model = load_model(self.registry.path_of(wanted))
        except (ModelError, ConfigurationError) as exc:
            self.failed = wanted
            raise ModelError(f"model version {wanted} does not load: {exc}") from exc
        self.loaded = wanted
        self.failed = None
        return model


def serving_model(
    settings: Settings, *, pinned: Path | None = None, catalogue: Catalogue | None = None
) -> tuple[DepartmentModel, ModelRegistry | None]:
    """The model a worker or command runs, and the registry it follows: a pinned directory
    (``pinned`` or $HOTLINE_MODEL_DIR; no registry), else the registry's promoted version."""
    if pinned or settings.model_pinned:
        from classifiers.train import load_or_train

        return load_or_train(pinned or settings.model_dir, catalogue=catalogue), None
    registry = ModelRegistry(root=settings.model_registry)
    return registry.ensure_current(catalogue=catalogue, legacy=settings.model_dir), registry
