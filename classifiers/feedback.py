"""Learning from corrections: labelled examples from the departments people chose by hand.

Given the routed tickets (``tickets.routed``) and their lifecycle events (``tickets.events``),
a ticket's label is the department a person finally gave it:

- the ``to_department`` of its last ``dispatched`` (kind ``manual_dispatch``) or
  ``reassigned`` (kind ``reassigned``) event;
- when the last of those events is a ``returned`` one, the department it suggests (kind
  ``suggested_only``: a handler's opinion nobody acted on yet); a return without a
  suggestion leaves the ticket without a label (``unlabelled_returns``);
- optionally (``include_confirmed``) a ticket that the model or a rule routed and that the
  same department replied to or resolved, never returned (kind ``confirmed``).

The examples are in the import format of :mod:`classifiers.importer`, texts masked again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from classifiers.importer import Example
from classifiers.pii import mask_name, split_pii
from router.departments import TRIAGE, Catalogue
from router.exceptions import BadInputError
from topics.events import DISPATCHED, REASSIGNED, REPLIED, RESOLVED, RETURNED, TicketEvent
from topics.schemas import TZ, Ticket

MANUAL_DISPATCH = "manual_dispatch"
REASSIGNED_KIND = "reassigned"
SUGGESTED_ONLY = "suggested_only"
CONFIRMED = "confirmed"
KINDS: tuple[str, ...] = (MANUAL_DISPATCH, REASSIGNED_KIND, SUGGESTED_ONLY, CONFIRMED)

_CORRECTIONS = (DISPATCHED, REASSIGNED, RETURNED)

T = TypeVar("T")


@dataclass(kw_only=True)
class FeedbackReport:
    """The examples found, by kind, and what was left out and why."""

    examples: list[Example] = field(default_factory=list)
    kinds: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    disagreed: int = 0  # corrections whose department differs from the engine's choice
    suggested_only: list[str] = field(default_factory=list)  # their ticket ids
    unlabelled_returns: int = 0  # tickets last returned without a suggested department
    events_without_ticket: int = 0  # events about tickets not in tickets.routed
    unknown_departments: dict[str, int] = field(default_factory=dict)  # code → tickets

    def summary(self) -> dict[str, Any]:
        """Everything but the examples, JSON-ready."""
        return {
            "examples": len(self.examples),
            "kinds": self.kinds,
            "disagreed": self.disagreed,
            "suggested_only": self.suggested_only,
            "unlabelled_returns": self.unlabelled_returns,
            "events_without_ticket": self.events_without_ticket,
            "unknown_departments": self.unknown_departments,
        }


def collect_feedback(
    tickets: Iterable[Ticket],
    events: Iterable[TicketEvent],
    *,
    catalogue: Catalogue,
    since: datetime | None = None,
    include_confirmed: bool = False,
) -> FeedbackReport:
    """Labelled examples of the tickets whose department a person corrected (and, with
    ``include_confirmed``, confirmed), received at or after ``since``; sorted by time."""
    routed = {ticket.ticket_id: ticket for ticket in tickets if ticket.routing is not None}
    report = FeedbackReport()
    by_ticket: dict[str, list[TicketEvent]] = {}
    seen: set[str] = set()
    for event in events:
        if event.event_id in seen:  # the same event re-sent
            continue
        seen.add(event.event_id)
        if event.ticket_id not in routed:
            report.events_without_ticket += 1
            continue
        by_ticket.setdefault(event.ticket_id, []).append(event)
    unknown: Counter[str] = Counter()
    for ticket_id, ticket_events in by_ticket.items():
        ticket = routed[ticket_id]
        if since is not None and received_at(ticket) < since:
            continue
        ticket_events.sort(key=lambda event: event.at)  # stable: ties keep topic order
        label = _label(ticket, ticket_events, include_confirmed=include_confirmed)
        if label is None:
            continue
        kind, department = label
        if department is None:
            report.unlabelled_returns += 1
            continue
        if department not in catalogue:
            unknown[department] += 1
            continue
        report.kinds[kind] += 1
        if kind == SUGGESTED_ONLY:
            report.suggested_only.append(ticket_id)
        if kind != CONFIRMED and department != _engine_choice(ticket):
            report.disagreed += 1
        report.examples.append(_example(ticket, department))
    report.unknown_departments = dict(unknown.most_common())
    report.examples.sort(key=lambda example: (example.time, example.id))
    return report


def _label(
    ticket: Ticket, events: list[TicketEvent], *, include_confirmed: bool
) -> tuple[str, str | None] | None:
    """(kind, department) of a ticket, department None for a return without suggestion;
    None when the events say nothing about the department."""
    last = next((event for event in reversed(events) if event.type in _CORRECTIONS), None)
    if last is not None:
        if last.type == DISPATCHED:
            return MANUAL_DISPATCH, last.to_department
        if last.type == REASSIGNED:
            return REASSIGNED_KIND, last.to_department
        return SUGGESTED_ONLY, last.suggested_department
    routing = ticket.routing
    assert routing is not None
    if (
        include_confirmed
        and routing.method in ("model", "rule")
        and routing.department != TRIAGE
        and any(
            event.type in (REPLIED, RESOLVED) and event.department == routing.department
            for event in events
        )
    ):
        return CONFIRMED, routing.department
    return None


def _engine_choice(ticket: Ticket) -> str | None:
    """The department the engine routed to, or for a triaged ticket the model's best guess."""
    routing = ticket.routing
    assert routing is not None
    if routing.department != TRIAGE:
        return routing.department
    return routing.top[0][0] if routing.top else None


def _mask(text: str, ticket: Ticket) -> str:
    """Defence in depth: the text was masked at intake; masking again changes nothing else."""
    return mask_name(split_pii(text).text, ticket.contact.name)


def _example(ticket: Ticket, department: str) -> Example:
    return Example(
        id=ticket.ticket_id,
        time=ticket.received_at,
        title=_mask(ticket.title, ticket),
        text=_mask(ticket.text, ticket),
        department=department,
        raw_label=department,
    )


def received_at(ticket: Ticket) -> datetime:
    """When the ticket was received, as an aware datetime (Asia/Shanghai if naive)."""
    return parse_time(ticket.received_at)


def parse_time(value: str) -> datetime:
    """An ISO 8601 date or date-time; a naive one is taken as Asia/Shanghai."""
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=TZ)


def decode_records(
    values: Iterable[bytes | None], parse: Callable[[bytes], T]
) -> tuple[list[T], int]:
    """The records ``parse`` accepts, and how many it rejected with BadInputError."""
    records: list[T] = []
    bad = 0
    for value in values:
        try:
            records.append(parse(value or b""))
        except BadInputError:
            bad += 1
    return records, bad
