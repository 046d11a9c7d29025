"""End to end on a real Tansu broker, a real Redis server and a real worker process."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import urllib.request
from collections import Counter
from datetime import datetime

import pytest
import redis
from kafka import KafkaProducer
from prometheus_client import CONTENT_TYPE_LATEST

from classifiers.synthetic import generate
from router.departments import Catalogue
from router.queues import DEDUP_PREFIX, TICKET_PREFIX
from router.routing import route_batch
from router.simulator import BAD_RECORDS
from tests.conftest import Running, wait_until
from topics.adapters import normalise, render
from topics.catalogue import DEADLETTER, ROUTED, intake_topic
from topics.reading import read_topic
from topics.schemas import CHANNELS, TZ, DeadLetter, Ticket, make_ticket_id

pytestmark = pytest.mark.integration


def read_all(bootstrap: str, topic: str) -> list:
    """Every record of a topic, read until it has been idle for 1.5 s."""
    return list(read_topic(bootstrap, topic, idle_ms=1500))


def queue_entries(client: redis.Redis, queue: str, ticket_id: str) -> int:
    """How many entries of ``queue`` are about ``ticket_id``."""
    return sum(
        1 for _, fields in client.xrange(queue) if fields[b"ticket_id"] == ticket_id.encode()
    )


def all_queue_entries(client: redis.Redis, catalogue: Catalogue, ticket_id: str) -> dict[str, int]:
    queues = catalogue.queues().values()
    counts = {q: queue_entries(client, q, ticket_id) for q in queues}
    return {q: c for q, c in counts.items() if c}


@pytest.fixture(scope="module")
def producer(running: Running):
    producer = KafkaProducer(bootstrap_servers=running.settings.kafka_bootstrap_servers)
    yield producer
    producer.close()


@pytest.fixture(scope="module")
def client(running: Running) -> redis.Redis:
    return redis.Redis.from_url(running.settings.redis_url)


def _send(producer: KafkaProducer, topic: str, key: bytes, value: bytes) -> None:
    producer.send(topic, key=key, value=value)
    producer.flush()


def test_tickets_from_all_seven_channels_land_once_in_the_expected_queue(
    running: Running, producer, client, model, catalogue
):
    rng = random.Random(5)
    requests = generate(len(CHANNELS) * 4, seed=2024, catalogue=catalogue)
    sent: list[tuple[Ticket, str]] = []
    for i, request in enumerate(requests):
        channel = CHANNELS[i % len(CHANNELS)]
        source_id = f"it-seven-{i}"
        raw = render(channel, request, source_id=source_id, when=datetime.now(TZ), rng=rng)
        ticket = normalise(
            raw, topic=intake_topic(channel), max_text_chars=10_000, max_record_bytes=1 << 20
        )
        sent.append((ticket, request.department))
        producer.send(intake_topic(channel), key=source_id.encode(), value=raw)
    producer.flush()

    # what the worker should decide, computed here with the same model and catalogue
    expected = {
        t.ticket_id: t.routing.queue
        for t in route_batch([t for t, _ in sent], model=model, catalogue=catalogue)
    }
    wait_until(
        lambda: all(client.exists(TICKET_PREFIX + tid) for tid in expected),
        what="every ticket to be queued",
    )
    for ticket_id, queue in expected.items():
        assert all_queue_entries(client, catalogue, ticket_id) == {queue: 1}, ticket_id

    stored = {tid: Ticket.from_json(client.get(TICKET_PREFIX + tid)) for tid in expected}
    assert {t.channel for t in stored.values()} == set(CHANNELS)
    right = sum(stored[t.ticket_id].routing.department == department for t, department in sent)
    assert right >= 0.6 * len(sent), "the model routes most synthetic requests right"
    # the contact travels apart from the text, which keeps only masked numbers
    for ticket, _ in sent:
        for phone in stored[ticket.ticket_id].contact.phones:
            assert phone not in stored[ticket.ticket_id].text


def test_urgent_rule_routes_gas_leak_with_method_rule(running: Running, producer, client):
    source_id = "it-urgent-gas-1"
    raw = json.dumps(
        {
            "schema_version": 1,
            "channel": "wechat",
            "source": "official_account",
            "msg_id": source_id,
            "openid": "oABC123456789",
            "create_time": 1790000000,
            "msg_type": "text",
            "content": "东湖区幸福小区3栋楼道里闻到很重的煤气味，怀疑燃气泄漏，请赶紧派人来看看！",
        },
        ensure_ascii=False,
    ).encode()
    _send(producer, intake_topic("wechat"), source_id.encode(), raw)
    ticket_id = make_ticket_id("wechat", source_id)
    raw_ticket = wait_until(lambda: client.get(TICKET_PREFIX + ticket_id), what="gas leak ticket")
    ticket = Ticket.from_json(raw_ticket)
    assert ticket.urgency == "urgent"
    assert ticket.routing.method == "rule"
    assert ticket.routing.rule == "gas_leak"
    assert queue_entries(client, ticket.routing.queue, ticket_id) == 1


def test_redelivered_and_resent_messages_do_not_duplicate(
    running: Running, producer, client, catalogue
):
    request = generate(1, seed=77, catalogue=catalogue)[0]
    source_id = "it-dup-1"
    raw = render("phone", request, source_id=source_id, when=datetime.now(TZ), rng=random.Random(1))
    for _ in range(3):
        _send(producer, intake_topic("phone"), source_id.encode(), raw)
    ticket_id = make_ticket_id("phone", source_id)
    wait_until(
        lambda: client.get(DEDUP_PREFIX + ticket_id) == b"published", what="the ticket published"
    )
    # a later re-send after the first was fully processed
    _send(producer, intake_topic("phone"), source_id.encode(), raw)
    marker = "it-dup-marker"
    marker_raw = render(
        "phone", request, source_id=marker, when=datetime.now(TZ), rng=random.Random(2)
    )
    _send(producer, intake_topic("phone"), marker.encode(), marker_raw)
    wait_until(
        lambda: client.get(DEDUP_PREFIX + make_ticket_id("phone", marker)) == b"published",
        what="a later ticket on the same topic",
    )
    assert sum(all_queue_entries(client, catalogue, ticket_id).values()) == 1
    routed = [
        m
        for m in read_all(running.settings.kafka_bootstrap_servers, ROUTED)
        if m.key == ticket_id.encode()
    ]
    assert len(routed) == 1


def test_every_kind_of_bad_input_is_dead_lettered_while_good_tickets_flow(
    running: Running, producer, client, catalogue
):
    rng = random.Random(9)
    good = generate(6, seed=99, catalogue=catalogue)
    bad = {
        **{reason: make(channel="web") for reason, make in BAD_RECORDS.items()},
        "missing_text": json.dumps(
            {
                "schema_version": 1,
                "channel": "web",
                "form_id": "it-bad-nt",
                "submitted_at": "2026-11-20T10:00:00+08:00",
                "title": "无正文",
            }
        ).encode(),
        "empty_text": json.dumps(
            {
                "schema_version": 1,
                "channel": "web",
                "form_id": "it-bad-et",
                "submitted_at": "2026-11-20T10:00:00+08:00",
                "title": "空",
                "content": "<p> </p>",
            }
        ).encode(),
        "text_too_long": json.dumps(
            {
                "schema_version": 1,
                "channel": "web",
                "form_id": "it-bad-tl",
                "submitted_at": "2026-11-20T10:00:00+08:00",
                "title": "长",
                "content": "噪音" * 6000,
            }
        ).encode(),
    }
    good_ids = []
    for i, (reason, value) in enumerate(bad.items()):
        _send(producer, intake_topic("web"), f"it-bad-{reason}".encode(), value)
        source_id = f"it-good-{i}"
        raw = render(
            "web", good[i % len(good)], source_id=source_id, when=datetime.now(TZ), rng=rng
        )
        _send(producer, intake_topic("web"), source_id.encode(), raw)
        good_ids.append(make_ticket_id("web", source_id))

    wait_until(
        lambda: all(client.exists(TICKET_PREFIX + tid) for tid in good_ids),
        what="good tickets between the bad ones",
    )

    def letters() -> dict[str, DeadLetter]:
        found = {}
        for message in read_all(running.settings.kafka_bootstrap_servers, DEADLETTER):
            letter = DeadLetter.from_json(message.value)
            if letter.key and letter.key.startswith(b"it-bad-"):
                found[letter.key.decode().removeprefix("it-bad-")] = letter
        return found if set(bad) <= set(found) else None

    found = wait_until(letters, what="a dead letter for every bad record")
    for reason, value in bad.items():
        letter = found[reason]
        assert letter.reason == reason
        assert letter.value == value  # the original bytes, whole
        assert letter.topic == intake_topic("web")
        assert letter.offset >= 0 and letter.partition >= 0
    # the worker is still alive and routing
    for tid in good_ids:
        assert sum(all_queue_entries(client, catalogue, tid).values()) == 1


def test_deadletter_replay_reinjects_after_a_fix(running: Running, producer, client, catalogue):
    """A record sent to the wrong topic is dead-lettered; replayed to the right one, it routes."""
    request = generate(1, seed=31, catalogue=catalogue)[0]
    source_id = "it-replay-1"
    raw = render("app", request, source_id=source_id, when=datetime.now(TZ), rng=random.Random(3))
    _send(producer, intake_topic("grid"), source_id.encode(), raw)  # wrong topic
    bootstrap = running.settings.kafka_bootstrap_servers

    def letter_offset() -> int | None:
        for message in read_all(bootstrap, DEADLETTER):
            if message.key == source_id.encode():
                return message.offset + 1  # +1: offset 0 must still be truthy
        return None

    offset = wait_until(letter_offset, what="the misrouted record's dead letter") - 1
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "REDIS_URL": running.settings.redis_url,
        "PATH": "/usr/bin:/bin",
    }
    listing = subprocess.run(
        [sys.executable, "-m", "router.cli", "deadletter", "list", "--reason", "unknown_channel"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert f"{offset:>8}" in listing.stdout and "unknown_channel" in listing.stdout
    replay = subprocess.run(
        [
            sys.executable,
            "-m",
            "router.cli",
            "deadletter",
            "replay",
            "--offset",
            str(offset),
            "--to",
            intake_topic("app"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "replayed 1 dead letters" in replay.stdout
    ticket_id = make_ticket_id("app", source_id)
    wait_until(lambda: client.exists(TICKET_PREFIX + ticket_id), what="the replayed ticket")
    assert sum(all_queue_entries(client, catalogue, ticket_id).values()) == 1


def test_metrics_endpoint_reports_routing(running: Running, producer, client, catalogue):
    request = generate(1, seed=55, catalogue=catalogue)[0]
    raw = render(
        "grid", request, source_id="it-metrics-1", when=datetime.now(TZ), rng=random.Random(4)
    )
    _send(producer, intake_topic("grid"), b"it-metrics-1", raw)
    wait_until(
        lambda: client.exists(TICKET_PREFIX + make_ticket_id("grid", "it-metrics-1")),
        what="the grid ticket",
    )
    url = f"http://127.0.0.1:{running.web_port}/metrics"
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.headers["Content-Type"] == CONTENT_TYPE_LATEST
        body = response.read().decode()
    samples = Counter(
        line.split("{")[0].split(" ")[0]
        for line in body.splitlines()
        if line and not line.startswith("#")
    )
    for name in (
        "hotline_tickets_received_total",
        "hotline_tickets_routed_total",
        "hotline_routing_latency_seconds_bucket",
        "hotline_classifier_confidence_bucket",
        "hotline_model_info",
    ):
        assert samples[name] > 0, name
    assert 'hotline_tickets_received_total{channel="grid"}' in body
    assert "it-metrics-1" not in body and make_ticket_id("grid", "it-metrics-1") not in body
