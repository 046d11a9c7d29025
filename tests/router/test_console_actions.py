"""The console's actions: the department fence, what each role may do in each status, and
the events an action stands for (checked against the lifecycle before anything is sent)."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta

import pytest

from router.console.actions import ACTIONS, MAX_REASON, MAX_REPLY, Actor, available, plan, visible
from router.departments import TRIAGE, Catalogue
from router.exceptions import ActionError
from router.lifecycle import Lifecycle, TicketState
from router.settings import Settings
from tests.conftest import routed_ticket
from topics import events as ev
from topics.schemas import TZ

MON = datetime(2026, 11, 16, 10, 0, tzinfo=TZ)
NOW = MON + timedelta(hours=3)
DEPT = "MUNICIPAL_ENGINEERING"
OTHER = "LANDSCAPING"  # 市园林绿化局

DISPATCHER = Actor(username="d1", role="dispatcher")
SUPERVISOR = Actor(username="s1", role="supervisor")
CALLBACK = Actor(username="c1", role="callback")
HANDLER = Actor(username="h1", role="handler", department=DEPT)
STRANGER = Actor(username="h2", role="handler", department=OTHER)


@pytest.fixture(scope="module")
def lifecycle(catalogue: Catalogue) -> Lifecycle:
    return Lifecycle.from_settings(Settings(), catalogue=catalogue)


class States:
    """A ticket's state in each status, built with the real lifecycle."""

    def __init__(self, lifecycle: Lifecycle) -> None:
        self.lifecycle = lifecycle

    def opened(self, department: str = DEPT, ticket_id: str = "a-1") -> TicketState:
        ticket = routed_ticket(ticket_id, department, MON, request_type="投诉")
        return self.lifecycle.open(ticket, partition=0)

    def apply(self, state: TicketState, kind: str, minutes: int, **fields: object) -> None:
        role = str(fields.pop("role", "handler"))
        if role == "handler":
            fields.setdefault("department", state.department)
        event = ev.TicketEvent(
            ticket_id=state.ticket_id,
            type=kind,
            at=MON + timedelta(minutes=minutes),
            actor=f"{role}-x",
            role=role,
            **fields,
        )
        self.lifecycle.apply(state, event)

    def get(self, name: str) -> dict:
        if name == "triage":
            return self.opened(TRIAGE).to_dict()
        state = self.opened()
        steps: dict[str, list[tuple[str, dict]]] = {
            "assigned": [],
            "signed": [(ev.SIGNED, {})],
            "contacted": [(ev.SIGNED, {}), (ev.CONTACTED, {})],
            "paused": [(ev.SIGNED, {}), (ev.PAUSED, {"reason": "等待材料"})],
            "extension": [
                (ev.SIGNED, {}),
                (
                    ev.EXTENSION_REQUESTED,
                    {"reason": "需协调", "extension_until": MON + timedelta(days=30)},
                ),
            ],
            "replied": [(ev.SIGNED, {}), (ev.REPLIED, {"reply": "已处理"})],
            "rated": [
                (ev.SIGNED, {}),
                (ev.REPLIED, {"reply": "已处理"}),
                (ev.CALLBACK, {"role": "callback", "rating": "满意"}),
            ],
            "closed": [(ev.CLOSED, {"role": "supervisor", "reason": "撤销"})],
            "merged": [(ev.MERGED, {"role": "dispatcher", "duplicate_of": "a-0"})],
        }
        for minute, (kind, fields) in enumerate(steps[name], start=1):
            self.apply(state, kind, minute, **dict(fields))
        return copy.deepcopy(state.to_dict())


@pytest.fixture(scope="module")
def states(lifecycle: Lifecycle) -> States:
    return States(lifecycle)


def names(actor: Actor, state: dict) -> list[str]:
    return [a.name for a in available(actor, state)]


def run(
    action: str,
    actor: Actor,
    state: dict,
    catalogue: Catalogue,
    lifecycle: Lifecycle,
    now: datetime = NOW,
    **form: str,
) -> list[ev.TicketEvent]:
    return plan(
        action,
        actor=actor,
        state=state,
        form=form,
        catalogue=catalogue,
        lifecycle=lifecycle,
        now=now,
    )


def refused(
    action: str,
    actor: Actor,
    state: dict,
    catalogue: Catalogue,
    lifecycle: Lifecycle,
    now: datetime = NOW,
    **form: str,
) -> ActionError:
    with pytest.raises(ActionError) as caught:
        run(action, actor, state, catalogue, lifecycle, now, **form)
    return caught.value


def applied(lifecycle: Lifecycle, state: dict, events: list[ev.TicketEvent]) -> TicketState:
    trial = TicketState.from_dict(copy.deepcopy(state))
    for event in events:
        lifecycle.apply(trial, event)
    return trial


# ---------------------------------------------------------------- visible() and available()


def test_handlers_see_only_their_departments_tickets(states: States) -> None:
    assigned, triage = states.get("assigned"), states.get("triage")
    assert visible(HANDLER, assigned) and not visible(STRANGER, assigned)
    assert not visible(HANDLER, triage)
    assert not visible(Actor(username="h0", role="handler"), assigned)  # no department
    for actor in (DISPATCHER, SUPERVISOR, CALLBACK):
        assert visible(actor, assigned) and visible(actor, triage)
    assert available(STRANGER, assigned) == []


@pytest.mark.parametrize(
    ("actor", "status", "expected"),
    [
        (DISPATCHER, "triage", ["dispatch", "merge", "urge", "close"]),
        (SUPERVISOR, "triage", ["dispatch", "merge", "urge", "escalate", "close"]),
        (CALLBACK, "triage", []),
        (HANDLER, "assigned", ["sign", "return"]),
        (HANDLER, "signed", ["contact", "reply", "return", "request_extension", "pause"]),
        (HANDLER, "contacted", ["contact", "reply", "return", "request_extension", "pause"]),
        (HANDLER, "paused", ["contact", "reply", "return", "request_extension", "resume"]),
        (HANDLER, "extension", ["contact", "reply", "return", "pause"]),
        (HANDLER, "replied", []),
        (HANDLER, "closed", []),
        (DISPATCHER, "assigned", ["reassign", "merge", "urge", "close"]),
        (DISPATCHER, "signed", ["reassign", "merge", "urge", "close"]),
        (
            DISPATCHER,
            "extension",
            ["reassign", "merge", "approve_extension", "refuse_extension", "urge", "close"],
        ),
        (
            SUPERVISOR,
            "extension",
            [
                "reassign",
                "merge",
                "pause",
                "approve_extension",
                "refuse_extension",
                "urge",
                "escalate",
                "close",
            ],
        ),
        (SUPERVISOR, "paused", ["reassign", "merge", "resume", "urge", "escalate", "close"]),
        (CALLBACK, "replied", ["callback"]),
        (CALLBACK, "rated", []),
        (CALLBACK, "signed", []),
        (DISPATCHER, "replied", ["urge", "close"]),
        (DISPATCHER, "closed", []),
        (SUPERVISOR, "merged", []),
    ],
)
def test_available_actions_per_role_and_status(
    states: States, actor: Actor, status: str, expected: list[str]
) -> None:
    assert names(actor, states.get(status)) == expected


def test_every_action_is_offered_in_its_listed_order() -> None:
    assert list(ACTIONS)[:3] == ["dispatch", "reassign", "merge"]
    assert all(ACTIONS[name].name == name for name in ACTIONS)


# ---------------------------------------------------------------- plan(): refusals


def test_a_ticket_outside_the_fence_is_not_found_whatever_the_action(
    states: States, catalogue: Catalogue, lifecycle: Lifecycle
) -> None:
    assigned = states.get("assigned")
    for action in ("sign", "no_such_action", "dispatch"):
        assert refused(action, STRANGER, assigned, catalogue, lifecycle).status == 404


def test_bad_input_is_a_400(states: States, catalogue: Catalogue, lifecycle: Lifecycle) -> None:
    triage, signed = states.get("triage"), states.get("signed")
    error = refused("teleport", DISPATCHER, triage, catalogue, lifecycle)
    assert error.status == 400 and "unknown action" in error.message
    error = refused("close", DISPATCHER, triage, catalogue, lifecycle)
    assert (error.status, error.message) == (400, "reason is required")
    assert refused("close", DISPATCHER, triage, catalogue, lifecycle, reason="   ").status == 400
    long_reason = "长" * (MAX_REASON + 1)
    error = refused("close", DISPATCHER, triage, catalogue, lifecycle, reason=long_reason)
    assert error.status == 400 and "longer than" in error.message
    error = refused("reply", HANDLER, signed, catalogue, lifecycle, reply="x" * (MAX_REPLY + 1))
    assert error.status == 400
    assert refused("reply", HANDLER, signed, catalogue, lifecycle).status == 400
    error = refused("dispatch", DISPATCHER, triage, catalogue, lifecycle, department="NOWHERE")
    assert error.status == 400 and "unknown department" in error.message
    assert refused("dispatch", DISPATCHER, triage, catalogue, lifecycle).status == 400
    assert (
        refused("dispatch", DISPATCHER, triage, catalogue, lifecycle, department=TRIAGE).status
        == 400
    )
    error = refused("merge", DISPATCHER, triage, catalogue, lifecycle, duplicate_of="a-1")
    assert (error.status, error.message) == (400, "a ticket cannot be a duplicate of itself")
    assert refused("merge", DISPATCHER, triage, catalogue, lifecycle).status == 400


def test_an_extension_until_must_be_a_future_date_and_time(
    states: States, catalogue: Catalogue, lifecycle: Lifecycle
) -> None:
    signed = states.get("signed")

    def until(value: str | None) -> ActionError:
        form = {"reason": "需协调"} | ({"until": value} if value is not None else {})
        return refused("request_extension", HANDLER, signed, catalogue, lifecycle, **form)

    past = until((NOW - timedelta(minutes=1)).isoformat())
    assert (past.status, past.message) == (400, "until must be in the future")
    assert until(NOW.isoformat()).status == 400  # not after now
    naive_past = (NOW - timedelta(hours=1)).replace(tzinfo=None).isoformat()
    assert until(naive_past).status == 400  # read as the centre's local time
    assert until("next tuesday").status == 400
    assert until(None).status == 400
    assert until("").status == 400


def test_a_role_that_may_never_take_the_action_is_a_403(
    states: States, catalogue: Catalogue, lifecycle: Lifecycle
) -> None:
    assigned = states.get("assigned")
    for action, actor in (
        ("dispatch", HANDLER),
        ("reassign", HANDLER),
        ("sign", DISPATCHER),
        ("sign", CALLBACK),
        ("escalate", DISPATCHER),
        ("approve_extension", HANDLER),
        ("callback", SUPERVISOR),
    ):
        error = refused(action, actor, assigned, catalogue, lifecycle, department=OTHER)
        assert error.status == 403, (action, actor.role)


def test_an_action_the_state_does_not_allow_now_is_a_409(
    states: States, catalogue: Catalogue, lifecycle: Lifecycle
) -> None:
    cases = [
        ("sign", HANDLER, "signed", {}),
        ("reply", HANDLER, "assigned", {"reply": "已处理"}),
        ("dispatch", DISPATCHER, "assigned", {"department": OTHER}),
        ("reassign", DISPATCHER, "triage", {"department": OTHER, "reason": "错派"}),
        ("approve_extension", DISPATCHER, "signed", {}),
        ("refuse_extension", SUPERVISOR, "signed", {}),
        ("pause", HANDLER, "paused", {"reason": "x"}),
        ("resume", HANDLER, "signed", {}),
        ("request_extension", HANDLER, "extension", {"until": "2026-12-30T10:00+08:00"}),
        ("callback", CALLBACK, "rated", {"rating": "满意"}),
        ("close", DISPATCHER, "closed", {"reason": "x"}),
        ("urge", SUPERVISOR, "merged", {}),
    ]
    for action, actor, status, form in cases:
        error = refused(action, actor, states.get(status), catalogue, lifecycle, **form)
        assert error.status == 409, (action, status, error.message)
    error = refused(
        "reassign", DISPATCHER, states.get("assigned"), catalogue, lifecycle,
        department=DEPT, reason="再派",
    )  # fmt: skip
    assert (error.status, error.message) == (409, f"the ticket is already at {DEPT}")


def test_the_lifecycle_trial_turns_a_late_refusal_into_a_409(
    states: States, catalogue: Catalogue, lifecycle: Lifecycle
) -> None:
    """An extension to before the current deadline passes the form checks but not the
    lifecycle's rule that it must move the deadline later."""
    state = states.opened()
    states.apply(state, ev.SIGNED, 1)
    states.apply(
        state,
        ev.EXTENSION_REQUESTED,
        2,
        reason="需协调",
        extension_until=MON + timedelta(hours=5),  # the resolve deadline is weeks away
    )
    error = refused("approve_extension", SUPERVISOR, state.to_dict(), catalogue, lifecycle)
    assert error.status == 409 and "later" in error.message


# ---------------------------------------------------------------- plan(): events


@pytest.mark.parametrize(
    "department",
    [OTHER, f"{OTHER} 市园林绿化局", "市园林绿化局", "园林绿化局", f"  {OTHER}  "],
)
def test_dispatch_by_code_datalist_entry_or_name(
    states: States, catalogue: Catalogue, lifecycle: Lifecycle, department: str
) -> None:
    triage = states.get("triage")
    (event,) = run("dispatch", DISPATCHER, triage, catalogue, lifecycle, department=department)
    assert event.type == ev.DISPATCHED and event.to_department == OTHER
    assert (event.ticket_id, event.at, event.actor, event.role) == ("a-1", NOW, "d1", "dispatcher")
    assert event.department == TRIAGE and event.reason is None
    assert applied(lifecycle, triage, [event]).department == OTHER


def test_reassign_needs_a_reason_and_moves_the_ticket(
    states: States, catalogue: Catalogue, lifecycle: Lifecycle
) -> None:
    signed = states.get("signed")
    error = refused("reassign", DISPATCHER, signed, catalogue, lifecycle, department=OTHER)
    assert error.status == 400
    (event,) = run(
        "reassign", DISPATCHER, signed, catalogue, lifecycle, department=OTHER, reason="错派"
    )
    assert (event.type, event.to_department, event.reason) == (ev.REASSIGNED, OTHER, "错派")
    trial = applied(lifecycle, signed, [event])
    assert (trial.status, trial.department) == ("assigned", OTHER)


def test_handler_actions_carry_the_handlers_department(
    states: States, catalogue: Catalogue, lifecycle: Lifecycle
) -> None:
    assigned = states.get("assigned")
    (sign,) = run("sign", HANDLER, assigned, catalogue, lifecycle)
    assert (sign.type, sign.department, sign.actor, sign.role) == (ev.SIGNED, DEPT, "h1", "handler")
    assert applied(lifecycle, assigned, [sign]).status == "signed"
    (back,) = run(
        "return", HANDLER, assigned, catalogue, lifecycle,
        reason="不属于本单位", suggested_department="园林局",
    )  # fmt: skip
    assert (back.type, back.suggested_department) == (ev.RETURNED, OTHER)
    assert applied(lifecycle, assigned, [back]).status == "triage"
    (bare,) = run("return", HANDLER, assigned, catalogue, lifecycle, reason="不属于本单位")
    assert bare.suggested_department is None


def test_pause_and_resume_toggle(
    states: States, catalogue: Catalogue, lifecycle: Lifecycle
) -> None:
    signed = states.get("signed")
    (pause,) = run("pause", HANDLER, signed, catalogue, lifecycle, reason="等待市民补充材料")
    paused = applied(lifecycle, signed, [pause])
    assert paused.paused
    paused_state = paused.to_dict()
    assert "pause" not in names(HANDLER, paused_state)
    assert "resume" in names(HANDLER, paused_state)
    (resume,) = run("resume", HANDLER, paused_state, catalogue, lifecycle, NOW + timedelta(hours=1))
    resumed = applied(lifecycle, paused_state, [resume])
    assert not resumed.paused
    assert "pause" in names(HANDLER, resumed.to_dict())


def test_an_extension_request_and_its_approval_use_the_requested_deadline(
    states: States, catalogue: Catalogue, lifecycle: Lifecycle
) -> None:
    signed = states.get("signed")
    until = (MON + timedelta(days=30)).replace(tzinfo=None)  # local time, no offset
    (request,) = run(
        "request_extension", HANDLER, signed, catalogue, lifecycle,
        until=until.isoformat(), reason="需协调",
    )  # fmt: skip
    assert request.extension_until == until.replace(tzinfo=TZ)
    pending = applied(lifecycle, signed, [request]).to_dict()
    assert pending["extension_requested"] == until.replace(tzinfo=TZ).timestamp()
    (approve,) = run("approve_extension", SUPERVISOR, pending, catalogue, lifecycle)
    assert approve.type == ev.EXTENSION_APPROVED
    assert approve.extension_until is not None
    assert approve.extension_until.timestamp() == pending["extension_requested"]
    assert approve.department == DEPT  # the holder, for a desk role
    approved = applied(lifecycle, pending, [approve])
    assert approved.extension_requested is None
    assert approved.clocks["resolve"].deadline == pending["extension_requested"]
    (refuse,) = run("refuse_extension", DISPATCHER, pending, catalogue, lifecycle)
    assert refuse.type == ev.EXTENSION_REFUSED and refuse.reason is None
    assert applied(lifecycle, pending, [refuse]).extension_requested is None


@pytest.mark.parametrize(
    ("form", "types", "resolved", "status"),
    [
        ({"rating": "满意", "resolved": "yes"}, [ev.CALLBACK, ev.CLOSED], True, "closed"),
        ({"rating": "满意"}, [ev.CALLBACK, ev.CLOSED], None, "closed"),
        ({"rating": "基本满意", "resolved": "no"}, [ev.CALLBACK, ev.CLOSED], False, "closed"),
        ({"rating": "不满意", "resolved": "no"}, [ev.CALLBACK, ev.REOPENED], False, "signed"),
        ({"rating": "unreachable", "resolved": "yes"}, [ev.CALLBACK, ev.CLOSED], None, "closed"),
    ],
)
def test_a_callback_closes_or_reopens_the_ticket(
    states: States,
    catalogue: Catalogue,
    lifecycle: Lifecycle,
    form: dict,
    types: list[str],
    resolved: bool | None,
    status: str,
) -> None:
    replied = states.get("replied")
    events = run("callback", CALLBACK, replied, catalogue, lifecycle, **form)
    assert [e.type for e in events] == types
    assert events[0].rating == form["rating"] and events[0].resolved is resolved
    assert all(e.actor == "c1" and e.role == "callback" for e in events)
    # the follow-up comes a millisecond later, so the history keeps the order
    assert [e.at for e in events] == [NOW, NOW + timedelta(milliseconds=1)]
    assert len({e.event_id for e in events}) == 2
    trial = applied(lifecycle, replied, events)
    assert trial.status == status
    if status == "signed":
        assert trial.department == DEPT and trial.reopened == 1


def test_callback_reasons_and_notes(
    states: States, catalogue: Catalogue, lifecycle: Lifecycle
) -> None:
    replied = states.get("replied")
    _, reopened = run(
        "callback", CALLBACK, replied, catalogue, lifecycle, rating="不满意", note="路灯仍不亮"
    )
    assert reopened.reason is not None and reopened.reason.endswith(": 路灯仍不亮")
    _, closed = run("callback", CALLBACK, replied, catalogue, lifecycle, rating="unreachable")
    assert closed.reason == "citizen not reached"
    _, closed = run("callback", CALLBACK, replied, catalogue, lifecycle, rating="满意")
    assert closed.reason == "回访满意"
    for bad in ({"rating": "great"}, {}, {"rating": "满意", "resolved": "maybe"}):
        assert refused("callback", CALLBACK, replied, catalogue, lifecycle, **bad).status == 400


def test_desk_actions_apply_cleanly(
    states: States, catalogue: Catalogue, lifecycle: Lifecycle
) -> None:
    triage, signed = states.get("triage"), states.get("signed")
    (merge,) = run("merge", DISPATCHER, triage, catalogue, lifecycle, duplicate_of="a-0")
    assert applied(lifecycle, triage, [merge]).status == "merged"
    (urge,) = run("urge", DISPATCHER, signed, catalogue, lifecycle)
    assert urge.reason is None and applied(lifecycle, signed, [urge]).urged == 1
    (escalate,) = run("escalate", SUPERVISOR, signed, catalogue, lifecycle, reason="督办")
    assert applied(lifecycle, signed, [escalate]).escalated == 1
    (close,) = run("close", DISPATCHER, triage, catalogue, lifecycle, reason="重复来电")
    assert applied(lifecycle, triage, [close]).status == "closed"
    (contact,) = run("contact", HANDLER, signed, catalogue, lifecycle)
    (reply,) = run("reply", HANDLER, signed, catalogue, lifecycle, reply="  已修复  ")
    assert reply.reply == "已修复"
    assert applied(lifecycle, signed, [contact, reply]).status == "replied"


def test_every_available_action_plans_events_that_apply(
    states: States, catalogue: Catalogue, lifecycle: Lifecycle
) -> None:
    """Whatever the console offers, with sensible input, the tracker accepts."""
    form = {
        "department": OTHER,
        "reason": "理由",
        "duplicate_of": "a-0",
        "reply": "已处理",
        "until": (MON + timedelta(days=40)).isoformat(),
        "rating": "满意",
    }
    tried = 0
    for status in ("triage", "assigned", "signed", "contacted", "paused", "extension", "replied"):
        state = states.get(status)
        for actor in (DISPATCHER, SUPERVISOR, CALLBACK, HANDLER):
            for action in available(actor, state):
                events = run(action.name, actor, state, catalogue, lifecycle, **form)
                assert events and events[0].type == action.event
                applied(lifecycle, state, events)
                tried += 1
    assert tried > 40


def test_plan_leaves_the_callers_state_untouched(
    states: States, catalogue: Catalogue, lifecycle: Lifecycle
) -> None:
    triage, replied = states.get("triage"), states.get("replied")
    before = copy.deepcopy((triage, replied))
    run("dispatch", DISPATCHER, triage, catalogue, lifecycle, department=OTHER)
    run("callback", CALLBACK, replied, catalogue, lifecycle, rating="不满意")
    assert (triage, replied) == before
