"""The lifecycle rules: statuses, legal and illegal events, clocks and the alerts they raise.

Times are in Asia/Shanghai with the default office hours 09:00-12:00 and 13:30-17:30 (7 h a
working day). 2026-11-16 is a Monday.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from router.departments import TRIAGE, Catalogue
from router.exceptions import BadInputError
from router.lifecycle import Lifecycle, TicketState
from router.settings import Settings
from tests.conftest import routed_ticket
from topics import events as ev
from topics.alerts import BREACH, ESCALATION, WARNING
from topics.schemas import TZ, Ticket

MON = datetime(2026, 11, 16, 10, 0, tzinfo=TZ)


@pytest.fixture(scope="module")
def lifecycle(catalogue: Catalogue) -> Lifecycle:
    return Lifecycle.from_settings(Settings(), catalogue=catalogue)


def routed(
    department: str = "URBAN_MANAGEMENT",
    *,
    at: datetime = MON,
    urgency: str = "normal",
) -> Ticket:
    return routed_ticket("web-1", department, at, channel="web", urgency=urgency)


def event(kind: str, at: datetime, **fields: object) -> ev.TicketEvent:
    role = fields.pop("role", None)
    if role is None:
        role = {
            ev.DISPATCHED: "dispatcher",
            ev.REASSIGNED: "dispatcher",
            ev.EXTENSION_APPROVED: "supervisor",
            ev.EXTENSION_REFUSED: "supervisor",
            ev.CALLBACK: "callback",
            ev.REOPENED: "callback",
            ev.MERGED: "dispatcher",
            ev.URGED: "supervisor",
            ev.ESCALATED: "supervisor",
            ev.CLOSED: "supervisor",
        }.get(kind, "handler")
    if role == "handler":
        fields.setdefault("department", "URBAN_MANAGEMENT")
    return ev.TicketEvent(ticket_id="web-1", type=kind, at=at, actor="u1", role=role, **fields)


def deadline(state: TicketState, clock: str) -> datetime:
    value = state.clocks[clock].deadline
    assert value is not None
    return datetime.fromtimestamp(value, TZ)


def test_a_routed_complaint_starts_sign_contact_and_resolve(lifecycle: Lifecycle) -> None:
    state = lifecycle.open(routed(), partition=0)
    assert state.status == "assigned" and state.department == "URBAN_MANAGEMENT"
    # 2 working hours from Monday 10:00: 10:00-12:00
    assert deadline(state, "sign") == datetime(2026, 11, 16, 12, 0, tzinfo=TZ)
    # 1 working day (7 office hours): Mon 10:00-12:00 (2 h) + 13:30-17:30 (4 h) + Tue 9-10
    assert deadline(state, "contact") == datetime(2026, 11, 17, 10, 0, tzinfo=TZ)
    # 15 working days: three weeks on, same hour (no holiday in between)
    assert deadline(state, "resolve") == datetime(2026, 12, 7, 10, 0, tzinfo=TZ)
    assert "callback" not in state.clocks


def test_an_urgent_ticket_runs_on_wall_clock_time(lifecycle: Lifecycle) -> None:
    saturday_night = datetime(2026, 11, 21, 23, 0, tzinfo=TZ)
    state = lifecycle.open(routed(at=saturday_night, urgency="urgent"), partition=0)
    assert deadline(state, "sign") == saturday_night + timedelta(minutes=30)
    assert deadline(state, "resolve") == saturday_night + timedelta(hours=24)


def test_a_triaged_ticket_has_no_clock_until_dispatched(lifecycle: Lifecycle) -> None:
    state = lifecycle.open(routed(TRIAGE), partition=1)
    assert state.status == "triage" and state.clocks == {} and state.next_due is None
    later = MON + timedelta(hours=1)
    lifecycle.apply(state, event(ev.DISPATCHED, later, to_department="URBAN_MANAGEMENT"))
    assert state.status == "assigned"
    assert deadline(state, "sign") == datetime(
        2026, 11, 16, 14, 30, tzinfo=TZ
    )  # 11-12, 13:30-14:30


def test_signing_in_time_is_met_and_late_is_breached(lifecycle: Lifecycle) -> None:
    state = lifecycle.open(routed(), partition=0)
    (effect,) = lifecycle.apply(state, event(ev.SIGNED, MON + timedelta(minutes=30)))
    assert (effect.clock, effect.outcome, effect.used) == ("sign", "met", 1800.0)
    late = lifecycle.open(routed(), partition=0)
    (effect,) = lifecycle.apply(late, event(ev.SIGNED, MON + timedelta(hours=5)))
    assert effect.outcome == "breached" and late.breaches == 1


@pytest.mark.parametrize(
    ("steps", "reason"),
    [
        ([(ev.SIGNED, {}), (ev.SIGNED, {})], "illegal_transition"),  # signing twice
        ([(ev.REPLIED, {"reply": "已处理"})], "illegal_transition"),  # reply before signing
        ([(ev.SIGNED, {"department": "TRAFFIC_POLICE"})], "wrong_department"),
        (
            [(ev.SIGNED, {}), (ev.CALLBACK, {"rating": "满意", "role": "handler"})],
            "illegal_transition",
        ),
        ([(ev.CLOSED, {}), (ev.REPLIED, {"reply": "已处理"})], "illegal_transition"),
        ([(ev.SIGNED, {"role": "callback", "department": "URBAN_MANAGEMENT"})], "role_not_allowed"),
        ([(ev.RESUMED, {})], "illegal_transition"),
        (
            [
                (ev.SIGNED, {}),
                (ev.EXTENSION_APPROVED, {"extension_until": MON + timedelta(days=30)}),
            ],
            "illegal_transition",
        ),
    ],
)
def test_illegal_events_are_refused_and_change_nothing(
    lifecycle: Lifecycle, steps: list[tuple[str, dict]], reason: str
) -> None:
    state = lifecycle.open(routed(), partition=0)
    at = MON
    *legal, (last_kind, last_fields) = steps
    for kind, fields in legal:
        at += timedelta(minutes=10)
        lifecycle.apply(state, event(kind, at, **fields))
    before = json.dumps(state.to_dict(), sort_keys=True)
    with pytest.raises(BadInputError) as caught:
        lifecycle.apply(state, event(last_kind, at + timedelta(minutes=10), **last_fields))
    assert caught.value.reason == reason
    assert json.dumps(state.to_dict(), sort_keys=True) == before


def test_a_return_restarts_the_sign_clock_for_the_next_department(lifecycle: Lifecycle) -> None:
    state = lifecycle.open(routed(), partition=0)
    resolve_deadline = deadline(state, "resolve")
    lifecycle.apply(state, event(ev.RETURNED, MON + timedelta(minutes=20), reason="不归我们管"))
    assert (state.status, state.department) == ("triage", TRIAGE)
    assert state.clocks["sign"].outcome == "met"
    assert state.clocks["resolve"].department == TRIAGE
    dispatch = MON + timedelta(minutes=40)
    lifecycle.apply(state, event(ev.DISPATCHED, dispatch, to_department="MARKET_REGULATION"))
    sign = state.clocks["sign"]
    assert sign.generation == 2 and sign.department == "MARKET_REGULATION"
    assert deadline(state, "sign") == datetime(2026, 11, 16, 14, 10, tzinfo=TZ)  # 10:40 + 2 wh
    # resolve keeps running from the first routing, now counted against the new holder
    assert deadline(state, "resolve") == resolve_deadline
    assert state.clocks["resolve"].department == "MARKET_REGULATION"


def test_a_pause_moves_every_deadline_by_the_office_time_paused(lifecycle: Lifecycle) -> None:
    state = lifecycle.open(routed(), partition=0)
    lifecycle.apply(state, event(ev.SIGNED, MON + timedelta(minutes=10)))
    before = deadline(state, "resolve")
    # paused Monday 11:00, resumed Tuesday 11:00: 7 office hours = one working day
    lifecycle.apply(state, event(ev.PAUSED, MON + timedelta(hours=1), reason="等待市民补充材料"))
    assert state.clocks["resolve"].deadline is None and state.next_due is None
    lifecycle.apply(state, event(ev.RESUMED, MON + timedelta(days=1, hours=1)))
    assert deadline(state, "resolve") == datetime(2026, 12, 8, 10, 0, tzinfo=TZ)
    assert deadline(state, "resolve") - before == timedelta(days=1)


def test_an_approved_extension_moves_the_resolve_deadline(lifecycle: Lifecycle) -> None:
    state = lifecycle.open(routed(), partition=0)
    lifecycle.apply(state, event(ev.SIGNED, MON + timedelta(minutes=10)))
    until = datetime(2026, 12, 14, 17, 30, tzinfo=TZ)
    lifecycle.apply(
        state,
        event(
            ev.EXTENSION_REQUESTED, MON + timedelta(days=2), extension_until=until, reason="需协调"
        ),
    )
    lifecycle.apply(
        state, event(ev.EXTENSION_APPROVED, MON + timedelta(days=3), extension_until=until)
    )
    assert deadline(state, "resolve") == until
    assert state.extension_requested is None


def test_warning_breach_and_escalation_are_raised_once(lifecycle: Lifecycle) -> None:
    state = lifecycle.open(routed(), partition=0)
    # sign: 2 working hours from 10:00; 80% = 11:36
    assert lifecycle.due_alerts(state, (MON + timedelta(minutes=95)).timestamp()) == []
    at_warning = (MON + timedelta(minutes=96)).timestamp()
    (alert,) = lifecycle.due_alerts(state, at_warning)
    assert (alert.level, alert.clock, alert.generation) == (WARNING, "sign", 1)
    assert alert.due_at == datetime(2026, 11, 16, 11, 36, tzinfo=TZ).isoformat()
    effects = lifecycle.mark(state, [alert])
    assert [(e.clock, e.outcome) for e in effects] == [("sign", "warned")]
    assert lifecycle.due_alerts(state, at_warning) == []
    assert lifecycle.mark(state, [alert]) == []  # marking again counts nothing
    # Tuesday 10:30: sign and contact both breached → two breaches escalate (督办)
    tuesday = datetime(2026, 11, 17, 10, 30, tzinfo=TZ).timestamp()
    alerts = lifecycle.due_alerts(state, tuesday)
    assert sorted((a.level, a.clock) for a in alerts) == [
        (BREACH, "contact"),
        (BREACH, "sign"),
        (ESCALATION, "breaches"),
        (WARNING, "contact"),
    ]
    lifecycle.mark(state, alerts)
    assert state.breaches == 2 and state.overdue(tuesday)
    assert lifecycle.due_alerts(state, tuesday) == []
    assert len({a.alert_id for a in alerts}) == 4


def test_an_unsatisfied_callback_and_reopen_start_a_new_resolve_clock(lifecycle: Lifecycle) -> None:
    state = lifecycle.open(routed(), partition=0)
    lifecycle.apply(state, event(ev.SIGNED, MON + timedelta(minutes=10)))
    lifecycle.apply(state, event(ev.CONTACTED, MON + timedelta(minutes=40)))
    effects = lifecycle.apply(state, event(ev.REPLIED, MON + timedelta(hours=3), reply="已清理"))
    assert [(e.kind, e.clock, e.outcome) for e in effects] == [
        ("clock", "resolve", "met"),
        ("reply", "", ""),
    ]
    assert state.status == "replied" and "callback" in state.clocks
    (effect, callback) = lifecycle.apply(
        state, event(ev.CALLBACK, MON + timedelta(hours=4), rating="不满意", resolved=False)
    )
    assert (effect.clock, effect.outcome) == ("callback", "met")
    assert (callback.rating, callback.resolved) == ("dissatisfied", "no")
    reopen_at = MON + timedelta(hours=5)  # Monday 15:00
    lifecycle.apply(state, event(ev.REOPENED, reopen_at, reason="问题仍未解决"))
    assert (state.status, state.department) == ("signed", "URBAN_MANAGEMENT")
    resolve = state.clocks["resolve"]
    assert resolve.generation == 2 and resolve.outcome is None
    assert deadline(state, "resolve") == datetime(2026, 12, 7, 15, 0, tzinfo=TZ)
    (alert,) = lifecycle.due_alerts(state, reopen_at.timestamp())
    assert (alert.level, alert.clock, alert.generation) == (ESCALATION, "reopen", 1)
    lifecycle.mark(state, [alert])
    assert lifecycle.due_alerts(state, reopen_at.timestamp()) == []


def test_merging_and_closing_stop_the_clocks_without_a_verdict(lifecycle: Lifecycle) -> None:
    state = lifecycle.open(routed(), partition=0)
    assert (
        lifecycle.apply(state, event(ev.MERGED, MON + timedelta(hours=9), duplicate_of="web-0"))
        == []
    )
    assert state.status == "merged" and state.next_due is None
    assert {c.outcome for c in state.clocks.values()} == {"cancelled"}
    with pytest.raises(BadInputError):
        lifecycle.apply(state, event(ev.URGED, MON + timedelta(hours=10)))


def test_state_survives_a_json_round_trip(lifecycle: Lifecycle) -> None:
    state = lifecycle.open(routed(), partition=3)
    lifecycle.apply(state, event(ev.SIGNED, MON + timedelta(minutes=10)))
    lifecycle.apply(state, event(ev.PAUSED, MON + timedelta(minutes=20), reason="等待"))
    again = TicketState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert again.to_dict() == state.to_dict()
    lifecycle.apply(again, event(ev.RESUMED, MON + timedelta(hours=2)))
    assert again.clocks["resolve"].deadline is not None
