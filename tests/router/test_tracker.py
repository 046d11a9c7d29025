"""The tracker over a plain dict as its table: redeliveries, dead letters, alerts, metrics."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from prometheus_client import CollectorRegistry

from router.departments import Catalogue
from router.lifecycle import Lifecycle
from router.metrics import Metrics
from router.settings import Settings
from router.stages import Record
from router.tracker import Tracker
from tests.conftest import routed_ticket
from topics import events as ev
from topics.alerts import SlaAlert
from topics.catalogue import DEADLETTER, ROUTED
from topics.schemas import TZ, DeadLetter

MON = datetime(2026, 11, 16, 10, 0, tzinfo=TZ)


@pytest.fixture
def tracker(catalogue: Catalogue) -> Tracker:
    lifecycle = Lifecycle.from_settings(Settings(), catalogue=catalogue)
    metrics = Metrics(registry=CollectorRegistry(), clock_buckets=lifecycle.policy.buckets())
    return Tracker(lifecycle=lifecycle, metrics=metrics, closed_retention_s=30 * 86400)


def routed_record(ticket_id: str, *, offset: int, partition: int = 0) -> Record:
    ticket = routed_ticket(ticket_id, "MUNICIPAL_ENGINEERING", MON, request_type="求助")
    return Record(
        topic=ROUTED,
        partition=partition,
        offset=offset,
        timestamp_ms=0,
        key=ticket_id.encode(),
        value=ticket.to_json(),
    )


def event_record(
    ticket_id: str, kind: str, at: datetime, *, offset: int, **fields: object
) -> Record:
    fields.setdefault("department", "MUNICIPAL_ENGINEERING")
    event = ev.TicketEvent(
        ticket_id=ticket_id, type=kind, at=at, actor="h7", role="handler", **fields
    )
    return Record(
        topic=ev.EVENTS,
        partition=0,
        offset=offset,
        timestamp_ms=0,
        key=ticket_id.encode(),
        value=event.to_json(),
    )


def sample(tracker: Tracker, name: str, **labels: str) -> float:
    return tracker.metrics.registry.get_sample_value(name, labels) or 0.0


def test_a_redelivered_or_repeated_event_is_applied_once(tracker: Tracker) -> None:
    table: dict = {}
    assert tracker.handle(table, routed_record("t1", offset=5)) == []
    signed = event_record("t1", ev.SIGNED, MON + timedelta(minutes=5), offset=10)
    assert tracker.handle(table, signed) == []
    # the same record after a restart, and the same action sent again at a later offset
    assert tracker.handle(table, signed) == []
    again = event_record("t1", ev.SIGNED, MON + timedelta(minutes=5), offset=11)
    assert tracker.handle(table, again) == []
    assert table[b"t1"]["status"] == "signed"
    labels = {"department": "MUNICIPAL_ENGINEERING", "channel": "phone", "clock": "sign"}
    assert sample(tracker, "hotline_sla_outcomes_total", **labels, outcome="met") == 1
    assert sample(tracker, "hotline_lifecycle_events_total", type="signed") == 1
    # routed again (a re-route or redelivery): the first routing holds
    assert tracker.handle(table, routed_record("t1", offset=6)) == []
    assert table[b"t1"]["status"] == "signed"


def test_events_that_cannot_apply_become_dead_letters_with_their_reason(tracker: Tracker) -> None:
    table: dict = {}
    unknown = event_record("nobody", ev.SIGNED, MON, offset=1)
    ((topic, key, value),) = tracker.handle(table, unknown)
    letter = DeadLetter.from_json(value)
    assert (topic, key, letter.reason, letter.stage) == (
        DEADLETTER,
        b"nobody",
        "unknown_ticket",
        "track",
    )
    assert letter.value == unknown.value  # the original bytes are kept
    tracker.handle(table, routed_record("t2", offset=1))
    before = json.dumps(table[b"t2"], sort_keys=True)
    reply = event_record("t2", ev.REPLIED, MON, offset=2, reply="已修复")
    ((_, _, value),) = tracker.handle(table, reply)
    assert DeadLetter.from_json(value).reason == "illegal_transition"
    after = dict(table[b"t2"], offsets=json.loads(before)["offsets"])
    assert json.dumps(after, sort_keys=True) == before  # nothing but the offset moved
    not_json = Record(topic=ev.EVENTS, partition=0, offset=3, timestamp_ms=0, key=b"t2", value=b"{")
    ((_, _, value),) = tracker.handle(table, not_json)
    assert DeadLetter.from_json(value).reason == "not_json"
    assert sample(tracker, "hotline_tickets_deadlettered_total", reason="unknown_ticket") == 1


def test_due_alerts_are_found_for_own_partitions_and_marked_once(tracker: Tracker) -> None:
    table: dict = {}
    tracker.handle(table, routed_record("mine", offset=1, partition=0))
    tracker.handle(table, routed_record("theirs", offset=1, partition=1))
    wednesday = datetime(2026, 11, 18, 10, 0, tzinfo=TZ).timestamp()
    found = tracker.scan(table, now=wednesday, partitions={0}).due
    assert [d.key for d in found] == [b"mine"]
    levels = sorted((a.level, a.clock) for a in found[0].alerts)
    assert ("breach", "sign") in levels and ("breach", "contact") in levels
    assert ("escalation", "breaches") in levels
    records = tracker.alert_records(found[0].alerts)
    assert {SlaAlert.from_json(v).alert_id for _, _, v in records} == {
        a.alert_id for a in found[0].alerts
    }
    gauges = {"department": "MUNICIPAL_ENGINEERING"}
    assert sample(tracker, "hotline_tickets_open", **gauges) == 1
    assert sample(tracker, "hotline_tickets_overdue", **gauges) == 0  # not marked yet
    tracker.mark(table, b"mine", found[0].alerts)
    assert tracker.scan(table, now=wednesday, partitions={0}).due == []
    assert sample(tracker, "hotline_tickets_overdue", **gauges) == 1
    assert (
        sample(
            tracker,
            "hotline_sla_alerts_total",
            department="MUNICIPAL_ENGINEERING",
            level="breach",
            clock="sign",
        )
        == 1
    )
    labels = {"department": "MUNICIPAL_ENGINEERING", "channel": "phone", "clock": "sign"}
    assert sample(tracker, "hotline_sla_outcomes_total", **labels, outcome="breached") == 1
    # signing late now adds the duration but no second breach
    tracker.handle(
        table, event_record("mine", ev.SIGNED, datetime.fromtimestamp(wednesday, TZ), offset=2)
    )
    assert sample(tracker, "hotline_sla_outcomes_total", **labels, outcome="breached") == 1
    assert (
        sample(tracker, "hotline_time_to_sign_seconds_count", department="MUNICIPAL_ENGINEERING")
        == 1
    )


def test_the_gauges_drop_to_zero_when_tickets_close(tracker: Tracker) -> None:
    table: dict = {}
    tracker.handle(table, routed_record("t3", offset=1))
    tracker.scan(table, now=MON.timestamp(), partitions={0})
    gauges = {"department": "MUNICIPAL_ENGINEERING"}
    assert sample(tracker, "hotline_tickets_open", **gauges) == 1
    closed = ev.TicketEvent(
        ticket_id="t3", type=ev.CLOSED, at=MON, actor="s1", role="supervisor", reason="撤销"
    )
    tracker.handle(
        table,
        Record(
            topic=ev.EVENTS,
            partition=0,
            offset=2,
            timestamp_ms=0,
            key=b"t3",
            value=closed.to_json(),
        ),
    )
    assert tracker.scan(table, now=MON.timestamp(), partitions={0}).expired == []
    assert sample(tracker, "hotline_tickets_open", **gauges) == 0
    assert sample(tracker, "hotline_tracker_tickets") == 1
    # a closed ticket is forgotten after the retention (30 days here)
    later = (MON + timedelta(days=31)).timestamp()
    assert tracker.scan(table, now=later, partitions={0}).expired == [b"t3"]


def test_a_dispatch_to_a_department_the_catalogue_does_not_know_is_a_dead_letter(
    tracker: Tracker,
) -> None:
    table: dict = {}
    tracker.handle(table, routed_record("t4", offset=1))
    before = json.dumps(table[b"t4"], sort_keys=True)
    event = ev.TicketEvent(
        ticket_id="t4",
        type=ev.REASSIGNED,
        at=MON,
        actor="d1",
        role="dispatcher",
        to_department="NO_SUCH_DEPARTMENT",
    )
    record = Record(
        topic=ev.EVENTS, partition=0, offset=2, timestamp_ms=0, key=b"t4", value=event.to_json()
    )
    ((_, _, value),) = tracker.handle(table, record)
    assert DeadLetter.from_json(value).reason == "invalid_field"
    after = dict(table[b"t4"], offsets=json.loads(before)["offsets"])
    assert json.dumps(after, sort_keys=True) == before
