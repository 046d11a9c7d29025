"""Promoting and rolling back a model while tickets flow: a running worker switches without a
restart, and every ticket is routed exactly once, by the model that was current."""

from __future__ import annotations

import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
import redis

from classifiers.registry import ModelRegistry
from router import simulator
from router.embedded import EmbeddedServices, free_port
from router.processes import start_worker, stop_process, worker_env
from router.queues import DEDUP_PREFIX, PUBLISHED, TICKET_PREFIX
from router.settings import Settings
from router.stages import channel_of
from tests.conftest import copy_as, wait_until
from topics.catalogue import ROUTED
from topics.reading import read_topic
from topics.schemas import Ticket, make_ticket_id

pytestmark = pytest.mark.integration

A, B = "it-reload-a", "it-reload-b"


class Sender:
    """Simulated traffic at a steady rate in a thread; remembers each ticket id it sends."""

    def __init__(self, *, bootstrap_servers: str, rate: float) -> None:
        self.sent: list[str] = []
        self._stop = threading.Event()
        self._producer = simulator.make_producer(bootstrap_servers)
        self._thread = threading.Thread(target=self._run, args=(rate,), daemon=True)

    def _run(self, rate: float) -> None:
        for record in simulator.records(seed=61, run_id="it-reload"):
            if self._stop.is_set():
                break
            # remembered before it is sent: a ticket counted after a moment was sent after it
            self.sent.append(make_ticket_id(channel_of(record.topic), record.key.decode()))
            self._producer.send(record.topic, key=record.key, value=record.value)
            time.sleep(1 / rate)
        self._producer.flush()

    def __enter__(self) -> Sender:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self._producer.close()


def test_promote_and_rollback_switch_a_running_worker_exactly_once(
    services: EmbeddedServices, model_dir: Path, tmp_path: Path, catalogue
):
    assert services.state is not None
    home = tmp_path / "home"
    registry = ModelRegistry(root=home / "models")
    for version in (A, B):
        registry.add(copy_as(model_dir, tmp_path / version, version))
    registry.promote(A)
    settings = Settings(
        kafka_bootstrap_servers=services.state.bootstrap_servers,
        redis_url=f"redis://127.0.0.1:{services.state.redis_port}/7",  # apart from other tests
        home=home,
    )
    web_port = free_port()
    env = worker_env(
        settings,
        HOTLINE_MODEL_DIR="",  # not pinned: follow the registry
        HOTLINE_MODEL_REGISTRY=str(registry.root),
        HOTLINE_MODEL_POLL_S="0.5",
        HOTLINE_APP_ID="hotline-reload-test",  # its own consumer group
        HOTLINE_WEB_PORT=str(web_port),
        HOTLINE_TOPIC_PARTITIONS="2",
        HOTLINE_BROKER_SESSION_TIMEOUT_S="4",
        HOTLINE_BROKER_REBALANCE_TIMEOUT_S="4",
    )
    client = redis.Redis.from_url(settings.redis_url)

    def metrics() -> str:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{web_port}/metrics", timeout=5) as r:
                return r.read().decode()
        except OSError:
            return ""

    def runs(version: str) -> bool:
        info = [line for line in metrics().splitlines() if line.startswith("hotline_model_info{")]
        return len(info) == 1 and f'version="{version}"' in info[0]

    def routed(ticket_ids: list[str]) -> bool:
        """Whether all these tickets are queued and on tickets.routed."""
        with client.pipeline(transaction=False) as pipe:
            for ticket_id in ticket_ids:
                pipe.get(DEDUP_PREFIX + ticket_id)
            return all(state == PUBLISHED.encode() for state in pipe.execute())

    def route_all_sent_so_far(sender: Sender) -> int:
        count = len(sender.sent)
        wait_until(lambda: routed(sender.sent[:count]), timeout_s=30, what="tickets routed")
        return count

    worker = start_worker(env, log_path=home / "worker.log")
    try:
        wait_until(lambda: runs(A), timeout_s=60, what="the worker to run model A")
        with Sender(bootstrap_servers=settings.kafka_bootstrap_servers, rate=25) as sender:
            wait_until(lambda: len(sender.sent) >= 25, what="traffic")
            before_promote = route_all_sent_so_far(sender)
            registry.promote(B)
            wait_until(lambda: runs(B), timeout_s=20, what="the worker to switch to B")
            on_b = len(sender.sent)
            wait_until(lambda: len(sender.sent) >= on_b + 25, what="traffic on B")
            before_rollback = route_all_sent_so_far(sender)
            registry.rollback()
            wait_until(lambda: runs(A), timeout_s=20, what="the worker to switch back to A")
            on_a = len(sender.sent)
            wait_until(lambda: len(sender.sent) >= on_a + 25, what="traffic on A again")
        sent = list(sender.sent)
        wait_until(lambda: routed(sent), timeout_s=30, what="every ticket routed")
        assert 'hotline_model_reloads_total{outcome="loaded"} 2.0' in metrics()
    finally:
        stop_process(worker)

    # each ticket is queued once, in one queue
    queued = Counter(
        fields[b"ticket_id"].decode()
        for queue in catalogue.queues().values()
        for _, fields in client.xrange(queue)
    )
    assert {tid: queued[tid] for tid in sent} == dict.fromkeys(sent, 1)
    # ... and published once on tickets.routed by this worker
    published: dict[str, list[str]] = {}
    for message in read_topic(settings.kafka_bootstrap_servers, ROUTED, idle_ms=1500):
        ticket = Ticket.from_json(message.value)
        if ticket.routing and ticket.routing.model_version in (A, B):
            published.setdefault(ticket.ticket_id, []).append(ticket.routing.model_version)
    assert {tid: len(published.get(tid, [])) for tid in sent} == dict.fromkeys(sent, 1)
    # by the model that was current: A before the promote, B after it, A after the rollback
    version = {tid: published[tid][0] for tid in sent}
    assert {version[tid] for tid in sent[:before_promote]} == {A}
    assert {version[tid] for tid in sent[on_b:before_rollback]} == {B}
    assert {version[tid] for tid in sent[on_a:]} == {A}
    stored = Ticket.from_json(client.get(TICKET_PREFIX + sent[on_b]))
    assert stored.routing.model_version == B
