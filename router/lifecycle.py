"""A ticket's lifecycle: its state, the events that may move it, and its SLA clocks.

Plain functions over plain data: the tracker agent keeps one :class:`TicketState` per
ticket in its table and calls :meth:`Lifecycle.open` for a routed ticket, :meth:`Lifecycle.apply`
for each event of ``tickets.events`` and :meth:`Lifecycle.due_alerts` on its timer; the
monthly report replays the same functions over the topics.

Statuses: ``triage`` (at the dispatchers' desk) → ``assigned`` (in a department's queue) →
``signed`` → ``contacted`` → ``replied`` → ``closed``; or ``merged`` into another ticket.
A return sends the ticket back to ``triage``; a reopen sends a replied or closed ticket back
to ``signed`` at the department that replied.

Clocks (DESIGN.md "SLA clocks"): sign for, first contact and resolve start when a department
first receives the ticket; a dispatch or reassignment to a new department starts a new sign
clock (contact and resolve go on, now counted against the new holder); a reply stops resolve
(and contact, if nobody recorded a contact) and starts the callback clock; a reopen starts a
new resolve clock. A pause stops every running clock; an approved extension moves the
resolve deadline.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from router.clocks import BREACHED, CANCELLED, Clock, ClockMath
from router.departments import TRIAGE, Catalogue
from router.exceptions import BadInputError
from router.settings import Settings
from router.sla_policy import Limit, SlaPolicy
from router.workcalendar import WorkCalendar
from topics import events as ev
from topics.alerts import BREACH, ESCALATION, WARNING, SlaAlert
from topics.schemas import Ticket

TRIAGE_STATUS = "triage"
ASSIGNED = "assigned"
SIGNED = "signed"
CONTACTED = "contacted"
REPLIED = "replied"
CLOSED = "closed"
MERGED = "merged"
OPEN_STATUSES = frozenset({TRIAGE_STATUS, ASSIGNED, SIGNED, CONTACTED, REPLIED})
WORKING = frozenset({SIGNED, CONTACTED})  # the department has signed and not yet replied
IN_DEPARTMENT = frozenset({ASSIGNED, SIGNED, CONTACTED})

#: The statuses an event type may be applied in.
ALLOWED_IN: dict[str, frozenset[str]] = {
    ev.DISPATCHED: frozenset({TRIAGE_STATUS}),
    ev.REASSIGNED: frozenset({TRIAGE_STATUS, *IN_DEPARTMENT}),
    ev.SIGNED: frozenset({ASSIGNED}),
    ev.CONTACTED: WORKING,
    ev.REPLIED: WORKING,
    ev.RESOLVED: WORKING,
    ev.RETURNED: IN_DEPARTMENT,
    ev.EXTENSION_REQUESTED: WORKING,
    ev.EXTENSION_APPROVED: WORKING,
    ev.EXTENSION_REFUSED: WORKING,
    ev.PAUSED: WORKING,
    ev.RESUMED: WORKING,
    ev.CALLBACK: frozenset({REPLIED}),
    ev.REOPENED: frozenset({REPLIED, CLOSED}),
    ev.MERGED: frozenset({TRIAGE_STATUS, *IN_DEPARTMENT}),
    ev.URGED: OPEN_STATUSES,
    ev.ESCALATED: OPEN_STATUSES,
    ev.CLOSED: OPEN_STATUSES,
}

_DESK = frozenset({"dispatcher", "supervisor", "system"})
_HANDLER = frozenset({"handler", "system"})
#: The roles that may record each event type.
ROLES_FOR: dict[str, frozenset[str]] = {
    ev.DISPATCHED: _DESK,
    ev.REASSIGNED: _DESK,
    ev.SIGNED: _HANDLER,
    ev.CONTACTED: _HANDLER,
    ev.REPLIED: _HANDLER,
    ev.RESOLVED: _HANDLER,
    ev.RETURNED: _HANDLER,
    ev.EXTENSION_REQUESTED: _HANDLER,
    ev.EXTENSION_APPROVED: frozenset({"dispatcher", "supervisor"}),
    ev.EXTENSION_REFUSED: frozenset({"dispatcher", "supervisor"}),
    ev.PAUSED: frozenset({"handler", "supervisor", "system"}),
    ev.RESUMED: frozenset({"handler", "supervisor", "system", "citizen"}),
    ev.CALLBACK: frozenset({"callback", "system"}),
    ev.REOPENED: frozenset({"callback", "dispatcher", "supervisor", "system", "citizen"}),
    ev.MERGED: frozenset({"dispatcher", "supervisor"}),
    ev.URGED: _DESK,
    ev.ESCALATED: frozenset({"supervisor", "system"}),
    ev.CLOSED: frozenset({"dispatcher", "supervisor", "callback", "system"}),
}

#: Callback ratings as metric label values.
RATING_LABELS: dict[str, str] = {
    "满意": "satisfied",
    "基本满意": "basically_satisfied",
    "不满意": "dissatisfied",
    "unreachable": "unreachable",
}
SATISFIED = frozenset({"满意", "基本满意"})
_KEEP_EVENT_IDS = 64


@dataclass(slots=True, kw_only=True)
class Effect:
    """Something the metrics count: a clock outcome, a reply, a callback or a reopen."""

    kind: str  # "clock", "reply", "callback", "reopen"
    department: str
    channel: str
    clock: str = ""
    outcome: str = ""  # MET / BREACHED for clocks
    used: float | None = None  # clock seconds consumed when it stopped (duration histograms)
    rating: str = ""
    resolved: str = ""  # "yes", "no", "unknown"


@dataclass(slots=True, kw_only=True)
class TicketState:
    """Everything the tracker knows about one ticket; stored as :meth:`to_dict` data."""

    ticket_id: str
    channel: str
    request_type: str
    urgency: str
    received_at: float
    partition: int  # of tickets.routed (and every co-partitioned topic): who owns the ticket
    status: str
    department: str
    clocks: dict[str, Clock] = field(default_factory=dict)
    generations: dict[str, int] = field(default_factory=dict)
    breaches: int = 0
    escalations: list[str] = field(default_factory=list)  # triggers already alerted
    pending_escalations: list[str] = field(default_factory=list)
    replied_by: str = ""
    reply_type: str = ""
    rating: str = ""
    reopened: int = 0
    urged: int = 0
    escalated: int = 0  # manual escalations (督办 by a supervisor)
    paused: bool = False
    extension_requested: float | None = None  # the requested new deadline
    duplicate_of: str = ""
    event_ids: list[str] = field(default_factory=list)
    offsets: dict[str, int] = field(default_factory=dict)  # last applied offset per topic
    updated_at: float = 0.0
    next_due: float | None = None  # earliest instant an alert may be due; None: none

    @property
    def open(self) -> bool:
        """Whether the ticket is neither closed nor merged."""
        return self.status in OPEN_STATUSES

    def overdue(self, now: float) -> bool:
        """Whether a live clock is past its deadline."""
        for clock in self.clocks.values():
            if clock.ended is None and (
                clock.breached or (clock.deadline is not None and now >= clock.deadline)
            ):
                return True
        return False

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (what the table stores)."""
        data = {name: getattr(self, name) for name in _STATE_FIELDS}
        data["clocks"] = {name: clock.to_dict() for name, clock in self.clocks.items()}
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TicketState:
        """Rebuild a state stored by :meth:`to_dict`, sharing nothing with ``data`` (the
        lifecycle changes its lists and mappings in place)."""
        values = dict(data)
        values["clocks"] = {n: Clock.from_dict(c) for n, c in data.get("clocks", {}).items()}
        for name in _MUTABLE_FIELDS:
            if name in values:
                values[name] = type(values[name])(values[name])
        return cls(**values)


_STATE_FIELDS = tuple(f.name for f in fields(TicketState))
_MUTABLE_FIELDS = ("generations", "escalations", "pending_escalations", "event_ids", "offsets")


def _ts(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


class Lifecycle:
    """The lifecycle rules on one SLA policy and working calendar."""

    def __init__(self, *, policy: SlaPolicy, calendar: WorkCalendar) -> None:
        self.policy = policy
        self.calendar = calendar
        self.math = ClockMath(calendar=calendar, warn_fraction=policy.warn_fraction)

    @classmethod
    def from_settings(cls, settings: Settings, *, catalogue: Catalogue) -> Lifecycle:
        """The lifecycle on the configured SLA policy, calendar, office hours and time zone."""
        calendar = WorkCalendar.from_settings(settings)
        policy = SlaPolicy.load(settings.sla_policy, catalogue=catalogue, calendar=calendar)
        return cls(policy=policy, calendar=calendar)

    # ------------------------------------------------------------------ opening

    def open(self, ticket: Ticket, *, partition: int) -> TicketState:
        """The state of a newly routed ticket: at the desk, or in a department with its
        sign, contact and resolve clocks running from the routing time."""
        routing = ticket.routing
        if routing is None:
            raise BadInputError("missing_field", "a routed ticket needs its routing")
        at = _ts(routing.routed_at or ticket.received_at)
        state = TicketState(
            ticket_id=ticket.ticket_id,
            channel=ticket.channel,
            request_type=ticket.request_type,
            urgency=ticket.urgency,
            received_at=_ts(ticket.received_at),
            partition=partition,
            status=TRIAGE_STATUS,
            department=TRIAGE,
            updated_at=at,
        )
        if routing.department != TRIAGE:
            self._assign(state, routing.department, at)
        self._plan(state)
        return state

    # ------------------------------------------------------------------ events

    def apply(self, state: TicketState, event: ev.TicketEvent) -> list[Effect]:
        """Apply one event to the ticket's state; returns what the metrics count.

        Raises BadInputError (``illegal_transition``, ``wrong_department`` or
        ``role_not_allowed``) and leaves the state untouched when the event is not allowed.
        """
        self.check(state, event)
        at = event.at.timestamp()
        effects = getattr(self, "_on_" + event.type)(state, event, at)
        state.updated_at = max(state.updated_at, at)
        state.event_ids = [*state.event_ids[-(_KEEP_EVENT_IDS - 1) :], event.event_id]
        self._plan(state)
        return effects

    def check(self, state: TicketState, event: ev.TicketEvent) -> None:
        """Raise BadInputError if ``event`` may not be applied to ``state`` now."""
        kind = event.type
        if state.status not in ALLOWED_IN[kind]:
            raise BadInputError(
                "illegal_transition", f"cannot record {kind} on a ticket that is {state.status}"
            )
        if event.role not in ROLES_FOR[kind]:
            raise BadInputError("role_not_allowed", f"a {event.role} cannot record {kind}")
        if event.role == "handler" and event.department != state.department:
            raise BadInputError(
                "wrong_department",
                f"{event.department} acted on a ticket held by {state.department}",
            )
        if kind in (ev.DISPATCHED, ev.REASSIGNED) and event.to_department == state.department:
            raise BadInputError(
                "illegal_transition", f"the ticket is already at {state.department}"
            )
        if kind == ev.PAUSED and state.paused:
            raise BadInputError("illegal_transition", "the ticket's clocks are already paused")
        if kind == ev.RESUMED and not state.paused:
            raise BadInputError("illegal_transition", "the ticket's clocks are not paused")
        if kind == ev.EXTENSION_REQUESTED and state.extension_requested is not None:
            raise BadInputError("illegal_transition", "an extension request is already pending")
        pending = state.extension_requested is not None
        if kind in (ev.EXTENSION_APPROVED, ev.EXTENSION_REFUSED) and not pending:
            raise BadInputError("illegal_transition", "no extension request is pending")
        if kind == ev.EXTENSION_APPROVED:
            assert event.extension_until is not None
            resolve = state.clocks.get("resolve")
            current = resolve.deadline if resolve is not None else None
            if current is not None and event.extension_until.timestamp() <= current:
                raise BadInputError(
                    "illegal_transition", "an extension must move the deadline later"
                )
        if kind == ev.CALLBACK and state.rating:
            raise BadInputError("illegal_transition", "this reply already has its callback")

    def _assign(self, state: TicketState, department: str, at: float) -> None:
        """Put the ticket in ``department``'s queue: a new sign clock; contact and resolve
        start if they never did, and are counted against the new holder if they run."""
        limits = self.policy.limits(
            request_type=state.request_type, urgency=state.urgency, department=department
        )
        sign = state.clocks.get("sign")
        if sign is not None and sign.ended is None:
            self.math.stop(sign, at, cancel=True)  # reassigned before anyone signed
        state.status = ASSIGNED
        state.department = department
        self._start(state, "sign", department, limits["sign"], at)
        for name in ("contact", "resolve"):
            clock = state.clocks.get(name)
            if clock is None:
                self._start(state, name, department, limits[name], at)
            elif clock.ended is None:
                clock.department = department

    def _start(
        self, state: TicketState, name: str, department: str, limit: Limit, at: float
    ) -> None:
        generation = state.generations.get(name, 0) + 1
        state.generations[name] = generation
        clock = self.math.start(
            name=name, generation=generation, department=department, limit=limit, at=at
        )
        if state.paused:
            self.math.pause(clock, at)
        state.clocks[name] = clock

    def _stop(
        self, state: TicketState, name: str, at: float, *, cancel: bool = False
    ) -> list[Effect]:
        clock = state.clocks.get(name)
        if clock is None or clock.ended is not None:
            return []
        was_breached = clock.breached
        outcome = self.math.stop(clock, at, cancel=cancel)
        if outcome == CANCELLED:
            return []
        if outcome == BREACHED and not was_breached:  # ran out before any alert saw it
            clock.breached = True
            state.breaches += 1
        # a breach already alerted was counted then; the duration is still observed
        return [
            Effect(
                kind="clock",
                department=clock.department,
                channel=state.channel,
                clock=name,
                outcome="" if was_breached else outcome,
                used=clock.used,
            )
        ]

    def _on_dispatched(self, state: TicketState, event: ev.TicketEvent, at: float) -> list[Effect]:
        assert event.to_department is not None
        self._assign(state, event.to_department, at)
        return []

    _on_reassigned = _on_dispatched

    def _on_signed(self, state: TicketState, event: ev.TicketEvent, at: float) -> list[Effect]:
        state.status = SIGNED
        return self._stop(state, "sign", at)

    def _on_contacted(self, state: TicketState, event: ev.TicketEvent, at: float) -> list[Effect]:
        state.status = CONTACTED
        return self._stop(state, "contact", at)

    def _on_replied(self, state: TicketState, event: ev.TicketEvent, at: float) -> list[Effect]:
        if state.paused:
            self._resume_all(state, at)
        effects = [*self._stop(state, "contact", at), *self._stop(state, "resolve", at)]
        state.status = REPLIED
        state.replied_by = state.department
        state.reply_type = event.type
        state.rating = ""
        state.extension_requested = None
        limits = self.policy.limits(
            request_type=state.request_type, urgency=state.urgency, department=state.department
        )
        self._start(state, "callback", state.department, limits["callback"], at)
        effects.append(Effect(kind="reply", department=state.department, channel=state.channel))
        return effects

    _on_resolved = _on_replied

    def _on_returned(self, state: TicketState, event: ev.TicketEvent, at: float) -> list[Effect]:
        effects = self._stop(state, "sign", at)
        if state.paused:
            self._resume_all(state, at)
        state.status = TRIAGE_STATUS
        state.department = TRIAGE
        state.extension_requested = None
        for clock in state.clocks.values():
            if clock.ended is None:
                clock.department = TRIAGE
        return effects

    def _on_extension_requested(
        self, state: TicketState, event: ev.TicketEvent, at: float
    ) -> list[Effect]:
        assert event.extension_until is not None
        state.extension_requested = event.extension_until.timestamp()
        return []

    def _on_extension_approved(
        self, state: TicketState, event: ev.TicketEvent, at: float
    ) -> list[Effect]:
        assert event.extension_until is not None
        state.extension_requested = None
        resolve = state.clocks.get("resolve")
        if resolve is not None and resolve.ended is None:
            self.math.extend(resolve, event.extension_until.timestamp(), at)
        return []

    def _on_extension_refused(
        self, state: TicketState, event: ev.TicketEvent, at: float
    ) -> list[Effect]:
        state.extension_requested = None
        return []

    def _on_paused(self, state: TicketState, event: ev.TicketEvent, at: float) -> list[Effect]:
        state.paused = True
        for clock in state.clocks.values():
            if clock.ended is None:
                self.math.pause(clock, at)
        return []

    def _resume_all(self, state: TicketState, at: float) -> None:
        state.paused = False
        for clock in state.clocks.values():
            if clock.ended is None:
                self.math.resume(clock, at)

    def _on_resumed(self, state: TicketState, event: ev.TicketEvent, at: float) -> list[Effect]:
        self._resume_all(state, at)
        return []

    def _on_callback(self, state: TicketState, event: ev.TicketEvent, at: float) -> list[Effect]:
        assert event.rating is not None
        effects = self._stop(state, "callback", at)
        state.rating = event.rating
        if event.rating == "unreachable":
            resolved = "unknown"
        elif event.resolved is not None:
            resolved = "yes" if event.resolved else "no"
        else:  # the agent did not ask: a satisfied citizen counts as resolved
            resolved = "yes" if event.rating in SATISFIED else "no"
        effects.append(
            Effect(
                kind="callback",
                department=state.replied_by or state.department,
                channel=state.channel,
                rating=RATING_LABELS[event.rating],
                resolved=resolved,
            )
        )
        return effects

    def _on_reopened(self, state: TicketState, event: ev.TicketEvent, at: float) -> list[Effect]:
        self._stop(state, "callback", at, cancel=True)
        department = state.replied_by or state.department
        unsatisfied = state.rating == "不满意"
        state.status = SIGNED
        state.department = department
        state.reopened += 1
        state.rating = ""
        limits = self.policy.limits(
            request_type=state.request_type, urgency=state.urgency, department=department
        )
        self._start(state, "resolve", department, limits["resolve"], at)
        if unsatisfied:
            state.pending_escalations.append(f"reopen-{state.reopened}")
        return [Effect(kind="reopen", department=department, channel=state.channel)]

    def _on_merged(self, state: TicketState, event: ev.TicketEvent, at: float) -> list[Effect]:
        for name in list(state.clocks):
            self._stop(state, name, at, cancel=True)
        state.status = MERGED
        state.duplicate_of = event.duplicate_of or ""
        return []

    def _on_urged(self, state: TicketState, event: ev.TicketEvent, at: float) -> list[Effect]:
        state.urged += 1
        return []

    def _on_escalated(self, state: TicketState, event: ev.TicketEvent, at: float) -> list[Effect]:
        state.escalated += 1
        return []

    def _on_closed(self, state: TicketState, event: ev.TicketEvent, at: float) -> list[Effect]:
        for name in list(state.clocks):
            self._stop(state, name, at, cancel=True)
        state.status = CLOSED
        state.paused = False
        return []

    # ------------------------------------------------------------------ alerts

    def _plan(self, state: TicketState) -> None:
        """Recompute the earliest instant an alert may fall due."""
        if state.pending_escalations:
            state.next_due = 0.0
            return
        due: float | None = None
        for clock in state.clocks.values():
            if clock.since is None:
                continue
            if not clock.warned and clock.warn_at is not None:
                at = clock.warn_at
            elif not clock.breached and clock.deadline is not None:
                at = clock.deadline
            else:
                continue
            if due is None or at < due:
                due = at
        state.next_due = due

    def due_alerts(self, state: TicketState, now: float) -> list[SlaAlert]:
        """The alerts due for ``state`` at ``now`` that were not raised yet (state unchanged)."""
        if state.next_due is None or state.next_due > now:
            return []
        alerts: list[SlaAlert] = []
        stamp = datetime.fromtimestamp(now, self.calendar.tz).isoformat()
        new_breaches = 0
        for clock in state.clocks.values():
            if clock.since is None:
                continue
            assert clock.deadline is not None and clock.warn_at is not None
            share = f"{self.policy.warn_fraction:.0%}"
            if not clock.warned and now >= clock.warn_at:
                alerts.append(self._alert(state, clock, WARNING, clock.warn_at, stamp, share))
            if not clock.breached and now >= clock.deadline:
                alerts.append(self._alert(state, clock, BREACH, clock.deadline, stamp, "100%"))
                new_breaches += 1
        triggers = list(state.pending_escalations)
        breaches = state.breaches + new_breaches
        if breaches >= self.policy.escalate_after_breaches and "breaches" not in state.escalations:
            triggers.append("breaches")
        for trigger in triggers:
            alerts.append(self._escalation(state, trigger, stamp, breaches))
        return alerts

    def _alert(
        self, state: TicketState, clock: Clock, level: str, due: float, stamp: str, share: str
    ) -> SlaAlert:
        tz = self.calendar.tz
        assert clock.deadline is not None
        return SlaAlert(
            ticket_id=state.ticket_id,
            level=level,
            clock=clock.name,
            generation=clock.generation,
            department=clock.department,
            channel=state.channel,
            due_at=datetime.fromtimestamp(due, tz).isoformat(),
            deadline=datetime.fromtimestamp(clock.deadline, tz).isoformat(),
            at=stamp,
            reason=f"{clock.name} clock at {share} of its limit",
        )

    def _escalation(self, state: TicketState, trigger: str, stamp: str, breaches: int) -> SlaAlert:
        kind, _, number = trigger.partition("-")
        reason = (
            f"{breaches} clocks breached"
            if kind == "breaches"
            else "reopened after an unsatisfied callback"
        )
        return SlaAlert(
            ticket_id=state.ticket_id,
            level=ESCALATION,
            clock=kind,
            generation=int(number or 1),
            department=state.department,
            channel=state.channel,
            due_at=stamp,
            deadline="",
            at=stamp,
            reason=reason,
        )

    def mark(self, state: TicketState, alerts: list[SlaAlert]) -> list[Effect]:
        """Record that ``alerts`` were sent (idempotent); returns the breach outcomes and
        warnings the metrics count, once each."""
        effects: list[Effect] = []
        for alert in alerts:
            if alert.level == ESCALATION:
                trigger = "breaches" if alert.clock == "breaches" else f"reopen-{alert.generation}"
                if trigger in state.pending_escalations:
                    state.pending_escalations.remove(trigger)
                if trigger not in state.escalations:
                    state.escalations.append(trigger)
                continue
            clock = state.clocks.get(alert.clock)
            if clock is None or clock.generation != alert.generation:
                continue
            if alert.level == WARNING and not clock.warned:
                clock.warned = True
                effects.append(self._outcome(state, clock, "warned"))
            elif alert.level == BREACH and not clock.breached:
                clock.breached = True
                state.breaches += 1
                effects.append(self._outcome(state, clock, BREACHED))
        self._plan(state)
        return effects

    @staticmethod
    def _outcome(state: TicketState, clock: Clock, outcome: str) -> Effect:
        return Effect(
            kind="clock",
            department=clock.department,
            channel=state.channel,
            clock=clock.name,
            outcome=outcome,
        )
