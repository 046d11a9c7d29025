"""The Faust app: two thin agents that hand batches of records to :mod:`router.stages`.

intake.<channel> ──normalise──► tickets.normalized ──route──► tickets.routed + Redis queues
                     └──────────────────────────────────────► tickets.deadletter
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import faust
import redis.asyncio as aioredis
from faust import web
from faust.sensors.prometheus import setup_prometheus_sensors
from faust.types import EventT
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from classifiers.model import DepartmentModel
from classifiers.registry import ModelWatcher
from router.departments import Catalogue
from router.metrics import Metrics
from router.queues import QueueWriter
from router.rules import validate_rules
from router.settings import Settings
from router.stages import Record, Stages
from router.transport import broker_urls
from topics.catalogue import INTAKE_TOPICS


def _records(events: Sequence[EventT]) -> list[Record]:
    return [
        Record(
            topic=event.message.topic,
            partition=event.message.partition,
            offset=event.message.offset,
            timestamp_ms=int(event.message.timestamp * 1000),
            key=event.message.key,
            value=event.message.value,
        )
        for event in events
    ]


def create_app(
    *,
    settings: Settings,
    model: DepartmentModel,
    catalogue: Catalogue,
    watcher: ModelWatcher | None = None,
) -> tuple[faust.App, Stages]:
    """Build the worker's Faust app and the stages its agents call; with a ``watcher``, the
    worker switches to each model version promoted in the registry."""
    validate_rules(catalogue)
    app = faust.App(
        settings.app_id,
        broker=broker_urls(settings.kafka_bootstrap_servers),
        value_serializer="raw",
        key_serializer="raw",
        store="memory://",
        datadir=str(settings.home / "faust"),
        web_port=settings.web_port,
        web_host="0.0.0.0",
        topic_partitions=settings.topic_partitions,
        topic_replication_factor=1,
        topic_allow_declare=False,
        broker_session_timeout=settings.broker_session_timeout_s,
        broker_rebalance_timeout=settings.broker_rebalance_timeout_s,
        broker_heartbeat_interval=min(3.0, settings.broker_session_timeout_s / 4),
        consumer_auto_offset_reset="earliest",
        producer_linger=0.0,
        producer_acks=-1,
    )
    registry = CollectorRegistry()
    if settings.faust_metrics:
        # Faust's per-event monitor (lag, per-topic rates): it cost a third of throughput
        setup_prometheus_sensors(app, registry=registry, name_prefix="faust")
    else:

        @app.page("/metrics")
        async def metrics_page(self: web.View, request: web.Request) -> web.Response:
            # as a header: aiohttp refuses a content_type argument with a charset in it
            return self.bytes(
                generate_latest(registry), headers={"Content-Type": CONTENT_TYPE_LATEST}
            )

    metrics = Metrics(registry=registry)
    metrics.show_model(model)
    stages = Stages(
        settings=settings,
        model=model,
        catalogue=catalogue,
        metrics=metrics,
        queues=QueueWriter(
            client=aioredis.Redis.from_url(settings.redis_url),
            dedup_ttl_s=settings.dedup_ttl_s,
        ),
        executor=ThreadPoolExecutor(max_workers=1, thread_name_prefix="hotline-cpu"),
    )

    async def send(topic: str, key: bytes | None, value: bytes) -> asyncio.Future:
        return await app.producer.send(topic, key, value, None, None, None)

    intake = app.topic(*INTAKE_TOPICS.values())

    @app.agent(intake, name="route")
    async def route(stream: faust.StreamT) -> None:
        """Intake records of all seven channels → queued tickets, or dead letters."""
        async for events in stream.take_events(settings.batch_size, settings.batch_within_s):
            await stages.process(_records(events), send)

    if watcher is not None:

        @app.timer(settings.model_poll_s, name="model-reload")
        async def reload_model() -> None:
            """Follow the model registry's promotions."""
            await stages.reload_model(watcher)

    return app, stages
