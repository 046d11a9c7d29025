"""Routing decisions: urgent-keyword rules first, then the model against the department's
threshold, else the triage queue with the model's top suggestions.

``method`` says who chose the department: ``rule`` when an urgent rule fixed it, ``model``
otherwise. A rule that only marks a ticket urgent is still recorded in ``routing.rule``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from classifiers.model import DepartmentModel, Prediction, model_input
from router.departments import TRIAGE, TRIAGE_QUEUE, Catalogue
from router.rules import match_rule
from topics.schemas import Routing, Ticket, now_iso

#: Why a ticket went to triage (the ``reason`` label of the triage metric).
TRIAGE_LOW_CONFIDENCE = "low_confidence"
TRIAGE_UNKNOWN_DEPARTMENT = "unknown_department"


def decide(
    ticket: Ticket,
    prediction: Prediction,
    *,
    catalogue: Catalogue,
    model_version: str,
    thresholds: dict[str, float] | None = None,
) -> Ticket:
    """The ticket with its routing decision and urgency set.

    ``thresholds`` are the model's own per-department thresholds (chosen at training time for
    a target precision); a department without one uses the catalogue's.
    """
    text = model_input(ticket.title, ticket.text)
    rule = match_rule(text)
    urgency = "urgent" if rule is not None else ticket.urgency
    common = {
        "model_version": model_version,
        "top": prediction.top,
        "rule": rule.name if rule is not None else None,
        "routed_at": now_iso(),
    }
    if rule is not None and rule.department is not None:
        department = catalogue[rule.department]
        routing = Routing(
            department=department.code,
            queue=department.queue,
            confidence=1.0,
            method="rule",
            **common,
        )
    elif prediction.department in catalogue and prediction.confidence >= (
        (thresholds or {}).get(prediction.department, catalogue[prediction.department].threshold)
    ):
        department = catalogue[prediction.department]
        routing = Routing(
            department=department.code,
            queue=department.queue,
            confidence=prediction.confidence,
            method="model",
            **common,
        )
    else:
        routing = Routing(
            department=TRIAGE,
            queue=TRIAGE_QUEUE,
            confidence=prediction.confidence,
            method="model",
            **common,
        )
    return replace(ticket, urgency=urgency, routing=routing)


def triage_reason(ticket: Ticket, *, catalogue: Catalogue) -> str | None:
    """Why a routed ticket is in triage, or None if it went to a department."""
    assert ticket.routing is not None
    if ticket.routing.department != TRIAGE:
        return None
    best = ticket.routing.top[0][0] if ticket.routing.top else None
    return TRIAGE_LOW_CONFIDENCE if best in catalogue else TRIAGE_UNKNOWN_DEPARTMENT


def route_batch(
    tickets: Sequence[Ticket], *, model: DepartmentModel, catalogue: Catalogue
) -> list[Ticket]:
    """Classify a batch in one model call and decide each ticket's route (CPU-bound)."""
    predictions = model.predict([model_input(t.title, t.text) for t in tickets])
    thresholds = model.thresholds
    return [
        decide(
            ticket,
            prediction,
            catalogue=catalogue,
            model_version=model.version,
            thresholds=thresholds,
        )
        for ticket, prediction in zip(tickets, predictions, strict=True)
    ]
