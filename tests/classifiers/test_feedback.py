"""Learning from corrections: which tickets become examples, with which label."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from classifiers.feedback import collect_feedback, decode_records, parse_time
from classifiers.importer import EXAMPLE_COLUMNS, import_export, write_examples
from topics.events import (
    DISPATCHED,
    REASSIGNED,
    REPLIED,
    RESOLVED,
    RETURNED,
    SIGNED,
    TicketEvent,
)
from topics.schemas import TZ, Contact, Routing, Ticket

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=TZ)


def ticket(ticket_id: str, department: str, *, method: str = "model", **overrides) -> Ticket:
    """A routed ticket; ``department`` TRIAGE means the model was unsure (top: GAS, WATER)."""
    values = {
        "ticket_id": ticket_id,
        "channel": "web",
        "source_id": ticket_id,
        "received_at": T0.isoformat(),
        "title": "反映问题",
        "text": f"{ticket_id} 小区楼道有异味，联系电话138****5678",
        "routing": Routing(
            department=department,
            queue=f"hotline:queue:{department}",
            confidence=0.4 if department == "TRIAGE" else 0.9,
            method=method,
            model_version="test",
            top=[("GAS_SUPPLY", 0.4), ("WATER_SUPPLY", 0.3)],
        ),
    }
    return Ticket(**(values | overrides))


def ev(ticket_id: str, type: str, minute: int, **fields) -> TicketEvent:
    role = "dispatcher" if type in (DISPATCHED, REASSIGNED) else "handler"
    return TicketEvent(
        ticket_id=ticket_id,
        type=type,
        at=T0 + timedelta(minutes=minute),
        actor=f"u-{type}",
        role=role,
        **fields,
    )


def returned(ticket_id: str, minute: int, suggested: str | None = None) -> TicketEvent:
    return ev(
        ticket_id,
        RETURNED,
        minute,
        department="GAS_SUPPLY",
        reason="非本单位职责",
        suggested_department=suggested,
    )


TICKETS = [
    ticket("t-dispatch-other", "TRIAGE"),
    ticket("t-dispatch-top1", "TRIAGE"),
    ticket("t-reassigned", "GAS_SUPPLY"),
    ticket("t-suggested", "GAS_SUPPLY"),
    ticket("t-returned-bare", "GAS_SUPPLY"),
    ticket("t-confirmed", "GAS_SUPPLY"),
    ticket("t-replied-elsewhere", "GAS_SUPPLY", method="rule"),
    ticket("t-twice", "TRIAGE"),
    ticket("t-unknown-dept", "TRIAGE"),
    ticket("t-untouched", "GAS_SUPPLY"),
]
EVENTS = [
    ev("t-dispatch-other", DISPATCHED, 1, department="TRIAGE", to_department="HEATING_SUPPLY"),
    ev("t-dispatch-top1", DISPATCHED, 1, department="TRIAGE", to_department="GAS_SUPPLY"),
    returned("t-reassigned", 5, suggested="WATER_SUPPLY"),
    ev("t-reassigned", REASSIGNED, 9, to_department="POWER_SUPPLY"),
    returned("t-suggested", 5, suggested="WATER_SUPPLY"),
    ev("t-suggested", SIGNED, 2, department="GAS_SUPPLY"),
    returned("t-returned-bare", 5),
    ev("t-confirmed", SIGNED, 2, department="GAS_SUPPLY"),
    ev("t-confirmed", REPLIED, 30, department="GAS_SUPPLY", reply="已维修"),
    ev("t-replied-elsewhere", REPLIED, 30, department="WATER_SUPPLY", reply="已处理"),
    # topic order is not time order: the later reassignment wins
    ev("t-twice", REASSIGNED, 20, to_department="WATER_SUPPLY"),
    ev("t-twice", DISPATCHED, 1, department="TRIAGE", to_department="HEATING_SUPPLY"),
    ev("t-unknown-dept", DISPATCHED, 1, department="TRIAGE", to_department="MOON_BASE"),
    ev("t-not-routed", DISPATCHED, 1, department="TRIAGE", to_department="GAS_SUPPLY"),
]


def labels(report) -> dict[str, str]:
    return {example.id: example.department for example in report.examples}


def test_the_last_dispatch_or_reassignment_gives_the_label(catalogue):
    report = collect_feedback(TICKETS, EVENTS, catalogue=catalogue)
    assert labels(report) == {
        "t-dispatch-other": "HEATING_SUPPLY",
        "t-dispatch-top1": "GAS_SUPPLY",
        "t-reassigned": "POWER_SUPPLY",
        "t-suggested": "WATER_SUPPLY",
        "t-twice": "WATER_SUPPLY",
    }
    assert report.kinds == {
        "manual_dispatch": 2,
        "reassigned": 2,
        "suggested_only": 1,
        "confirmed": 0,
    }
    assert report.suggested_only == ["t-suggested"]
    # all but the dispatch to the model's own first choice
    assert report.disagreed == 4
    assert report.unlabelled_returns == 1
    assert report.events_without_ticket == 1
    assert report.unknown_departments == {"MOON_BASE": 1}


def test_confirmed_tickets_only_when_asked_and_only_by_the_routed_department(catalogue):
    report = collect_feedback(TICKETS, EVENTS, catalogue=catalogue, include_confirmed=True)
    assert labels(report)["t-confirmed"] == "GAS_SUPPLY"
    assert "t-replied-elsewhere" not in labels(report)
    assert "t-untouched" not in labels(report)
    assert report.kinds["confirmed"] == 1
    assert report.disagreed == 4  # confirmations are not corrections
    resolved_rule = ticket("t-rule", "GAS_SUPPLY", method="rule")
    triaged = ticket("t-triaged", "TRIAGE")
    events = [
        ev("t-rule", RESOLVED, 5, department="GAS_SUPPLY"),
        ev("t-triaged", RESOLVED, 5, department="TRIAGE"),
    ]
    report = collect_feedback([resolved_rule, triaged], events, catalogue=catalogue)
    assert report.examples == []
    report = collect_feedback(
        [resolved_rule, triaged], events, catalogue=catalogue, include_confirmed=True
    )
    assert labels(report) == {"t-rule": "GAS_SUPPLY"}


def test_examples_are_masked_again_and_in_the_import_format(tmp_path, catalogue):
    leaky = ticket(
        "t-leaky",
        "TRIAGE",
        title="王建国反映13812345678",
        text="我是王建国，电话13812345678，身份证460100199001011234，燃气表漏气",
        contact=Contact(name="王建国", phones=["13812345678"]),
    )
    event = ev("t-leaky", DISPATCHED, 1, department="TRIAGE", to_department="GAS_SUPPLY")
    report = collect_feedback([leaky], [event], catalogue=catalogue)
    (example,) = report.examples
    assert example.id == "t-leaky" and example.time == T0.isoformat()
    for secret in ("13812345678", "460100199001011234", "王建国"):
        assert secret not in example.text and secret not in example.title
    assert "138****5678" in example.text and "王**" in example.text

    path = tmp_path / "feedback.csv"
    assert write_examples(path, report.examples) == 1
    back = import_export([path], columns=EXAMPLE_COLUMNS, catalogue=catalogue)
    assert [(e.id, e.department, e.time) for e in back.examples] == [
        ("t-leaky", "GAS_SUPPLY", T0.isoformat())
    ]
    assert back.examples[0].text == example.text


def test_since_keeps_tickets_received_from_then_on(catalogue):
    old = ticket("t-old", "TRIAGE", received_at=(T0 - timedelta(days=40)).isoformat())
    new = ticket("t-new", "TRIAGE")
    events = [
        ev(tid, DISPATCHED, 1, department="TRIAGE", to_department="GAS_SUPPLY")
        for tid in ("t-old", "t-new")
    ]
    for since, expected in (
        (None, {"t-old", "t-new"}),
        (parse_time("2026-11-01"), {"t-new"}),
        (parse_time("2026-11-20T09:00:00+08:00"), {"t-new"}),
        (parse_time("2026-11-20T09:00:01"), set()),
    ):
        report = collect_feedback([old, new], events, catalogue=catalogue, since=since)
        assert set(labels(report)) == expected, since
    assert parse_time("2026-11-01").tzinfo is TZ


def test_a_resent_event_counts_once_and_the_latest_routed_record_wins(catalogue):
    dispatched = ev("t-1", DISPATCHED, 1, department="TRIAGE", to_department="GAS_SUPPLY")
    stray = ev("t-gone", DISPATCHED, 1, department="TRIAGE", to_department="GAS_SUPPLY")
    first = ticket("t-1", "TRIAGE", text="旧文本")
    latest = ticket("t-1", "TRIAGE", text="新文本")
    report = collect_feedback(
        [first, latest], [dispatched, dispatched, stray, stray], catalogue=catalogue
    )
    assert [e.text for e in report.examples] == ["新文本"]
    assert report.kinds["manual_dispatch"] == 1
    assert report.events_without_ticket == 1


def test_decode_records_counts_what_it_cannot_read():
    good = ev("t-1", DISPATCHED, 1, department="TRIAGE", to_department="GAS_SUPPLY")
    events, bad = decode_records(
        [good.to_json(), b"not json", None, b'{"schema_version": 1}'], TicketEvent.from_json
    )
    assert events == [good] and bad == 3


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01"])
def test_parse_time_refuses_what_is_not_iso(value):
    with pytest.raises(ValueError):
        parse_time(value)
