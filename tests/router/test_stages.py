"""The worker's batch processing, without a broker: normalising, classifying, dead-lettering,
and retrying when the broker or Redis is away."""

from __future__ import annotations

import asyncio
import json
import random
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest
import redis.asyncio as aioredis
from prometheus_client import CollectorRegistry

from classifiers.synthetic import generate
from router import stages as stages_module
from router.metrics import Metrics
from router.queues import QueueWriter
from router.settings import Settings
from router.stages import Record, Stages, retry_forever
from topics.adapters import render
from topics.catalogue import DEADLETTER
from topics.schemas import TZ, DeadLetter


@pytest.fixture
def stages(model, catalogue) -> Stages:
    return Stages(
        settings=Settings(),
        model=model,
        catalogue=catalogue,
        metrics=Metrics(registry=CollectorRegistry()),
        queues=QueueWriter(client=aioredis.Redis.from_url("redis://127.0.0.1:1/0"), dedup_ttl_s=60),
        executor=ThreadPoolExecutor(max_workers=1),
    )


def _record(topic: str, value: bytes | None, offset: int = 0) -> Record:
    return Record(
        topic=topic,
        partition=0,
        offset=offset,
        timestamp_ms=1_790_000_000_000,
        key=b"k",
        value=value,
    )


def _good(channel: str, source_id: str, seed: int = 1) -> Record:
    request = generate(1, seed=seed)[0]
    raw = render(
        channel, request, source_id=source_id, when=datetime.now(TZ), rng=random.Random(seed)
    )
    return _record(f"intake.{channel}", raw)


def test_prepare_routes_good_records_and_letters_bad_ones(stages):
    records = [
        _good("phone", "p-1"),
        _record("intake.web", b"\xff\xfe not text", offset=7),
        _good("wechat", "w-1", seed=2),
        _record("intake.app", None, offset=8),
    ]
    prepared = stages.prepare(records)
    assert [e.ticket.source_id for e in prepared.routed] == ["p-1", "w-1"]
    for encoded in prepared.routed:
        assert encoded.ticket.routing is not None
        assert encoded.ticket.intake_ts_ms == 1_790_000_000_000
        assert json.loads(encoded.routed)["routing"]["department"]
        assert json.loads(encoded.normalized)["routing"] is None
    letters = [DeadLetter.from_json(value) for topic, _, value in prepared.letters]
    assert all(topic == DEADLETTER for topic, _, _ in prepared.letters)
    assert [(x.reason, x.offset, x.value) for x in letters] == [
        ("undecodable", 7, b"\xff\xfe not text"),
        ("not_json", 8, b""),
    ]
    received = stages.metrics.received.labels("phone")._value.get()
    assert received == 1


def test_the_same_ticket_twice_in_a_batch_is_routed_once(stages):
    record = _good("grid", "g-1")
    prepared = stages.prepare([record, record])
    assert len(prepared.routed) == 1
    assert stages.metrics.duplicates.labels("grid")._value.get() == 1


def test_a_failing_classifier_dead_letters_only_the_record_it_fails_on(stages, monkeypatch):
    real = stages_module.route_batch

    def flaky(tickets, **kwargs):
        if any(t.source_id == "bad" for t in tickets):
            raise ValueError("boom")
        return real(tickets, **kwargs)

    monkeypatch.setattr(stages_module, "route_batch", flaky)
    prepared = stages.prepare([_good("web", "ok-1"), _good("web", "bad", seed=3)])
    assert [e.ticket.source_id for e in prepared.routed] == ["ok-1"]
    (letter,) = [DeadLetter.from_json(value) for _, _, value in prepared.letters]
    assert letter.reason == "processing_error" and letter.stage == "route"


def test_retry_forever_waits_out_an_unreachable_service(monkeypatch):
    monkeypatch.setattr(stages_module, "RETRY_DELAYS_S", (0.0,))
    calls = []

    async def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionRefusedError("redis down")
        return "done"

    assert asyncio.run(retry_forever("test", flaky)) == "done"
    assert len(calls) == 3


def test_retry_forever_does_not_hide_bugs():
    async def buggy() -> None:
        raise KeyError("not an outage")

    with pytest.raises(KeyError):
        asyncio.run(retry_forever("test", buggy))
