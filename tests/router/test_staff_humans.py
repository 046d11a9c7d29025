"""The demo's simulated staff leave some work to people at the console: tickets routed to
the human departments, and a share of the triaged tickets."""

from __future__ import annotations

import random
from datetime import datetime

import pytest

from router import staff_simulator as staff
from router.departments import TRIAGE, Catalogue
from router.lifecycle import Lifecycle
from router.settings import Settings
from topics import events as ev
from topics.schemas import TZ, Routing, Ticket

HUMAN = "URBAN_MANAGEMENT"
HUMANS = frozenset({HUMAN})
START = datetime(2026, 3, 2, 9, 0, tzinfo=TZ).timestamp()


def ticket(i: int, department: str, top: list[str], at: float = START) -> Ticket:
    when = datetime.fromtimestamp(at, TZ).isoformat()
    return Ticket(
        ticket_id=f"phone-h{i:06x}",
        channel="phone",
        source_id=str(i),
        received_at=when,
        text="市民来电反映占道经营问题",
        request_type="投诉",
        routing=Routing(
            department=department,
            queue=f"hotline:queue:{department}",
            confidence=0.4 if department == TRIAGE else 0.9,
            method="model",
            model_version="v1",
            top=[(code, 0.3) for code in top],
            routed_at=when,
        ),
    )


def targets(planned: list[tuple[float, ev.TicketEvent]]) -> set[str]:
    """Every department the planned events send the ticket to, suggest, or act as."""
    found: set[str] = set()
    for _, event in planned:
        found.update(
            code
            for code in (event.to_department, event.suggested_department, event.department)
            if code
        )
    return found


@pytest.fixture(scope="module")
def codes(catalogue: Catalogue) -> tuple[str, ...]:
    return catalogue.codes


def test_tickets_routed_to_a_human_department_get_no_events(codes: tuple[str, ...]) -> None:
    for seed in range(50):
        rng = random.Random(seed)
        planned = staff.plan_events(
            ticket(seed, HUMAN, [HUMAN, *rng.sample(codes, 2)]),
            rng=rng,
            now=START,
            humans=HUMANS,
            human_triage=0.0,
        )
        assert planned == []


def test_without_humans_the_suggestion_would_be_taken(codes: tuple[str, ...]) -> None:
    """The check below is meaningful: a triaged ticket whose first suggestion is the human
    department goes there when nobody is human."""
    rng = random.Random(1)
    planned = staff.plan_events(ticket(1, TRIAGE, [HUMAN]), rng=rng, now=START)
    assert planned[0][1].type == ev.DISPATCHED and planned[0][1].to_department == HUMAN


def test_simulated_staff_never_send_or_suggest_a_ticket_to_a_human_department(
    codes: tuple[str, ...],
) -> None:
    others = [c for c in codes if c != HUMAN]
    returned = dispatched = 0
    for seed in range(800):
        rng = random.Random(seed)
        department = TRIAGE if seed % 2 else rng.choice(others)
        suggestions = [HUMAN, *rng.sample(others, 2)] if seed % 3 else []
        planned = staff.plan_events(
            ticket(seed, department, suggestions), rng=rng, now=START, humans=HUMANS
        )
        assert HUMAN not in targets(planned), [e.to_dict() for _, e in planned]
        types = [e.type for _, e in planned]
        returned += ev.RETURNED in types
        dispatched += ev.DISPATCHED in types
    assert returned > 30 and dispatched > 380  # the return and dispatch paths ran


def test_several_human_departments_are_all_avoided(codes: tuple[str, ...]) -> None:
    humans = frozenset(codes[:20])
    for seed in range(300):
        rng = random.Random(seed)
        planned = staff.plan_events(
            ticket(seed, TRIAGE, list(codes[:3])), rng=rng, now=START, humans=humans
        )
        assert not (targets(planned) & humans)


@pytest.mark.parametrize(("share", "low", "high"), [(0.3, 0.25, 0.35), (0.7, 0.65, 0.75)])
def test_about_the_given_share_of_triaged_tickets_is_left_to_people(
    codes: tuple[str, ...], share: float, low: float, high: float
) -> None:
    rng = random.Random(7)
    n = 1000
    left = 0
    for i in range(n):
        planned = staff.plan_events(
            ticket(i, TRIAGE, list(rng.sample(codes, 3))),
            rng=rng,
            now=START,
            humans=HUMANS,
            human_triage=share,
        )
        left += planned == []  # a planned triaged ticket always starts with a dispatch
    assert low < left / n < high


def test_all_or_none_of_the_triaged_tickets(codes: tuple[str, ...]) -> None:
    rng = random.Random(8)
    for i in range(300):
        triaged = ticket(i, TRIAGE, list(rng.sample(codes, 3)))
        assert staff.plan_events(triaged, rng=rng, now=START, human_triage=1.0) == []
        planned = staff.plan_events(triaged, rng=rng, now=START, human_triage=0.0)
        assert planned and planned[0][1].type == ev.DISPATCHED


def returned_at_once(seed: int, department: str, share: float) -> list[ev.TicketEvent]:
    """The plan of a ticket routed to ``department`` whose rng makes it returned."""
    return [
        e
        for _, e in staff.plan_events(
            ticket(seed, department, []),
            rng=random.Random(seed),
            now=START,
            humans=HUMANS,
            human_triage=share,
        )
    ]


def test_routed_tickets_are_planned_alike_except_that_people_take_the_returned_ones(
    codes: tuple[str, ...],
) -> None:
    """With the same seed, a ticket routed to a department gets the same plan whatever the
    share, except that with ``human_triage=1.0`` a returned ticket stays at the desk."""
    others = [c for c in codes if c != HUMAN]
    returned = 0
    for seed in range(400):
        department = others[seed % len(others)]
        everything, nothing = (returned_at_once(seed, department, s) for s in (0.0, 1.0))
        first, second = ([e.to_dict() for e in plan] for plan in (everything, nothing))
        if everything and everything[0].type == ev.RETURNED:
            returned += 1
            assert [e.type for e in nothing] == [ev.RETURNED]
            assert first[0] == second[0]
            assert everything[1].type == ev.DISPATCHED
            assert everything[1].to_department not in (HUMAN, department)
        else:
            assert first == second
    assert 20 < returned < 80  # ~10%


def test_about_the_given_share_of_returned_tickets_is_left_at_the_desk(
    codes: tuple[str, ...],
) -> None:
    others = [c for c in codes if c != HUMAN]
    returned = left = 0
    for seed in range(2000):
        plan = returned_at_once(seed, others[seed % len(others)], 0.5)
        if plan and plan[0].type == ev.RETURNED:
            returned += 1
            left += len(plan) == 1
    assert returned > 120
    assert 0.38 < left / returned < 0.62


def test_plans_that_avoid_humans_are_still_legal(catalogue: Catalogue) -> None:
    lifecycle = Lifecycle.from_settings(Settings(), catalogue=catalogue)
    codes = catalogue.codes
    for seed in range(300):
        rng = random.Random(seed)
        department = TRIAGE if seed % 2 else codes[seed % len(codes)]
        routed = ticket(seed, department, [HUMAN, *rng.sample(codes, 2)])
        planned = staff.plan_events(routed, rng=rng, now=START, humans=HUMANS, human_triage=0.2)
        state = lifecycle.open(routed, partition=0)
        for _, event in planned:
            lifecycle.apply(state, event)  # raises BadInputError when illegal
        if not planned:  # left to people, or never signed
            assert state.status in ("triage", "assigned")
        elif planned[-1][1].type == ev.RETURNED:  # back at the desk, for a person
            assert state.status == "triage"
        else:  # closed, or dispatched and never signed
            assert state.status in ("closed", "assigned")
