"""The worker's processing of a batch of intake records, as plain functions.

Intake records → Tickets (cleaned, contact split off) → classified and routed in one model
call → queued once in Redis → published on ``tickets.normalized`` and ``tickets.routed``;
records that cannot become tickets go to ``tickets.deadletter``. The Faust agent in
:mod:`router.app` only hands batches to :meth:`Stages.process`.

Normalising and routing run in one pass rather than as two agents joined by
``tickets.normalized``: a second Faust hop doubled the per-ticket cost and latency, and the
normalized record is still published for whoever reads it (analysts, replays).

Nothing here lets a bad record stop the worker: bad records become dead letters; a failing
broker or Redis is retried until it answers, so the batch is never acknowledged unprocessed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, TypeVar

from classifiers.model import DepartmentModel
from router.departments import Catalogue
from router.exceptions import BadInputError, ModelError
from router.metrics import Metrics
from router.queues import NEW, PUBLISHED, QueueWriter
from router.routing import route_batch, triage_reason
from router.settings import Settings
from topics.adapters import normalise as normalise_record
from topics.catalogue import DEADLETTER, NORMALIZED, ROUTED
from topics.schemas import DeadLetter, Ticket

if TYPE_CHECKING:
    from classifiers.registry import ModelWatcher

log = logging.getLogger(__name__)

#: ``send(topic, key, value)`` returns a future that resolves once the broker has the record.
Send = Callable[[str, bytes | None, bytes], Awaitable[asyncio.Future]]
#: A record to produce: topic, key, value.
Outgoing = tuple[str, bytes | None, bytes]

RETRY_DELAYS_S = (0.5, 1.0, 2.0, 5.0)
T = TypeVar("T")


@dataclass(frozen=True, kw_only=True)
class Record:
    """One consumed Kafka record, as the stages need it."""

    topic: str
    partition: int
    offset: int
    timestamp_ms: int
    key: bytes | None
    value: bytes | None


def channel_of(topic: str) -> str:
    """The channel of an intake topic name (``intake.phone`` → ``phone``)."""
    return topic.removeprefix("intake.")


def _transient(exc: BaseException) -> bool:
    """Whether an error is the broker or Redis being unreachable (worth retrying)."""
    if isinstance(exc, ConnectionError | OSError | TimeoutError):
        return True
    # redis-py and aiokafka wrap connection failures in their own classes
    return type(exc).__module__.split(".")[0] in ("redis", "aiokafka", "kafka")


async def retry_forever(what: str, call: Callable[[], Awaitable[T]]) -> T:
    """Await ``call()`` until it succeeds, backing off on broker or Redis failures."""
    attempt = 0
    while True:
        try:
            return await call()
        except Exception as exc:
            if not _transient(exc):
                raise
            delay = RETRY_DELAYS_S[min(attempt, len(RETRY_DELAYS_S) - 1)]
            log.warning("%s failed (%s); retrying in %.1f s", what, type(exc).__name__, delay)
            attempt += 1
            await asyncio.sleep(delay)


async def publish(send: Send, records: Sequence[Outgoing]) -> None:
    """Send records and wait until the broker acknowledged all of them."""
    if not records:
        return

    async def attempt() -> None:
        futures = [await send(topic, key, value) for topic, key, value in records]
        await asyncio.gather(*futures)

    await retry_forever(f"publishing {len(records)} records", attempt)


def dead_letter(record: Record, error: BadInputError, *, stage: str) -> Outgoing:
    """The ``tickets.deadletter`` record for a failed input record."""
    letter = DeadLetter.for_record(
        error=error,
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        value=record.value,
        key=record.key,
        timestamp_ms=record.timestamp_ms,
        stage=stage,
    )
    return DEADLETTER, record.key, letter.to_json()


@dataclass(frozen=True, kw_only=True)
class Encoded:
    """A routed ticket with its two records already serialised."""

    ticket: Ticket
    routed: bytes  # for tickets.routed and the Redis read model
    normalized: bytes  # the ticket without its routing, for tickets.normalized

    @classmethod
    def of(cls, ticket: Ticket) -> Encoded:
        """Serialise a routed ticket."""
        return cls(
            ticket=ticket,
            routed=ticket.to_json(),
            normalized=replace(ticket, routing=None).to_json(),
        )


@dataclass(kw_only=True)
class Prepared:
    """The CPU part of a batch done: routed tickets, serialised, and the dead letters."""

    routed: list[Encoded]
    letters: list[Outgoing]


class Stages:
    """The worker's processing of intake batches, called by its agent."""

    def __init__(
        self,
        *,
        settings: Settings,
        model: DepartmentModel,
        catalogue: Catalogue,
        metrics: Metrics,
        queues: QueueWriter,
        executor: Executor,
    ) -> None:
        self.settings = settings
        self.model = model
        self.catalogue = catalogue
        self.metrics = metrics
        self.queues = queues
        self.executor = executor

    def normalise_batch(
        self, records: Sequence[Record]
    ) -> tuple[dict[str, tuple[Ticket, Record]], list[Outgoing]]:
        """Intake records → tickets (one per ticket id) and dead letters."""
        tickets: dict[str, tuple[Ticket, Record]] = {}
        letters: list[Outgoing] = []
        for record in records:
            channel = channel_of(record.topic)
            self.metrics.received.labels(channel).inc()
            try:
                ticket = normalise_record(
                    record.value,
                    topic=record.topic,
                    max_text_chars=self.settings.max_text_chars,
                    max_record_bytes=self.settings.max_record_bytes,
                )
            except BadInputError as error:
                self.metrics.deadlettered.labels(error.reason).inc()
                letters.append(dead_letter(record, error, stage="normalise"))
                continue
            if ticket.ticket_id in tickets:  # the same ticket twice in one batch
                self.metrics.duplicates.labels(channel).inc()
                continue
            ticket.intake_ts_ms = record.timestamp_ms
            tickets[ticket.ticket_id] = (ticket, record)
        return tickets, letters

    def prepare(self, records: Sequence[Record]) -> Prepared:
        """Normalise and classify a batch, one model call for all (CPU-bound)."""
        model = self.model  # one batch, one model: a newly promoted one applies from the next
        tickets, letters = self.normalise_batch(records)
        try:
            routed = route_batch(
                [ticket for ticket, _ in tickets.values()],
                model=model,
                catalogue=self.catalogue,
            )
            return Prepared(routed=[Encoded.of(t) for t in routed], letters=letters)
        except Exception:
            log.exception("batch classification failed; classifying one by one")
        routed = []
        for ticket, record in tickets.values():
            try:
                (one,) = route_batch([ticket], model=model, catalogue=self.catalogue)
                routed.append(Encoded.of(one))
            except Exception as exc:
                error = BadInputError("processing_error", f"{type(exc).__name__}: {exc}")
                self.metrics.deadlettered.labels(error.reason).inc()
                letters.append(dead_letter(record, error, stage="route"))
        return Prepared(routed=routed, letters=letters)

    async def reload_model(self, watcher: ModelWatcher) -> None:
        """Switch to the registry's newly promoted model, if there is one: it loads in a
        thread while batches go on with the old one, and applies from the next batch."""
        loop = asyncio.get_running_loop()
        try:
            model = await loop.run_in_executor(None, watcher.check)
        except ModelError as exc:
            self.metrics.reloads.labels("failed").inc()
            log.error("%s; keeping model %s", exc, self.model.version)
            return
        if model is None:
            return
        previous, self.model = self.model, model
        self.metrics.show_model(model)
        self.metrics.reloads.labels("loaded").inc()
        log.info("switched from model %s to %s", previous.version, model.version)

    async def process(self, records: Sequence[Record], send: Send) -> None:
        """One intake batch: normalise, classify, queue once in Redis, publish."""
        loop = asyncio.get_running_loop()
        prepared = await loop.run_in_executor(self.executor, self.prepare, records)
        pairs = [(encoded.ticket, encoded.routed) for encoded in prepared.routed]
        outcomes = await retry_forever(
            "writing to the Redis queues", lambda: self.queues.enqueue(pairs)
        )
        queued_at = time.time()
        out: list[Outgoing] = []
        done: list[str] = []
        for encoded, outcome in zip(prepared.routed, outcomes, strict=True):
            ticket = encoded.ticket
            if outcome == PUBLISHED:
                self.metrics.duplicates.labels(ticket.channel).inc()
                continue
            key = ticket.ticket_id.encode()
            out.append((NORMALIZED, key, encoded.normalized))
            out.append((ROUTED, key, encoded.routed))
            done.append(ticket.ticket_id)
            if outcome == NEW:
                self._observe(ticket, queued_at)
        await publish(send, [*out, *prepared.letters])
        await retry_forever("marking tickets published", lambda: self.queues.mark_published(done))

    def _observe(self, ticket: Ticket, queued_at: float) -> None:
        routing = ticket.routing
        assert routing is not None
        reason = triage_reason(ticket, catalogue=self.catalogue)
        if reason is None:
            self.metrics.routed.labels(routing.department, routing.method).inc()
        else:
            self.metrics.triaged.labels(reason).inc()
        if routing.rule:
            self.metrics.urgent.labels(routing.rule).inc()
        self.metrics.confidence.observe(routing.confidence)
        if ticket.intake_ts_ms:
            self.metrics.latency.observe(max(0.0, queued_at - ticket.intake_ts_ms / 1000))
