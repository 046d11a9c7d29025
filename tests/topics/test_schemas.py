"""The Ticket record: round trip through JSON and its checks."""

from __future__ import annotations

import json

import pytest

from router.exceptions import BadInputError
from topics.schemas import Contact, Routing, Ticket


def test_ticket_records_round_trip_and_reject_unknown_vocabulary():
    ticket = Ticket(
        ticket_id="web-1",
        channel="web",
        source_id="1",
        received_at="2026-11-20T10:00:00+08:00",
        text="路灯不亮",
        contact=Contact(phones=["13800000000"]),
        routing=Routing(
            department="MUNICIPAL_ENGINEERING",
            queue="hotline:queue:MUNICIPAL_ENGINEERING",
            confidence=0.9,
            method="model",
            model_version="v",
            top=[("MUNICIPAL_ENGINEERING", 0.9)],
        ),
    )
    assert Ticket.from_json(ticket.to_json()) == ticket
    assert "13800000000" not in repr(ticket.contact)
    for field, value in (("urgency", "panic"), ("schema_version", 2)):
        data = json.loads(ticket.to_json())
        data[field] = value
        with pytest.raises(BadInputError):
            Ticket.from_dict(data)
    data = json.loads(ticket.to_json())
    data["routing"]["method"] = "guess"
    with pytest.raises(BadInputError, match="routing method"):
        Ticket.from_dict(data)
