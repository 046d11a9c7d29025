"""Simulated hotline staff for the demo: dispatchers, department handlers, callback agents.

They read ``tickets.routed`` and act on each ticket in compressed time (seconds, not hours):
a dispatcher dispatches a triaged ticket, the department signs, contacts the citizen and
replies (or returns the ticket, pauses, asks for an extension), a callback agent calls back
and closes it (reopening it first when the citizen is not satisfied). A few tickets are never
signed, so their clocks run out over time. The plan of one ticket is a pure function
(:func:`plan_events`); :class:`StaffSimulator` sends the planned events to
``tickets.events`` when they fall due, stamped with the real time of sending.
"""

from __future__ import annotations

import dataclasses
import functools
import heapq
import logging
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from kafka import KafkaConsumer, KafkaProducer

from router.departments import TRIAGE, Catalogue
from router.exceptions import BadInputError
from topics import events as ev
from topics.catalogue import ROUTED
from topics.events import EVENTS, TicketEvent
from topics.schemas import TZ, Ticket

log = logging.getLogger(__name__)

GROUP = "hotline-demo-staff"
#: Routed tickets older than this (an earlier demo run) are left alone.
MAX_AGE_S = 600.0
#: Longest wait for new routed tickets between two looks at the schedule.
POLL_S = 0.5

SHARE_UNSIGNED = 0.05
SHARE_RETURNED = 0.10
SHARE_PAUSED = 0.03
SHARE_EXTENDED = 0.02
SHARE_URGED = 0.01
#: Callback outcomes and their shares.
CALLBACK_MIX: dict[str, float] = {
    "满意": 0.80,
    "基本满意": 0.12,
    "不满意": 0.05,
    "unreachable": 0.03,
}
#: Share of "basically satisfied" citizens who say the problem is resolved.
BASIC_RESOLVED = 0.75
EXTENSION = timedelta(days=35)

RETURN_REASONS = (
    "不属于本单位职责范围",
    "事项属地管理，应由属地街道办理",
    "该事项已移交其他主管部门",
)
REPLIES = (
    "已安排工作人员现场核查并处理完毕，已告知市民处理结果。",
    "经核实，问题已整改到位，已电话向市民说明。",
    "已按政策规定答复市民，市民表示知悉。",
    "已协调相关单位处理，后续将持续跟进。",
)
PAUSE_REASON = "等待市民补充材料"
EXTENSION_REASON = "需协调多个单位，申请延期办理"
URGE_REASON = "请尽快办理"
REOPEN_REASON = "市民对办理结果不满意，重新办理"
UNREACHABLE_REASON = "多次回访未接通，按规定办结"


@functools.cache
def _department_codes() -> tuple[str, ...]:
    return Catalogue.load().codes


def _pick_other(rng: random.Random, ticket: Ticket, *exclude: str) -> str:
    """The first routing suggestion not excluded, else a random catalogue department."""
    codes = _department_codes()
    top = ticket.routing.top if ticket.routing is not None else []
    for code, _ in top:
        if code in codes and code not in exclude:
            return code
    return rng.choice([code for code in codes if code not in exclude])


def plan_events(
    ticket: Ticket,
    *,
    rng: random.Random,
    now: float,
    humans: frozenset[str] = frozenset(),
    human_triage: float = 0.0,
) -> list[tuple[float, TicketEvent]]:
    """The events staff record for ``ticket`` routed at ``now`` (epoch seconds), each with
    the instant it falls due; every sequence is legal for the lifecycle tracker.

    Tickets routed to a department of ``humans`` are left to the people at the console,
    and so is a ``human_triage`` share of the triaged and of the returned ones; simulated
    staff never send a ticket to those departments."""
    if ticket.routing is None or ticket.routing.department in humans:
        return []
    if ticket.routing.department == TRIAGE and rng.random() < human_triage:
        return []
    planned: list[tuple[float, TicketEvent]] = []
    t = now

    def add(after: tuple[float, float], kind: str, actor: str, role: str, **fields: Any) -> None:
        nonlocal t
        t += rng.uniform(*after)
        at = datetime.fromtimestamp(t, TZ)
        event = TicketEvent(
            ticket_id=ticket.ticket_id, type=kind, at=at, actor=actor, role=role, **fields
        )
        planned.append((t, event))

    dispatcher = f"d-{rng.randint(1, 6)}"
    callback = f"cb-{rng.randint(1, 4)}"
    supervisor = f"sup-{rng.randint(1, 2)}"
    handler = rng.randint(1, 5)  # its number in each department it reaches
    department = ticket.routing.department

    def dispatch(to: str) -> None:
        add((2, 20), ev.DISPATCHED, dispatcher, "dispatcher", department=TRIAGE, to_department=to)

    def handle(after: tuple[float, float], kind: str, **fields: Any) -> None:
        add(after, kind, f"h-{department}-{handler}", "handler", department=department, **fields)

    if department == TRIAGE:
        department = _pick_other(rng, ticket, *humans)
        dispatch(department)
    if rng.random() < SHARE_RETURNED:
        suggested = _pick_other(rng, ticket, department, *humans)
        reason = rng.choice(RETURN_REASONS)
        handle((2, 20), ev.RETURNED, reason=reason, suggested_department=suggested)
        if rng.random() < human_triage:  # back at the desk: a person dispatches it again
            return planned
        if rng.random() < 0.2:  # the dispatcher knows better than the suggestion
            others = [c for c in _department_codes() if c != department and c not in humans]
            suggested = rng.choice(others)
        department = suggested
        dispatch(department)
    urged = rng.random() < SHARE_URGED
    if rng.random() < SHARE_UNSIGNED:
        if urged:
            add((20, 60), ev.URGED, supervisor, "supervisor", reason=URGE_REASON)
        return planned
    handle((1, 20), ev.SIGNED)
    handle((2, 8), ev.CONTACTED)
    if urged:
        add((2, 10), ev.URGED, supervisor, "supervisor", reason=URGE_REASON)
    if rng.random() < SHARE_PAUSED:
        handle((2, 8), ev.PAUSED, reason=PAUSE_REASON)
        handle((5, 20), ev.RESUMED)
    if rng.random() < SHARE_EXTENDED:
        until = datetime.fromtimestamp(t, TZ) + EXTENSION
        handle((2, 8), ev.EXTENSION_REQUESTED, extension_until=until, reason=EXTENSION_REASON)
        add((2, 10), ev.EXTENSION_APPROVED, supervisor, "supervisor", extension_until=until)
    handle((10, 60), ev.REPLIED, reply=rng.choice(REPLIES))
    rating = rng.choices(list(CALLBACK_MIX), list(CALLBACK_MIX.values()))[0]
    if rating == "不满意":
        add((5, 30), ev.CALLBACK, callback, "callback", rating=rating, resolved=False)
        add((1, 5), ev.REOPENED, callback, "callback", reason=REOPEN_REASON)
        handle((10, 60), ev.REPLIED, reply=rng.choice(REPLIES))
        rating = rng.choice(("满意", "基本满意"))
    resolved = None if rating == "unreachable" else rating == "满意"
    if rating == "基本满意":
        resolved = rng.random() < BASIC_RESOLVED
    add((5, 30), ev.CALLBACK, callback, "callback", rating=rating, resolved=resolved)
    reason = UNREACHABLE_REASON if rating == "unreachable" else None
    add((1, 5), ev.CLOSED, callback, "callback", reason=reason)
    return planned


class StaffSimulator:
    """Schedules the planned events of each routed ticket and sends them when due; keeps
    counts of what it sent for the demo's summary."""

    def __init__(
        self,
        *,
        seed: int,
        clock: Callable[[], float] = time.time,
        humans: frozenset[str] = frozenset(),
        human_triage: float = 0.0,
    ) -> None:
        """``humans`` and ``human_triage``: what is left to people (see :func:`plan_events`)."""
        self.rng = random.Random(seed)
        self.clock = clock
        self.humans = humans
        self.human_triage = human_triage
        self.sent: Counter[str] = Counter()  # event type, and "callback:<rating>"
        self._heap: list[tuple[float, int, TicketEvent]] = []
        self._seq = 0

    def add(self, ticket: Ticket) -> None:
        """Plan ``ticket``'s events from now on."""
        planned = plan_events(
            ticket,
            rng=self.rng,
            now=self.clock(),
            humans=self.humans,
            human_triage=self.human_triage,
        )
        for due, event in planned:
            heapq.heappush(self._heap, (due, self._seq, event))
            self._seq += 1

    def pending(self) -> int:
        """How many planned events are not sent yet."""
        return len(self._heap)

    def send_due(self, send: Callable[[TicketEvent], None]) -> None:
        """Send every event due by now, stamped with the time of sending."""
        while self._heap and self._heap[0][0] <= self.clock():
            _, _, planned = heapq.heappop(self._heap)
            at = datetime.fromtimestamp(self.clock(), TZ)
            event = dataclasses.replace(planned, at=at, event_id="")
            send(event)
            self.sent[event.type] += 1
            if event.rating is not None:
                self.sent[f"callback:{event.rating}"] += 1

    def run(
        self,
        fetch: Callable[[float], Iterable[Ticket]],
        send: Callable[[TicketEvent], None],
        *,
        should_stop: Callable[[], bool],
    ) -> None:
        """Until ``should_stop()``: take new routed tickets from ``fetch(timeout_s)``, plan
        them, and send the events that fall due."""
        while not should_stop():
            wait = POLL_S
            if self._heap:
                wait = min(POLL_S, max(self._heap[0][0] - self.clock(), 0.0))
            for ticket in fetch(wait):
                self.add(ticket)
            self.send_due(send)

    def serve(self, bootstrap_servers: str, *, should_stop: Callable[[], bool]) -> None:
        """:meth:`run` on Kafka: ``tickets.routed`` in (consumer group :data:`GROUP`),
        ``tickets.events`` out keyed by ticket id."""
        consumer = KafkaConsumer(
            ROUTED,
            bootstrap_servers=bootstrap_servers,
            group_id=GROUP,
            client_id=GROUP,
            auto_offset_reset="earliest",
            # the embedded broker waits the rebalance timeout on join: keep it short
            session_timeout_ms=6000,
            heartbeat_interval_ms=500,
            max_poll_interval_ms=10000,
        )
        producer = KafkaProducer(
            bootstrap_servers=bootstrap_servers, acks="all", linger_ms=5, client_id=GROUP
        )

        def fetch(timeout_s: float) -> list[Ticket]:
            batches = consumer.poll(timeout_ms=int(timeout_s * 1000))
            return _fresh_tickets(
                (r.value for records in batches.values() for r in records), self.clock()
            )

        def send(event: TicketEvent) -> None:
            producer.send(EVENTS, key=event.ticket_id.encode(), value=event.to_json())

        try:
            self.run(fetch, send, should_stop=should_stop)
        finally:
            producer.close(timeout=10)
            consumer.close()

    def summary(self) -> str:
        """One line of counts: signed, replied, returned, callbacks (满意率), reopened, closed."""
        sent = self.sent
        satisfied = sent["callback:满意"] + sent["callback:基本满意"]
        reached = satisfied + sent["callback:不满意"]
        rate = f"{satisfied / reached:.0%}" if reached else "-"
        return (
            f"lifecycle: signed {sent[ev.SIGNED]}, replied {sent[ev.REPLIED]}, "
            f"returned {sent[ev.RETURNED]}, callbacks {sent[ev.CALLBACK]} (满意率 {rate}), "
            f"reopened {sent[ev.REOPENED]}, closed {sent[ev.CLOSED]}"
        )


def _fresh_tickets(values: Iterable[bytes | None], now: float) -> list[Ticket]:
    """The routed tickets among ``values`` routed less than :data:`MAX_AGE_S` ago."""
    tickets = []
    for value in values:
        try:
            ticket = Ticket.from_json(value or b"")
        except BadInputError as exc:
            log.warning("staff simulator: skipping a routed record: %s", exc)
            continue
        routing = ticket.routing
        routed_at = (routing.routed_at if routing else "") or ticket.received_at
        if now - datetime.fromisoformat(routed_at).timestamp() < MAX_AGE_S:
            tickets.append(ticket)
    return tickets
