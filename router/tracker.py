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

import logging
from collections import Counter
from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass
from typing import Any

from router.exceptions import BadInputError, CalendarError, UnknownDepartmentError
from router.lifecycle import Effect, Lifecycle, TicketState
from router.metrics import TIMED_CLOCKS, Metrics
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


class Tracker:
    """Applies records to ticket states in a table and counts the outcomes."""

    def __init__(
        self, *, lifecycle: Lifecycle, metrics: Metrics, closed_retention_s: float
    ) -> None:
        """``closed_retention_s``: how long a closed or merged ticket stays (reopenable)."""
        self.lifecycle = lifecycle
        self.metrics = metrics
        self.closed_retention_s = closed_retention_s
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
        except BadInputError as error:
            return self._reject(record, error)
        except CalendarError as exc:  # a deadline in a year no calendar knows yet
            log.error("%s", exc)
            return self._reject(record, BadInputError("unknown_calendar_year", str(exc)))
        except UnknownDepartmentError as exc:
            return self._reject(record, BadInputError("invalid_field", str(exc)))
        except Exception as exc:  # no record may stop the tracker; its state is untouched
            log.exception("tracking %s:%s@%s failed", record.topic, record.partition, record.offset)
            detail = f"{type(exc).__name__}: {exc}"
            return self._reject(record, BadInputError("processing_error", detail))
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
        table[key] = state.to_dict()

    def _apply(self, table: Table, record: Record) -> None:
        event = TicketEvent.from_json(record.value or b"")
        key = event.ticket_id.encode()
        stored = table.get(key)
        if stored is None:
            raise BadInputError("unknown_ticket", f"no routed ticket {event.ticket_id}")
        if record.offset <= stored["offsets"].get(record.topic, -1):
            return  # applied before a restart: a redelivery
        state = TicketState.from_dict(stored)
        if event.event_id in state.event_ids:
            state.offsets[record.topic] = record.offset
            table[key] = state.to_dict()
            return
        try:
            effects = self.lifecycle.apply(state, event)
        except BadInputError:
            state = TicketState.from_dict(stored)  # untouched, but the offset is consumed
            state.offsets[record.topic] = record.offset
            table[key] = state.to_dict()
            raise
        state.offsets[record.topic] = record.offset
        table[key] = state.to_dict()
        self._child(self.metrics.lifecycle_events, event.type).inc()
        self.count(effects)

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
        """Scan the tickets of ``partitions`` (this worker's) for alerts due at ``now`` and
        closed tickets past retention, refreshing the open and overdue gauges on the way.
        The table is not changed."""
        found: list[Due] = []
        expired: list[bytes] = []
        forget_before = now - self.closed_retention_s
        open_by: Counter[str] = Counter()
        overdue_by: Counter[str] = Counter()
        tracked = 0
        lifecycle = self.lifecycle
        for key, stored in list(table.items()):
            if stored is None or stored["partition"] not in partitions:
                continue
            tracked += 1
            next_due = stored["next_due"]
            if stored["status"] in ("closed", "merged"):
                if stored["updated_at"] < forget_before:
                    expired.append(key)
                continue
            department = stored["department"]
            open_by[department] += 1
            if next_due is None:
                if _overdue(stored, now):  # only a paused, breached clock
                    overdue_by[department] += 1
                continue
            if next_due > now:
                # next_due is the earliest warning or deadline: a later deadline may have
                # passed only if an alert already marked it breached
                if _overdue(stored, now):
                    overdue_by[department] += 1
                continue
            state = TicketState.from_dict(stored)
            if state.overdue(now):
                overdue_by[department] += 1
            alerts = lifecycle.due_alerts(state, now)
            if alerts:
                found.append(Due(key=key, alerts=alerts))
        self.metrics.tracked.set(tracked)
        self._set_gauge(self.metrics.open_tickets, "open", open_by)
        self._set_gauge(self.metrics.overdue_tickets, "overdue", overdue_by)
        return Scan(due=found, expired=expired)

    def _set_gauge(self, gauge: object, name: str, counts: Counter[str]) -> None:
        for department, value in counts.items():
            gauge.labels(department).set(value)  # type: ignore[attr-defined]
            self._gauged.add((name, department))
        for gauged, department in list(self._gauged):
            if gauged == name and department not in counts:
                gauge.labels(department).set(0)  # type: ignore[attr-defined]

    def mark(self, table: Table, key: bytes, alerts: list[SlaAlert]) -> None:
        """Record in the table that ``alerts`` were sent; count them once each."""
        stored = table.get(key)
        if stored is None:
            return
        state = TicketState.from_dict(stored)
        effects = self.lifecycle.mark(state, alerts)
        table[key] = state.to_dict()
        for alert in alerts:
            self.metrics.sla_alerts.labels(alert.department, alert.level, alert.clock).inc()
        self.count(effects)

    @staticmethod
    def alert_records(alerts: Iterable[SlaAlert]) -> list[Outgoing]:
        """The ``sla.alerts`` records of ``alerts``."""
        return [(ALERTS, alert.ticket_id.encode(), alert.to_json()) for alert in alerts]


def _overdue(stored: dict, now: float) -> bool:
    """:meth:`TicketState.overdue` on the stored dict, without rebuilding the state."""
    for clock in stored["clocks"].values():
        if clock["ended"] is None and (
            clock["breached"] or (clock["deadline"] is not None and now >= clock["deadline"])
        ):
            return True
    return False
