"""The SLA tracker: routed tickets and lifecycle events → per-ticket state, alerts, metrics.

The Faust agent in :mod:`router.app` hands it one record at a time together with the
table (a mapping ``ticket_id bytes → state dict``, changelog-backed) and publishes what it
returns; its timer calls :meth:`Tracker.due` and :meth:`Tracker.mark`. Everything here is
synchronous and testable with a plain dict as the table.

A record that fails for any other reason (a department the catalogue does not know, a year
the working calendar does not know, a bug) is dead-lettered too; a state is written back
only once its record applied, so a failure halfway leaves it as it was.

Kafka delivers at least once: a record at or below the last offset applied to a ticket
(from the same topic) is a redelivery and is skipped, and so is an event whose ``event_id``
the ticket has already seen (the same action sent twice). Events the lifecycle refuses go to
``tickets.deadletter`` with their reason; the state stays as it was.
"""

from __future__ import annotations

import heapq
import logging
from collections import Counter
from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass
from typing import Any

from prometheus_client import Gauge

from router.exceptions import BadInputError, CalendarError, UnknownDepartmentError
from router.lifecycle import Effect, Lifecycle, TicketState
from router.metrics import TIMED_CLOCKS, Metrics
from router.readmodel import Change, alert_entry, event_entry, routed_entry
from router.stages import Outgoing, Record, dead_letter
from topics.alerts import ALERTS, SlaAlert
from topics.catalogue import ROUTED
from topics.events import TicketEvent
from topics.schemas import Ticket

log = logging.getLogger(__name__)

Table = MutableMapping[bytes, dict]


@dataclass(frozen=True, kw_only=True)
class Due:
    """A ticket with alerts due, as found by a scan."""

    key: bytes
    alerts: list[SlaAlert]


@dataclass(frozen=True, kw_only=True)
class Scan:
    """What a scan of the table found: alerts due, and closed tickets past retention."""

    due: list[Due]
    expired: list[bytes]


class TicketIndex:
    """What the SLA timer needs without reading every state: when each ticket may next have
    an alert due and when a closed one expires (heaps, with stale entries skipped when
    popped), and per partition and department how many tickets are open and overdue.

    Updated on every write to the table; rebuilt from the table when the worker's partitions
    change (start, restart, rebalance).
    """

    def __init__(self) -> None:
        self.partitions: frozenset[int] | None = None  # None: not built yet
        self._clear()

    def _clear(self) -> None:
        self._summary: dict[bytes, tuple[int, str, bool, bool]] = {}
        self._due: list[tuple[float, bytes]] = []
        self._expiry: list[tuple[float, bytes]] = []
        self.open: Counter[tuple[int, str]] = Counter()
        self.overdue: Counter[tuple[int, str]] = Counter()
        self.tracked: Counter[int] = Counter()

    def update(self, key: bytes, stored: dict | None, *, retention_s: float) -> None:
        """Account for the new state of ``key`` (None: removed from the table)."""
        old = self._summary.pop(key, None)
        if old is not None:
            partition, department, is_open, is_overdue = old
            self.tracked[partition] -= 1
            self.open[(partition, department)] -= is_open
            self.overdue[(partition, department)] -= is_overdue
        if stored is None:
            return
        partition, department = stored["partition"], stored["department"]
        is_open = stored["status"] not in ("closed", "merged")
        is_overdue = is_open and _breached(stored)
        self._summary[key] = (partition, department, is_open, is_overdue)
        self.tracked[partition] += 1
        self.open[(partition, department)] += is_open
        self.overdue[(partition, department)] += is_overdue
        if stored["next_due"] is not None:
            heapq.heappush(self._due, (stored["next_due"], key))
        if not is_open:
            heapq.heappush(self._expiry, (stored["updated_at"] + retention_s, key))

    def rebuild(self, table: Table, partitions: frozenset[int], *, retention_s: float) -> None:
        """Index the states of ``partitions`` afresh."""
        self._clear()
        self.partitions = partitions
        for key, stored in list(table.items()):
            if stored is not None and stored["partition"] in partitions:
                self.update(key, stored, retention_s=retention_s)

    @staticmethod
    def pop(heap: list[tuple[float, bytes]], now: float) -> set[bytes]:
        """Keys whose entry in ``heap`` is at or before ``now`` (each once)."""
        keys = set()
        while heap and heap[0][0] <= now:
            keys.add(heapq.heappop(heap)[1])
        return keys

    def due_keys(self, now: float) -> set[bytes]:
        """Tickets that may have an alert due at ``now``."""
        return self.pop(self._due, now)

    def expiry_keys(self, now: float) -> set[bytes]:
        """Closed tickets that may be past retention at ``now``."""
        return self.pop(self._expiry, now)

    def by_department(self, counts: Counter[tuple[int, str]]) -> Counter[str]:
        """``counts`` summed over partitions."""
        total: Counter[str] = Counter()
        for (_, department), value in counts.items():
            if value:
                total[department] += value
        return total


class Tracker:
    """Applies records to ticket states in a table and counts the outcomes."""

    def __init__(
        self, *, lifecycle: Lifecycle, metrics: Metrics, closed_retention_s: float
    ) -> None:
        """``closed_retention_s``: how long a closed or merged ticket stays (reopenable)."""
        self.lifecycle = lifecycle
        self.metrics = metrics
        self.closed_retention_s = closed_retention_s
        self.index = TicketIndex()
        #: every write since the last :meth:`drain`, for the console's read model
        self.changes: list[Change] = []
        self._gauged: set[tuple[str, str]] = set()  # (gauge, department) label sets in use
        self._children: dict[tuple[int, tuple[str, ...]], Any] = {}

    def handle(self, table: Table, record: Record) -> list[Outgoing]:
        """Apply one record of ``tickets.routed`` or ``tickets.events``; returns the dead
        letters to publish (none when it applied or was a redelivery)."""
        try:
            if record.topic == ROUTED:
                self._open(table, record)
            else:
                self._apply(table, record)
        except Exception as exc:  # no record may stop the tracker; its state is untouched
            error = as_refusal(exc)
            if error.reason == "processing_error":
                log.exception(
                    "tracking %s:%s@%s failed", record.topic, record.partition, record.offset
                )
            elif isinstance(exc, CalendarError):  # a deadline in a year no calendar knows yet
                log.error("%s", exc)
            return self._reject(record, error)
        return []

    def _reject(self, record: Record, error: BadInputError) -> list[Outgoing]:
        self.metrics.deadlettered.labels(error.reason).inc()
        return [dead_letter(record, error, stage="track")]

    def _open(self, table: Table, record: Record) -> None:
        ticket = Ticket.from_json(record.value or b"")
        key = ticket.ticket_id.encode()
        if table.get(key) is not None:  # redelivered, or routed again: the first one holds
            return
        state = self.lifecycle.open(ticket, partition=record.partition)
        state.offsets[record.topic] = record.offset
        self._write(table, key, state.to_dict(), history=[routed_entry(ticket)])

    def _apply(self, table: Table, record: Record) -> None:
        event = TicketEvent.from_json(record.value or b"")
        key = event.ticket_id.encode()
        stored = table.get(key)
        if stored is None:
            raise BadInputError("unknown_ticket", f"no routed ticket {event.ticket_id}")
        if record.offset <= stored["offsets"].get(record.topic, -1):
            return  # applied before a restart: a redelivery
        if event.event_id in stored["event_ids"]:  # the same action sent again
            self._consumed(table, key, stored, record)
            return
        state = TicketState.from_dict(stored)
        try:
            effects = self.lifecycle.apply(state, event)
        except Exception as exc:  # the ticket stays as it was; handle() dead-letters the event
            self._consumed(table, key, stored, record)
            error = as_refusal(exc)
            refused = event_entry(event, refused=error.reason, detail=error.detail)
            self.changes.append(
                Change(ticket_id=event.ticket_id, old=stored, new=stored, history=[refused])
            )
            raise
        state.offsets[record.topic] = record.offset
        self._write(table, key, state.to_dict(), history=[event_entry(event)])
        self._child(self.metrics.lifecycle_events, event.type).inc()
        self.count(effects)

    def _consumed(self, table: Table, key: bytes, stored: dict, record: Record) -> None:
        """Record that ``record`` was consumed without changing the ticket's state."""
        offsets = {**stored["offsets"], record.topic: record.offset}
        self._write(table, key, {**stored, "offsets": offsets})

    def _write(
        self, table: Table, key: bytes, stored: dict, *, history: list[dict] | None = None
    ) -> None:
        if history is not None:  # a change the console shows (not a bare offset update)
            old = table.get(key)
            self.changes.append(
                Change(ticket_id=key.decode(), old=old, new=stored, history=history)
            )
        table[key] = stored
        self.index.update(key, stored, retention_s=self.closed_retention_s)

    def forget(self, table: Table, key: bytes) -> None:
        """Remove a ticket's state from the table (its retention is over)."""
        self.changes.append(Change(ticket_id=key.decode(), old=table.get(key), new=None))
        del table[key]
        self.index.update(key, None, retention_s=self.closed_retention_s)

    def drain(self) -> list[Change]:
        """The changes recorded since the last call, oldest first."""
        changes, self.changes = self.changes, []
        return changes

    def _child(self, metric: Any, *labels: str) -> Any:
        """``metric.labels(*labels)``, looked up once (it costs ~3 µs a call)."""
        key = (id(metric), labels)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*labels)
        return child

    def count(self, effects: Iterable[Effect]) -> None:
        """Record clock outcomes, replies, callbacks and reopens in the metrics."""
        metrics = self.metrics
        for effect in effects:
            if effect.kind == "clock":
                if effect.outcome:
                    self._child(
                        metrics.sla_outcomes,
                        effect.department,
                        effect.channel,
                        effect.clock,
                        effect.outcome,
                    ).inc()
                if effect.used is not None and effect.clock in TIMED_CLOCKS:
                    histogram = metrics.clock_durations[effect.clock]
                    self._child(histogram, effect.department).observe(effect.used)
            elif effect.kind == "reply":
                self._child(metrics.replies, effect.department, effect.channel).inc()
            elif effect.kind == "callback":
                self._child(
                    metrics.callbacks,
                    effect.department,
                    effect.channel,
                    effect.rating,
                    effect.resolved,
                ).inc()
            elif effect.kind == "reopen":
                self._child(metrics.reopened, effect.department).inc()

    def scan(self, table: Table, *, now: float, partitions: set[int]) -> Scan:
        """The alerts due at ``now`` among the tickets of ``partitions`` (this worker's), and
        the closed tickets past retention; refreshes the open and overdue gauges. The
        table is not changed. Reads only the states the index says may be due, after
        re-indexing everything when the worker's partitions changed."""
        index = self.index
        if index.partitions != frozenset(partitions):
            index.rebuild(table, frozenset(partitions), retention_s=self.closed_retention_s)
            self.changes.extend(  # the read model may have missed writes: rewrite it
                Change(ticket_id=key.decode(), old=None, new=stored)
                for key, stored in list(table.items())
                if stored is not None and stored["partition"] in partitions
            )
        found: list[Due] = []
        for key in index.due_keys(now):
            stored = table.get(key)
            if stored is None or stored["next_due"] is None or stored["next_due"] > now:
                continue  # a stale entry: the state changed since
            alerts = self.lifecycle.due_alerts(TicketState.from_dict(stored), now)
            if alerts:
                found.append(Due(key=key, alerts=alerts))
        forget_before = now - self.closed_retention_s
        expired = [
            key
            for key in index.expiry_keys(now)
            if (stored := table.get(key)) is not None
            and stored["status"] in ("closed", "merged")
            and stored["updated_at"] < forget_before
        ]
        self.metrics.tracked.set(sum(index.tracked.values()))
        self._set_gauge(self.metrics.open_tickets, "open", index.by_department(index.open))
        overdue = index.by_department(index.overdue)
        self._set_gauge(self.metrics.overdue_tickets, "overdue", overdue)
        return Scan(due=found, expired=expired)

    def _set_gauge(self, gauge: Gauge, name: str, counts: Counter[str]) -> None:
        for department, value in counts.items():
            gauge.labels(department).set(value)
            self._gauged.add((name, department))
        for gauged, department in list(self._gauged):
            if gauged == name and department not in counts:
                gauge.labels(department).set(0)

    def mark(self, table: Table, key: bytes, alerts: list[SlaAlert]) -> None:
        """Record in the table that ``alerts`` were sent; count them once each."""
        stored = table.get(key)
        if stored is None:
            return
        state = TicketState.from_dict(stored)
        effects = self.lifecycle.mark(state, alerts)
        entries = [alert_entry(alert) for alert in alerts]
        self._write(table, key, state.to_dict(), history=entries)
        for alert in alerts:
            self._child(self.metrics.sla_alerts, alert.department, alert.level, alert.clock).inc()
        self.count(effects)

    @staticmethod
    def alert_records(alerts: Iterable[SlaAlert]) -> list[Outgoing]:
        """The ``sla.alerts`` records of ``alerts``."""
        return [(ALERTS, alert.ticket_id.encode(), alert.to_json()) for alert in alerts]


def as_refusal(exc: Exception) -> BadInputError:
    """The dead-letter reason and detail of a record the tracker could not apply."""
    if isinstance(exc, BadInputError):
        return exc
    if isinstance(exc, CalendarError):
        return BadInputError("unknown_calendar_year", str(exc))
    if isinstance(exc, UnknownDepartmentError):
        return BadInputError("invalid_field", str(exc))
    return BadInputError("processing_error", f"{type(exc).__name__}: {exc}")


def _breached(stored: dict) -> bool:
    """Whether a live clock of the stored state has been marked breached."""
    return any(c["breached"] and c["ended"] is None for c in stored["clocks"].values())
