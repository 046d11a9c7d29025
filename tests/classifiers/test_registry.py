"""The model registry: versions, promote and rollback with history, first start, the watcher
that makes a worker follow promotions, and the ``hotline models`` commands."""

from __future__ import annotations

import asyncio
import io
import json
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from prometheus_client import CollectorRegistry

import classifiers.train
from classifiers.artefacts import METADATA_FILE, MODEL_FILE
from classifiers.registry import CURRENT, ModelRegistry, ModelWatcher
from classifiers.train import train_synthetic
from router.cli import main
from router.exceptions import ConfigurationError, ModelError
from router.metrics import Metrics
from router.queues import QueueWriter
from router.settings import Settings
from router.stages import Stages
from tests.conftest import copy_as


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory, catalogue) -> Path:
    """A small synthetic model: a few seconds to train."""
    path = tmp_path_factory.mktemp("tiny") / "model"
    train_synthetic(path, n=1500, seed=21, catalogue=catalogue)
    return path


@pytest.fixture
def registry(tmp_path: Path) -> ModelRegistry:
    return ModelRegistry(root=tmp_path / "models")


@pytest.fixture
def two(registry: ModelRegistry, tiny: Path, tmp_path: Path) -> ModelRegistry:
    """A registry holding versions ``a`` and ``b``, neither promoted."""
    for version in ("a", "b"):
        registry.add(copy_as(tiny, tmp_path / "trained" / version, version))
    return registry


def test_added_versions_are_listed_with_their_metadata_and_none_is_current(two, tiny):
    listed = two.versions()
    assert [v.version for v in listed] == ["a", "b"]
    assert not any(v.current for v in listed)
    assert two.current() is None
    metadata = json.loads((tiny / METADATA_FILE).read_text())
    assert listed[0].trained_at == metadata["trained_at"]
    assert listed[0].training_data == metadata["training_data"]
    assert listed[0].metrics["macro_f1"] == metadata["metrics"]["macro_f1"]
    assert sorted(p.name for p in two.path_of("a").iterdir()) == [METADATA_FILE, MODEL_FILE]


def test_promote_and_rollback_switch_current_and_keep_a_history(two, monkeypatch):
    monkeypatch.setenv("USER", "analyst-li")
    assert two.promote("a").version == "a"
    assert two.promote("b", actor="ci").version == "b"
    assert two.current() == "b"
    assert [v.version for v in two.versions() if v.current] == ["b"]
    assert two.rollback().version == "a"
    assert (two.root / CURRENT).read_text() == "a\n"
    history = two.history()
    assert [(h["action"], h["from"], h["to"], h["actor"]) for h in history] == [
        ("promote", None, "a", "analyst-li"),
        ("promote", "a", "b", "ci"),
        ("rollback", "b", "a", "analyst-li"),
    ]
    assert all(h["at"].endswith("+08:00") for h in history)
    # a second rollback undoes the first
    assert two.rollback().version == "b"
    # promoting the current version changes nothing
    two.promote("b")
    assert len(two.history()) == 4


def test_an_unknown_version_is_refused_naming_the_known_ones(two):
    with pytest.raises(ConfigurationError, match=r"no model version 'c'.*known: a, b"):
        two.promote("c")
    assert two.current() is None


def test_nothing_to_roll_back_to(two):
    with pytest.raises(ConfigurationError, match="nothing to roll back to"):
        two.rollback()
    two.promote("a")
    with pytest.raises(ConfigurationError, match="nothing to roll back to"):
        two.rollback()
    assert two.current() == "a"


def test_a_corrupt_version_is_refused_at_promote(two):
    two.promote("a")
    with (two.path_of("b") / MODEL_FILE).open("ab") as fh:
        fh.write(b"tampered")
    with pytest.raises(ModelError, match="checksum"):
        two.promote("b")
    assert two.current() == "a"
    assert len(two.history()) == 1


def test_a_version_is_added_once(two, tiny, tmp_path):
    again = copy_as(tiny, tmp_path / "again", "a")
    with pytest.raises(ConfigurationError, match="model version a is already in"):
        two.add(again)
    assert two.names() == ["a", "b"]


def test_add_refuses_what_does_not_load_or_cannot_be_named(registry, tiny, tmp_path):
    broken = copy_as(tiny, tmp_path / "broken", "broken")
    (broken / MODEL_FILE).write_bytes(b"not a model")
    with pytest.raises(ModelError, match="checksum"):
        registry.add(broken)
    badly_named = copy_as(tiny, tmp_path / "badname", "../escape")
    with pytest.raises(ModelError, match="no usable version"):
        registry.add(badly_named)
    assert registry.names() == []
    assert not (registry.root / "versions").exists()  # nothing written


def test_first_start_trains_the_default_once_and_promotes_it(registry, monkeypatch, catalogue):
    calls = []

    def small(model_dir: Path, **kwargs) -> object:
        calls.append(model_dir)
        return train_synthetic(model_dir, n=1500, seed=22, catalogue=catalogue)

    monkeypatch.setattr(classifiers.train, "train_synthetic", small)
    models = []
    starts = [
        threading.Thread(target=lambda: models.append(registry.ensure_current())) for _ in range(2)
    ]
    for start in starts:
        start.start()
    for start in starts:
        start.join()
    assert len(calls) == 1, "two workers starting together train once"
    (version,) = registry.names()
    assert registry.current() == version
    assert [m.version for m in models] == [version, version]
    assert registry.history()[0]["actor"] == "first start"
    assert not list(registry.root.glob(".staging-*"))


def test_first_start_adopts_the_pre_registry_model(registry, tiny, monkeypatch):
    monkeypatch.setattr(classifiers.train, "train_synthetic", None)  # must not train
    model = registry.ensure_current(legacy=tiny)
    assert (
        registry.current()
        == model.version
        == json.loads((tiny / METADATA_FILE).read_text())["version"]
    )


def test_versions_but_none_promoted_is_an_error_that_says_what_to_do(two):
    with pytest.raises(ConfigurationError, match="hotline models promote VERSION"):
        two.ensure_current()


def test_the_watcher_loads_a_promotion_once_and_gives_up_on_a_broken_one(two, tiny, tmp_path):
    two.promote("a")
    watcher = ModelWatcher(registry=two, loaded="a")
    assert watcher.check() is None
    two.promote("b")
    assert watcher.check().version == "b"
    assert watcher.check() is None
    two.add(copy_as(tiny, tmp_path / "c", "c"))
    two.promote("c")
    (two.path_of("c") / MODEL_FILE).write_bytes(b"truncated")  # broken after its promotion
    with pytest.raises(ModelError, match="model version c does not load"):
        watcher.check()
    assert watcher.check() is None, "a failed version is not retried on every tick"
    assert watcher.loaded == "b"
    two.rollback()  # back to b, which the worker runs: nothing to load
    assert watcher.check() is None
    two.promote("a")
    assert watcher.check().version == "a"


def test_stages_switch_models_between_batches_and_report_it(two, catalogue):
    model_a = two.promote("a")
    metrics = Metrics(registry=CollectorRegistry())
    stages = Stages(
        settings=Settings(),
        model=model_a,
        catalogue=catalogue,
        metrics=metrics,
        queues=QueueWriter(client=aioredis.Redis.from_url("redis://127.0.0.1:1/0"), dedup_ttl_s=60),
        executor=ThreadPoolExecutor(max_workers=1),
    )
    metrics.show_model(model_a)
    watcher = ModelWatcher(registry=two, loaded="a")
    registry = metrics.registry

    def sample(name: str, **labels: str) -> float | None:
        return registry.get_sample_value(name, labels)

    two.promote("b")
    asyncio.run(stages.reload_model(watcher))
    assert stages.model.version == "b"
    assert (
        sample(
            "hotline_model_info",
            version="b",
            labels=str(len(model_a.labels)),
            engine="jieba+sklearn",
        )
        == 1
    )
    assert (
        sample(
            "hotline_model_info",
            version="a",
            labels=str(len(model_a.labels)),
            engine="jieba+sklearn",
        )
        is None
    )
    assert sample("hotline_model_reloads_total", outcome="loaded") == 1

    (two.path_of("a") / MODEL_FILE).write_bytes(b"")
    (two.root / CURRENT).write_text("a\n")  # as if promoted on another host before the damage
    asyncio.run(stages.reload_model(watcher))
    asyncio.run(stages.reload_model(watcher))
    assert stages.model.version == "b"
    assert sample("hotline_model_reloads_total", outcome="failed") == 1


def test_settings_pin_a_model_directory_or_follow_the_registry(monkeypatch, tmp_path):
    monkeypatch.setenv("HOTLINE_HOME", str(tmp_path))
    monkeypatch.delenv("HOTLINE_MODEL_DIR", raising=False)
    monkeypatch.delenv("HOTLINE_MODEL_REGISTRY", raising=False)
    monkeypatch.delenv("HOTLINE_MODEL_POLL_S", raising=False)
    settings = Settings.from_env()
    assert not settings.model_pinned
    assert settings.model_registry == tmp_path / "models"
    assert settings.model_poll_s == 5.0
    monkeypatch.setenv("HOTLINE_MODEL_DIR", str(tmp_path / "pinned"))
    monkeypatch.setenv("HOTLINE_MODEL_REGISTRY", str(tmp_path / "shared"))
    monkeypatch.setenv("HOTLINE_MODEL_POLL_S", "0.5")
    settings = Settings.from_env()
    assert settings.model_pinned and settings.model_dir == tmp_path / "pinned"
    assert (settings.model_registry, settings.model_poll_s) == (tmp_path / "shared", 0.5)


def _hotline(*args: str, capsys: pytest.CaptureFixture, stdin: str = "") -> tuple[int, str, str]:
    """Run a ``hotline`` command in-process: exit code, stdout, stderr."""
    sys.stdin = io.StringIO(stdin)
    try:
        code = main(list(args))
    finally:
        sys.stdin = sys.__stdin__
    out, err = capsys.readouterr()
    return code, out, err


def test_hotline_train_registers_without_promoting_and_models_promote_switches(
    tmp_path, tiny, monkeypatch, capsys
):
    home = tmp_path / "home"
    for name in ("HOTLINE_MODEL_DIR", "HOTLINE_MODEL_REGISTRY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOTLINE_HOME", str(home))
    monkeypatch.setenv("USER", "analyst-wang")
    registry = ModelRegistry(root=home / "models")
    registry.add(copy_as(tiny, tmp_path / "old", "old"))
    registry.promote("old")

    code, out, err = _hotline("train", "--n", "1500", "--seed", "23", capsys=capsys)
    assert code == 0, err
    version = json.loads(out)["version"]
    assert f"added model version {version} to the registry, NOT promoted" in err
    assert f"hotline models promote {version}" in err
    assert registry.current() == "old"

    _, out, _ = _hotline("models", "list", "--json", capsys=capsys)
    assert [(v["version"], v["current"]) for v in json.loads(out)] == [
        ("old", True),
        (version, False),
    ]
    code, out, err = _hotline("models", "promote", version, capsys=capsys)
    assert code == 0, err
    assert f"old → {version}" in out
    assert registry.history()[-1]["actor"] == "analyst-wang"

    code, out, err = _hotline(
        "classify", capsys=capsys, stdin='{"id": 1, "text": "路灯坏了好几天"}\n'
    )
    assert code == 0, err
    assert json.loads(out)["department"]

    _, out, _ = _hotline("models", "rollback", capsys=capsys)
    assert f"{version} → old" in out
    code, _, err = _hotline("models", "promote", "nope", capsys=capsys)
    assert code == 2
    assert err.strip() == (
        f"hotline: error: no model version 'nope' in {home / 'models'} (known: old, {version})"
    )
    code, _, err = _hotline("models", "add", str(tiny), capsys=capsys)
    assert code == 0, err
    _, table, _ = _hotline("models", "list", capsys=capsys)
    assert table.splitlines()[-1] == f"3 versions in {home / 'models'} (* = current)"
    assert any(line.startswith("* old ") for line in table.splitlines())
