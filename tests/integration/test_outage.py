"""Redis going away while tickets arrive: the worker waits, nothing is lost or doubled."""

from __future__ import annotations

import random
import subprocess
import time
from datetime import datetime
from pathlib import Path

import pytest
import redis
from kafka import KafkaProducer

from classifiers.synthetic import generate
from router.embedded import EmbeddedServices, free_port, redis_command
from router.processes import start_worker, stop_process, worker_env
from router.queues import TICKET_PREFIX
from router.settings import Settings
from tests.conftest import wait_until
from topics.adapters import render
from topics.catalogue import intake_topic
from topics.schemas import TZ, make_ticket_id

pytestmark = pytest.mark.integration


def _start_redis(port: int, workdir: Path) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        redis_command(port, workdir), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    client = redis.Redis(port=port)
    wait_until(lambda: _pings(client), timeout_s=15, what="redis to answer")
    return proc


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


def test_worker_rides_out_a_redis_outage(
    services: EmbeddedServices, model_dir, tmp_path, catalogue
):
    assert services.state is not None
    port = free_port()
    redis_proc = _start_redis(port, tmp_path)
    settings = Settings(
        kafka_bootstrap_servers=services.state.bootstrap_servers,
        redis_url=f"redis://127.0.0.1:{port}/0",
        home=tmp_path,
        model_dir=model_dir,
        model_pinned=True,
    )
    env = worker_env(
        settings,
        HOTLINE_APP_ID="hotline-outage-test",  # its own consumer group
        HOTLINE_WEB_PORT=str(free_port()),
        HOTLINE_BROKER_SESSION_TIMEOUT_S="4",
        HOTLINE_BROKER_REBALANCE_TIMEOUT_S="4",
    )
    worker = start_worker(env, log_path=tmp_path / "worker.log")
    producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers)
    client = redis.Redis(port=port)
    requests = generate(6, seed=808, catalogue=catalogue)
    rng = random.Random(8)

    def send(i: int) -> str:
        source_id = f"outage-{i}"
        raw = render("web", requests[i], source_id=source_id, when=datetime.now(TZ), rng=rng)
        producer.send(intake_topic("web"), key=source_id.encode(), value=raw)
        producer.flush()
        return make_ticket_id("web", source_id)

    try:
        first = send(0)
        wait_until(lambda: client.exists(TICKET_PREFIX + first), what="the worker to route")

        redis_proc.terminate()
        redis_proc.wait(timeout=10)
        during = [send(i) for i in range(1, 6)]
        time.sleep(3)  # the worker keeps retrying meanwhile
        assert worker.poll() is None, "the worker must not stop when Redis is away"

        redis_proc = _start_redis(port, tmp_path)  # an empty Redis on the same port
        wait_until(
            lambda: all(client.exists(TICKET_PREFIX + tid) for tid in during),
            timeout_s=60,
            what="the tickets sent during the outage",
        )
        entries = [
            fields[b"ticket_id"].decode()
            for queue in catalogue.queues().values()
            for _, fields in client.xrange(queue)
        ]
        assert sorted(t for t in entries if t in during) == sorted(during)
    finally:
        producer.close()
        stop_process(worker)
        redis_proc.terminate()
        redis_proc.wait(timeout=10)
