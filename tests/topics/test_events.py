"""The TicketEvent record: round trip through JSON, checks per type, masked free text."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from router.exceptions import BadInputError
from topics.catalogue import TOPICS
from topics.events import (
    CALLBACK,
    DISPATCHED,
    EVENT_FIELDS,
    EVENT_TYPES,
    EVENTS,
    EXTENSION_APPROVED,
    MERGED,
    REPLIED,
    RETURNED,
    TicketEvent,
)
from topics.schemas import TZ

AT = datetime(2026, 11, 20, 10, 30, tzinfo=TZ)


def event(**overrides) -> TicketEvent:
    values = {
        "ticket_id": "web-1",
        "type": DISPATCHED,
        "at": AT,
        "actor": "u1024",
        "role": "dispatcher",
        "department": "TRIAGE",
        "to_department": "GAS_SUPPLY",
    }
    return TicketEvent(**(values | overrides))


def test_events_round_trip_with_times_as_iso_strings_in_shanghai():
    sent = event(
        type=EXTENSION_APPROVED,
        role="supervisor",
        department="GAS_SUPPLY",
        to_department=None,
        at=datetime(2026, 11, 20, 2, 30, tzinfo=UTC),
        extension_until=AT + timedelta(days=5),
        note="需协调管网改造",
    )
    assert sent.at == AT and sent.at.tzinfo is TZ
    wire = json.loads(sent.to_json())
    assert wire["at"] == "2026-11-20T10:30:00+08:00"
    assert wire["extension_until"] == "2026-11-25T10:30:00+08:00"
    assert wire["schema_version"] == 1
    assert TicketEvent.from_json(sent.to_json()) == sent
    assert EVENTS in TOPICS and TOPICS[EVENTS].key == "ticket_id"


def test_event_id_is_stable_for_the_same_action_and_differs_for_another():
    assert event().event_id == event().event_id
    assert event().event_id.startswith("ev-")
    assert event(at=AT + timedelta(seconds=1)).event_id != event().event_id
    assert event(event_id="console-42").event_id == "console-42"
    assert TicketEvent.from_json(event().to_json()).event_id == event().event_id


@pytest.mark.parametrize(
    ("overrides", "reason", "message"),
    [
        ({"to_department": None}, "missing_field", "needs to_department"),
        ({"to_department": "TRIAGE"}, "invalid_field", "not TRIAGE"),
        ({"to_department": "燃气集团"}, "invalid_field", "not a department code"),
        (
            {"type": RETURNED, "department": None, "to_department": None},
            "missing_field",
            "needs department",
        ),
        (
            {"type": RETURNED, "department": "GAS_SUPPLY", "to_department": None},
            "missing_field",
            "needs reason",
        ),
        (
            {"type": RETURNED, "department": "GAS_SUPPLY", "reason": "非本单位职责"},
            "invalid_field",
            "has no to_department",
        ),
        ({"type": CALLBACK, "to_department": None}, "missing_field", "needs rating"),
        (
            {"type": CALLBACK, "to_department": None, "rating": "还行"},
            "invalid_field",
            "rating",
        ),
        ({"type": MERGED, "to_department": None}, "missing_field", "needs duplicate_of"),
        (
            {"type": MERGED, "to_department": None, "duplicate_of": "web-1"},
            "invalid_field",
            "duplicate of itself",
        ),
        (
            {"type": REPLIED, "department": "GAS_SUPPLY", "to_department": None, "reply": ""},
            "missing_field",
            "needs reply",
        ),
        ({"type": "teleported"}, "invalid_field", "event type"),
        ({"role": "citizen's cousin"}, "invalid_field", "role"),
        ({"actor": "13812345678"}, "invalid_field", "actor"),
        ({"actor": ""}, "missing_field", "actor"),
        ({"at": datetime(2026, 11, 20, 10, 30)}, "invalid_field", "time zone"),
    ],
)
def test_each_type_needs_its_fields(overrides, reason, message):
    with pytest.raises(BadInputError, match=message) as caught:
        event(**overrides)
    assert caught.value.reason == reason


def test_every_type_builds_with_its_required_fields():
    required = {
        "to_department": "GAS_SUPPLY",
        "department": "GAS_SUPPLY",
        "reply": "已处理",
        "reason": "原因",
        "rating": "满意",
        "extension_until": AT + timedelta(days=3),
        "duplicate_of": "web-2",
    }
    for kind in EVENT_TYPES:
        needs, _ = EVENT_FIELDS[kind]
        built = TicketEvent(
            ticket_id="web-1",
            type=kind,
            at=AT,
            actor="u1",
            role="system",
            **{name: required[name] for name in needs},
        )
        assert TicketEvent.from_json(built.to_json()) == built


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda d: d.pop("schema_version"), "missing_schema_version"),
        (lambda d: d.update(schema_version=2), "bad_schema_version"),
        (lambda d: d.pop("ticket_id"), "missing_field"),
        (lambda d: d.update(at="yesterday"), "invalid_field"),
        (lambda d: d.update(at="2026-11-20T10:30:00"), "invalid_field"),
        (lambda d: d.update(at=1790000000), "invalid_field"),
        (lambda d: d.update(to_department=7), "invalid_field"),
    ],
)
def test_malformed_records_are_refused_with_a_reason(mutate, reason):
    data = json.loads(event().to_json())
    mutate(data)
    with pytest.raises(BadInputError) as caught:
        TicketEvent.from_dict(data)
    assert caught.value.reason == reason


def test_bytes_that_are_not_a_json_object_are_refused():
    for raw, reason in ((b"[1, 2]", "not_json"), (b"\xff{", "undecodable")):
        with pytest.raises(BadInputError) as caught:
            TicketEvent.from_json(raw)
        assert caught.value.reason == reason


def test_unknown_fields_of_a_newer_writer_are_ignored():
    data = json.loads(event().to_json()) | {"console_session": "abc"}
    assert TicketEvent.from_dict(data) == event()


def test_personal_numbers_in_free_text_never_reach_the_wire():
    replied = event(
        type=REPLIED,
        role="handler",
        department="GAS_SUPPLY",
        to_department=None,
        reply="已联系市民13812345678（身份证460100199001011234）上门处理，电话１３９１２３４５６７８",
        note="座机0898-66661234",
    )
    wire = replied.to_json().decode()
    for number in ("13812345678", "460100199001011234", "13912345678", "66661234"):
        assert number not in wire
    assert "138****5678" in wire and "139****5678" in wire
    assert replied.reply.startswith("已联系市民138****5678")
    assert TicketEvent.from_json(replied.to_json()) == replied  # masking is idempotent
    returned = event(
        type=RETURNED,
        role="handler",
        department="GAS_SUPPLY",
        to_department=None,
        reason="非本单位职责，请联系13812345678",
    )
    assert "13812345678" not in returned.to_json().decode()
