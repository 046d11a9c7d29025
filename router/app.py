"""The Faust app: thin agents over :mod:`router.stages` and :mod:`router.tracker`.

intake.<channel> ──route──► tickets.normalized, tickets.routed + Redis queues
                     └────► tickets.deadletter
tickets.routed + tickets.events ──track──► table ticket-lifecycle ──timer──► sla.alerts
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import faust
import redis.asyncio as aioredis
from faust import web
from faust.sensors.prometheus import setup_prometheus_sensors
from faust.types import EventT
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from classifiers.model import DepartmentModel
from classifiers.registry import ModelWatcher
from router.departments import Catalogue
from router.lifecycle import Lifecycle
from router.metrics import Metrics
from router.queues import QueueWriter
from router.readmodel import ReadModelWriter
from router.rules import validate_rules
from router.settings import Settings
from router.stages import Record, Stages, publish
from router.tracker import Tracker
from router.transport import broker_urls
from topics.alerts import ALERTS
from topics.catalogue import INTAKE_TOPICS, ROUTED, TRACKER_TABLE
from topics.events import EVENTS
from topics.schemas import CHANNELS, DEADLETTER_REASONS


class StateTable(faust.Table):
    """The tracker's table: a state's changelog record goes to the partition stored in the
    state, the ticket's partition in its source topics, so the SLA timer (outside any
    stream) may write it too, and a worker recovers exactly the states of its partitions."""

    def on_key_set(self, key: bytes, value: dict) -> None:
        """Send the new state to the changelog partition of its ticket."""
        self.send_changelog(value["partition"], key, value)
        self._sensor_on_set(self, key, value)

    def on_key_del(self, key: bytes) -> None:
        """Send a tombstone to the changelog partition of the ticket (still in the store)."""
        partition = self.data[key]["partition"]
        self.send_changelog(partition, key, value=None, value_serializer="raw")
        self._sensor_on_del(self, key)


def _record(event: EventT) -> Record:
    return Record(
        topic=event.message.topic,
        partition=event.message.partition,
        offset=event.message.offset,
        timestamp_ms=int(event.message.timestamp * 1000),
        key=event.message.key,
        value=event.message.value,
    )


def _records(events: Sequence[EventT]) -> list[Record]:
    return [_record(event) for event in events]


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

    lifecycle = Lifecycle.from_settings(settings, catalogue=catalogue)
    metrics = Metrics(registry=registry, clock_buckets=lifecycle.policy.buckets())
    known = lifecycle.calendar.known_until() + timedelta(days=1)
    metrics.calendar_known_until.set(
        datetime(known.year, known.month, known.day, tzinfo=lifecycle.calendar.tz).timestamp()
    )
    metrics.start_at_zero(channels=CHANNELS, reasons=list(DEADLETTER_REASONS))
    metrics.show_model(model)
    redis_client = aioredis.Redis.from_url(settings.redis_url)
    stages = Stages(
        settings=settings,
        model=model,
        catalogue=catalogue,
        metrics=metrics,
        queues=QueueWriter(client=redis_client, dedup_ttl_s=settings.dedup_ttl_s),
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

    retention_s = settings.closed_retention_days * 86400
    tracker = Tracker(lifecycle=lifecycle, metrics=metrics, closed_retention_s=retention_s)
    read_model = ReadModelWriter(client=redis_client, closed_ttl_s=retention_s)
    queue_codes = list(catalogue.queues())  # every department and TRIAGE
    states = app.tables.add(
        StateTable(
            app,
            name=TRACKER_TABLE,
            beacon=app.tables.beacon,
            partitions=settings.topic_partitions,
            key_type=bytes,
            help="Lifecycle state and SLA clocks per ticket.",
        )
    )

    @app.agent(app.topic(ROUTED, EVENTS), name="track")
    async def track(stream: faust.StreamT) -> None:
        """Routed tickets and lifecycle events → per-ticket state and clocks, and the
        console's read model."""
        async for events in stream.take_events(settings.batch_size, settings.batch_within_s):
            letters = [out for event in events for out in tracker.handle(states, _record(event))]
            await read_model.write(tracker.drain())
            if letters:
                await publish(send, letters)

    alerts_topic = app.topic(ALERTS)

    @app.timer(settings.sla_tick_s, name="sla-clocks")
    async def sla_clocks() -> None:
        """Raise the warnings, breaches and escalations that fell due, once each."""
        if app.should_stop or app.rebalancing or app.in_recovery:
            return  # stopping: what is buffered now may not be flushed any more
        actives = app.assignor.assigned_actives()
        partitions = {tp.partition for tp in actives if tp.topic == ROUTED}
        # no await until the marks are done: a stop cannot fall between an alert and its
        # mark. Both go to the producer's buffer in this order (flushed on a clean stop);
        # after a crash, an alert may be sent again, with the same alert_id.
        scan = tracker.scan(states, now=time.time(), partitions=partitions)
        for found in scan.due:
            for _, key, value in tracker.alert_records(found.alerts):
                alerts_topic.send_soon(key=key, value=value)
            tracker.mark(states, found.key, found.alerts)
        for key in scan.expired:
            tracker.forget(states, key)
        await read_model.write(tracker.drain())  # the read model follows; it may lag
        for code, depth in (await read_model.depths(queue_codes)).items():
            metrics.queue_depth.labels(code).set(depth)

    if watcher is not None:

        @app.timer(settings.model_poll_s, name="model-reload")
        async def reload_model() -> None:
            """Follow the model registry's promotions."""
            await stages.reload_model(watcher)

    return app, stages
