"""Shared fixtures: a small trained model, and (for integration tests) a real Tansu broker,
a real Redis server and a worker process, all on random loopback ports."""

from __future__ import annotations

import asyncio
import json
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import pytest

from classifiers.artefacts import METADATA_FILE, MODEL_FILE
from classifiers.model import DepartmentModel
from classifiers.train import train_synthetic
from router.departments import Catalogue
from router.embedded import EmbeddedServices, free_port
from router.processes import start_worker, stop_process, worker_env
from router.settings import Settings
from topics.admin import ensure_topics
from topics.schemas import Routing, Ticket

#: The real exports of ../shared/data (never copied into the repository); tests that read
#: them skip when they are absent.
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
HAIKOU = SHARED_DATA / "haikou-12345" / "workorders-2018.gb18030.csv"
TEDDY = SHARED_DATA / "teddy-2020c" / "messages-sample.xlsx"


def copy_as(source: Path, target: Path, version: str) -> Path:
    """A copy of a model directory under another version (the checksum covers only the
    model file, so the copy still loads)."""
    target.mkdir(parents=True)
    shutil.copyfile(source / MODEL_FILE, target / MODEL_FILE)
    metadata = json.loads((source / METADATA_FILE).read_text())
    metadata["version"] = version
    (target / METADATA_FILE).write_text(json.dumps(metadata))
    return target


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return Catalogue.load()


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory, catalogue: Catalogue) -> Path:
    """A default-style model trained on fewer synthetic requests, to keep the suite quick."""
    path = tmp_path_factory.mktemp("model") / "default"
    train_synthetic(path, n=6000, seed=4242, catalogue=catalogue)
    return path


@pytest.fixture(scope="session")
def model(model_dir: Path) -> DepartmentModel:
    from classifiers.artefacts import load_model

    return load_model(model_dir)


@dataclass(frozen=True)
class Running:
    """The integration environment: settings pointing at live servers, and the worker."""

    settings: Settings
    web_port: int
    log_path: Path


def routed_ticket(
    ticket_id: str,
    department: str,
    at: datetime,
    *,
    channel: str = "phone",
    request_type: str = "投诉",
    urgency: str = "normal",
    text: str = "测试工单",
) -> Ticket:
    """A ticket as the routing stage publishes it on tickets.routed, routed at ``at``."""
    return Ticket(
        ticket_id=ticket_id,
        channel=channel,
        source_id=ticket_id,
        received_at=at.isoformat(),
        text=text,
        request_type=request_type,
        urgency=urgency,
        routing=Routing(
            department=department,
            queue=f"hotline:queue:{department}",
            confidence=0.9,
            method="rule" if urgency == "urgent" else "model",
            model_version="test",
            routed_at=at.isoformat(),
        ),
    )


def wait_until(
    condition: Callable[[], object], *, timeout_s: float = 60.0, what: str = "condition"
) -> object:
    """Poll ``condition`` until it returns something truthy; fail the test after the timeout."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"timed out after {timeout_s:.0f} s waiting for {what}")


@pytest.fixture(scope="session")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServices]:
    """A real Tansu broker and Redis server on random loopback ports."""
    run_dir = tmp_path_factory.mktemp("services")
    with EmbeddedServices(run_dir=run_dir, broker_port=free_port(), redis_port=free_port()) as svc:
        yield svc


@pytest.fixture(scope="session")
def running(
    services: EmbeddedServices, model_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Running]:
    """A worker process routing against the session's broker and Redis."""
    assert services.state is not None
    home = tmp_path_factory.mktemp("home")
    settings = Settings(
        kafka_bootstrap_servers=services.state.bootstrap_servers,
        redis_url=services.state.redis_url,
        home=home,
        model_dir=model_dir,
        model_pinned=True,
        topic_partitions=2,
    )
    ensure_topics(
        settings.kafka_bootstrap_servers,
        partitions=settings.topic_partitions,
        app_id=settings.app_id,
    )
    web_port = free_port()
    env = worker_env(
        settings,
        HOTLINE_WEB_PORT=str(web_port),
        HOTLINE_TOPIC_PARTITIONS="2",
        HOTLINE_BROKER_SESSION_TIMEOUT_S="4",
        HOTLINE_BROKER_REBALANCE_TIMEOUT_S="4",
        HOTLINE_LOG_LEVEL="info",
    )
    log_path = home / "worker.log"
    worker = start_worker(env, log_path=log_path)
    try:
        yield Running(settings=settings, web_port=web_port, log_path=log_path)
    finally:
        stop_process(worker)


def deliver_routed(settings: Settings, tickets: list[Ticket]) -> None:
    """Do what the route stage does with routed tickets: queue them in Redis (the ticket
    read model) and publish them on tickets.routed, for tests that choose the department."""
    import redis.asyncio as aioredis
    from kafka import KafkaProducer

    from router.queues import QueueWriter
    from topics.catalogue import ROUTED

    async def enqueue() -> None:
        client = aioredis.Redis.from_url(settings.redis_url)
        try:
            writer = QueueWriter(client=client, dedup_ttl_s=3600)
            await writer.enqueue([(t, t.to_json()) for t in tickets])
        finally:
            await client.aclose()

    asyncio.run(enqueue())
    producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers, acks="all")
    try:
        for ticket in tickets:
            producer.send(ROUTED, key=ticket.ticket_id.encode(), value=ticket.to_json()).get(30)
    finally:
        producer.close()


@dataclass(frozen=True)
class ConsoleServer:
    """The console served over HTTP on a loopback port, against the session's worker."""

    url: str
    console: object  # router.console.context.Console
    settings: Settings

    def add_user(self, username: str, role: str, department: str | None = None) -> str:
        """Create a user (password ``username + "-pass"``); returns the password."""
        password = username + "-pass"
        self.console.accounts.add_user(  # type: ignore[attr-defined]
            username, role=role, password=password, department=department
        )
        return password


@pytest.fixture(scope="session")
def console_server(
    running: Running, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ConsoleServer]:
    """``hotline console`` in a thread (uvicorn), with its own accounts database."""
    import uvicorn

    from router.console.context import Console
    from router.console.server import create_app

    settings = replace(
        running.settings,
        accounts_db=tmp_path_factory.mktemp("console") / "accounts.sqlite3",
        console_refresh_s=1.0,
    )
    console = Console.from_settings(settings, catalogue=Catalogue.load())
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(console), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, name="console", daemon=True)
    thread.start()
    wait_until(lambda: server.started, timeout_s=30, what="the console to start")
    try:
        yield ConsoleServer(url=f"http://127.0.0.1:{port}", console=console, settings=settings)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        console.close()
