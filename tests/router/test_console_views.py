"""What the console shows: masked contact details, clock colours, list rows without any
contact detail, and the audit trail without internal ids."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from router.console import views
from router.console.views import (
    GREEN,
    PAUSED,
    RED,
    YELLOW,
    clock_view,
    contact_view,
    history_view,
    mask_name,
    mask_phone,
    next_clock,
    row,
)
from router.departments import TRIAGE, Catalogue
from router.lifecycle import Lifecycle
from router.readmodel import Listed
from router.settings import Settings
from tests.conftest import routed_ticket
from topics import events as ev
from topics.schemas import TZ, Contact, Location

MON = datetime(2026, 11, 16, 10, 0, tzinfo=TZ)
DEPT = "MUNICIPAL_ENGINEERING"
PHONE = "13812345678"
LANDLINE = "0898-66661234"
NAME = "张三丰"
CONTACT = {"name": NAME, "phones": [PHONE, LANDLINE]}


# ---------------------------------------------------------------- masking


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        (PHONE, "138****5678"),
        ("138 1234 5678", "138****5678"),
        ("+86 138-1234-5678", "861****5678"),
        (LANDLINE, "089****1234"),
        ("12345678", "123****5678"),
        ("1234567", "*****67"),
        ("12345", "***45"),
        ("12", "12"),
        ("", ""),
    ],
)
def test_mask_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("name", "masked"), [("张三丰", "张**"), ("李四", "李*"), ("王", "王"), ("", "")]
)
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize("role", ["handler", "callback"])
def test_the_roles_that_call_citizens_see_their_contact_in_full(role: str) -> None:
    assert contact_view(CONTACT, role) == {
        "name": NAME,
        "phones": [PHONE, LANDLINE],
        "masked": False,
    }


@pytest.mark.parametrize("role", ["dispatcher", "supervisor", "someone"])
def test_every_other_role_sees_the_contact_masked(role: str) -> None:
    shown = contact_view(CONTACT, role)
    assert shown == {"name": "张**", "phones": ["138****5678", "089****1234"], "masked": True}
    assert PHONE not in repr(shown) and NAME not in repr(shown)


def test_a_missing_contact_is_shown_empty() -> None:
    assert contact_view({}, "dispatcher") == {"name": "", "phones": [], "masked": True}
    assert contact_view({"name": None, "phones": None}, "handler") == {
        "name": "",
        "phones": [],
        "masked": False,
    }


# ---------------------------------------------------------------- clocks


def clock(**overrides: object) -> dict:
    data = {
        "ended": None,
        "outcome": None,
        "deadline": 1000.0,
        "warn_at": 800.0,
        "warned": False,
        "breached": False,
    }
    return {**data, **overrides}


@pytest.mark.parametrize(
    ("data", "now", "colour"),
    [
        (clock(), 500.0, GREEN),
        (clock(), 799.9, GREEN),
        (clock(), 800.0, YELLOW),
        (clock(warned=True), 500.0, YELLOW),  # the warning alert went out
        (clock(), 999.0, YELLOW),
        (clock(), 1000.0, RED),
        (clock(breached=True), 500.0, RED),
        (clock(warned=True, breached=True), 1500.0, RED),
        (clock(deadline=None, warn_at=None), 5000.0, PAUSED),
        (clock(deadline=None, warn_at=None, breached=True), 5000.0, PAUSED),
        (clock(ended=900.0, outcome="met", deadline=None, warn_at=None), 5000.0, GREEN),
        (clock(ended=900.0, outcome="cancelled", deadline=None, warn_at=None), 5000.0, GREEN),
        (
            clock(ended=1200.0, outcome="breached", deadline=None, warn_at=None, breached=True),
            5000.0,
            RED,
        ),
        (clock(ended=1200.0, outcome="breached", deadline=None, warn_at=None), 0.0, RED),
    ],
)
def test_clock_colours(data: dict, now: float, colour: str) -> None:
    assert clock_view("sign", data, now)["colour"] == colour


def test_clock_view_fields() -> None:
    deadline = MON.timestamp()
    shown = clock_view("resolve", clock(deadline=deadline, warn_at=deadline - 60), 0.0)
    assert shown["name"] == "resolve" and shown["label"] == "办结 resolve"
    assert shown["live"] is True and shown["deadline"] == deadline
    assert shown["deadline_text"] == "2026-11-16 10:00" and shown["ended_text"] == ""
    assert shown["outcome"] == ""
    stopped = clock_view("callback", clock(ended=deadline, outcome="met", deadline=None), 0.0)
    assert stopped["live"] is False and stopped["label"] == "回访 callback"
    assert stopped["ended_text"] == "2026-11-16 10:00" and stopped["outcome"] == "met"
    assert stopped["deadline_text"] == ""
    assert clock_view("other", clock(), 0.0)["label"] == "other"


def test_next_clock_is_the_running_clock_due_soonest() -> None:
    state = {
        "clocks": {
            "sign": clock(ended=100.0, outcome="met", deadline=None, warn_at=None),
            "contact": clock(deadline=3000.0, warn_at=2000.0),
            "resolve": clock(deadline=2500.0, warn_at=2400.0),
        }
    }
    shown = next_clock(state, 0.0)
    assert shown is not None and shown["name"] == "resolve" and shown["colour"] == GREEN
    assert next_clock(state, 2450.0)["colour"] == YELLOW  # type: ignore[index]


def test_next_clock_falls_back_to_a_paused_clock_then_to_none() -> None:
    paused = {
        "clocks": {
            "sign": clock(ended=100.0, outcome="met", deadline=None, warn_at=None),
            "contact": clock(deadline=None, warn_at=None),
        }
    }
    shown = next_clock(paused, 0.0)
    assert shown is not None and (shown["name"], shown["colour"]) == ("contact", PAUSED)
    stopped = {"clocks": {"sign": clock(ended=100.0, outcome="met", deadline=None)}}
    assert next_clock(stopped, 0.0) is None
    assert next_clock({"clocks": {}}, 0.0) is None


def test_real_states_clocks(catalogue: Catalogue) -> None:
    lifecycle = Lifecycle.from_settings(Settings(), catalogue=catalogue)
    state = lifecycle.open(routed_ticket("v-1", DEPT, MON), partition=0)
    data = state.to_dict()
    sign = state.clocks["sign"]
    assert next_clock(data, MON.timestamp())["name"] == "sign"  # type: ignore[index]
    assert sign.warn_at is not None and sign.deadline is not None
    assert next_clock(data, sign.warn_at)["colour"] == YELLOW  # type: ignore[index]
    assert next_clock(data, sign.deadline)["colour"] == RED  # type: ignore[index]
    signed = ev.TicketEvent(
        ticket_id="v-1",
        type=ev.SIGNED,
        at=MON + timedelta(minutes=1),
        actor="h1",
        role="handler",
        department=DEPT,
    )
    lifecycle.apply(state, signed)
    after = next_clock(state.to_dict(), MON.timestamp())
    assert after is not None and after["name"] == "contact"


# ---------------------------------------------------------------- rows and history


def listed(catalogue: Catalogue, department: str = DEPT, text: str = "路灯不亮") -> Listed:
    lifecycle = Lifecycle.from_settings(Settings(), catalogue=catalogue)
    ticket = routed_ticket("v-2", department, MON, text=text)
    ticket.contact = Contact(
        name=NAME, phones=[PHONE], id_numbers=["460100199001011234"], email="zs@example.com"
    )
    ticket.location = Location(district="美兰区", address="海府路1号")
    assert ticket.routing is not None
    ticket.routing.top = [(DEPT, 0.7), ("LANDSCAPING", 0.2)]
    state = lifecycle.open(ticket, partition=0)
    data = state.to_dict()
    return Listed(ticket_id="v-2", score=0.0, state=data, ticket=ticket.to_dict())


def test_a_row_carries_no_contact_details(catalogue: Catalogue) -> None:
    item = listed(catalogue)
    assert PHONE in repr(item.ticket)  # the stored ticket has them
    shown = row(item, catalogue, now=MON.timestamp(), holder="h1")
    text = repr(shown)
    for secret in (PHONE, NAME, "460100199001011234", "zs@example.com", "海府路"):
        assert secret not in text, secret
    assert "contact" not in shown
    assert shown["ticket_id"] == "v-2" and shown["holder"] == "h1"
    assert shown["district"] == "美兰区" and shown["status"] == "assigned"
    assert shown["department_name"] == catalogue[DEPT].name
    assert shown["top"][1] == {
        "code": "LANDSCAPING",
        "name": catalogue["LANDSCAPING"].name,
        "confidence": 0.2,
    }
    assert shown["clock"]["name"] == "sign" and shown["escalated"] is False
    assert shown["received"] == "2026-11-16 10:00" and shown["extension_requested"] == ""


def test_a_row_cuts_long_texts(catalogue: Catalogue) -> None:
    shown = row(listed(catalogue, text="字" * 200), catalogue, now=MON.timestamp())
    assert shown["title"] == "字" * 30
    assert shown["excerpt"] == "字" * 120 + "…"
    short = row(listed(catalogue, TRIAGE), catalogue, now=MON.timestamp())
    assert short["excerpt"] == "路灯不亮" and short["department_name"] == "派单台 dispatch desk"
    assert short["clock"] is None


def test_the_ticket_view_masks_contact_for_the_desk(catalogue: Catalogue) -> None:
    item = listed(catalogue)
    desk = views.ticket_view(item.ticket, item.state, catalogue, role="dispatcher")
    assert PHONE not in repr(desk) and NAME not in repr(desk)
    assert desk["contact"]["phones"] == ["138****5678"]
    handler = views.ticket_view(item.ticket, item.state, catalogue, role="handler")
    assert handler["contact"]["phones"] == [PHONE]


def test_history_view_hides_ids_and_keeps_details() -> None:
    entries = [
        {
            "type": "routed",
            "at": MON.isoformat(),
            "actor": "router",
            "role": "system",
            "department": DEPT,
            "confidence": 0.91,
        },
        {
            "type": "replied",
            "at": (MON + timedelta(hours=1)).isoformat(),
            "actor": "h7",
            "role": "handler",
            "ticket_id": "v-3",
            "event_id": "ev-0123456789abcdef",
            "department": DEPT,
            "reply": "已修复",
            "note": "",
            "refused": "illegal_transition",
            "detail": "cannot record replied on a ticket that is assigned",
        },
        {
            "type": "alert",
            "at": (MON + timedelta(hours=2)).isoformat(),
            "actor": "tracker",
            "role": "system",
            "alert_id": "al-42",
            "level": "breach",
            "duplicate_of": "v-1",
        },
    ]
    shown = history_view(entries)
    text = repr(shown)
    for hidden in ("v-3", "ev-0123456789abcdef", "al-42"):
        assert hidden not in text
    first, second, third = shown
    assert first == {
        "at": "2026-11-16 10:00",
        "type": "routed",
        "actor": "router",
        "role": "system",
        "refused": None,
        "details": {"department": DEPT, "confidence": 0.91},
    }
    assert second["refused"] == "illegal_transition"
    assert second["details"]["reply"] == "已修复" and "note" not in second["details"]
    assert third["details"] == {"level": "breach", "duplicate_of": "v-1"}  # another ticket
    assert history_view([{}]) == [
        {"at": "", "type": "", "actor": "", "role": "", "refused": None, "details": {}}
    ]


def test_local_times() -> None:
    assert views.local(None) == "" and views.local_iso(None) == views.local_iso("") == ""
    assert views.local_iso("2026-11-16T02:00:00+00:00") == "2026-11-16 10:00"
    assert views.department_name(Catalogue.load(), "NOT_A_CODE") == "NOT_A_CODE"
    assert views.department_name(Catalogue.load(), None) == ""
