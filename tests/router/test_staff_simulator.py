"""The demo's simulated staff: every planned sequence is legal, the mix is plausible, no
personal data leaves, and the scheduling loop sends each event when due."""

from __future__ import annotations

import random
import re
from collections import Counter
from datetime import datetime

import pytest

from router import staff_simulator as staff
from router.departments import TRIAGE, Catalogue
from router.lifecycle import Lifecycle
from router.settings import Settings
from topics import events as ev
from topics.events import TicketEvent
from topics.schemas import REQUEST_TYPES, TZ, Contact, Routing, Ticket

START = datetime(2025, 1, 1, tzinfo=TZ).timestamp()
END = datetime(2026, 10, 31, tzinfo=TZ).timestamp()  # the last year chinese-calendar knows
PHONE = "13812345678"
ACTOR = re.compile(r"h-[A-Z][A-Z0-9_]*-\d|d-\d|cb-\d|sup-\d")


def make_ticket(rng: random.Random, codes: tuple[str, ...], i: int, at: float) -> Ticket:
    """A routed ticket: a fifth of them triaged, some without suggestions."""
    department = TRIAGE if rng.random() < 0.2 else rng.choice(codes)
    top = [(code, 0.3) for code in rng.sample(codes, 3)] if rng.random() < 0.8 else []
    when = datetime.fromtimestamp(at, TZ).isoformat()
    return Ticket(
        ticket_id=f"phone-{i:06x}",
        channel="phone",
        source_id=str(i),
        received_at=when,
        text=f"市民来电反映问题，联系电话{PHONE}",
        contact=Contact(name="张三", phones=[PHONE]),
        request_type=rng.choice(REQUEST_TYPES),
        urgency="urgent" if rng.random() < 0.1 else "normal",
        routing=Routing(
            department=department,
            queue=f"hotline:queue:{department}",
            confidence=0.4 if department == TRIAGE else 0.9,
            method="model",
            model_version="v1",
            top=top,
            routed_at=when,
        ),
    )


def plans(n: int, seed: int = 1) -> list[tuple[Ticket, list[tuple[float, TicketEvent]]]]:
    rng = random.Random(seed)
    codes = Catalogue.load().codes
    found = []
    for i in range(n):
        now = rng.uniform(START, END)
        ticket = make_ticket(rng, codes, i, now)
        found.append((ticket, staff.plan_events(ticket, rng=rng, now=now)))
    return found


def ticket_at(ticket: Ticket) -> float:
    return datetime.fromisoformat(ticket.received_at).timestamp()


@pytest.fixture(scope="module")
def lifecycle(catalogue: Catalogue) -> Lifecycle:
    return Lifecycle.from_settings(Settings(), catalogue=catalogue)


def test_every_planned_sequence_is_legal(lifecycle: Lifecycle) -> None:
    triaged = 0
    for ticket, planned in plans(500):
        assert ticket.routing is not None
        triaged += ticket.routing.department == TRIAGE
        state = lifecycle.open(ticket, partition=0)
        times = [ticket_at(ticket), *(due for due, _ in planned)]
        assert times == sorted(times) and (len(times) == 1 or times[1] - times[0] >= 1.0)
        for due, event in planned:
            assert event.at.timestamp() == pytest.approx(due)
            lifecycle.apply(state, event)  # raises BadInputError when illegal
        assert state.status in ("closed", "assigned"), [e.type for _, e in planned]
    assert triaged > 50


def test_the_mix_has_returns_reopens_unsigned_and_every_rating() -> None:
    kinds: Counter[str] = Counter()
    ratings: Counter[str] = Counter()
    unsigned = 0
    for _, planned in plans(2000, seed=2):
        types = [event.type for _, event in planned]
        kinds.update(types)
        unsigned += ev.SIGNED not in types
        ratings.update(event.rating for _, event in planned if event.rating)
        for _, event in planned:
            if event.type == ev.CALLBACK and event.rating == "不满意":
                assert event.resolved is False
            if event.type == ev.CALLBACK and event.rating == "满意":
                assert event.resolved is True
            if event.type == ev.CALLBACK and event.rating == "unreachable":
                assert event.resolved is None
    assert 100 < kinds[ev.RETURNED] < 320  # ~10%
    assert 40 < unsigned < 180  # ~5%
    assert 0 < kinds[ev.REOPENED] == ratings["不满意"]
    assert kinds[ev.PAUSED] == kinds[ev.RESUMED] > 0
    assert kinds[ev.EXTENSION_REQUESTED] == kinds[ev.EXTENSION_APPROVED] > 0
    assert kinds[ev.URGED] > 0
    reached = sum(ratings.values()) - ratings["unreachable"]
    assert 0.85 < (ratings["满意"] + ratings["基本满意"]) / reached < 0.99
    assert ratings["unreachable"] > 0


def test_events_carry_user_ids_and_no_personal_data() -> None:
    for _, planned in plans(300, seed=3):
        for _, event in planned:
            raw = event.to_json().decode()
            assert PHONE not in raw and "张三" not in raw
            for text in (event.actor, event.reason, event.reply, event.note):
                assert not re.search(r"\d{7}", text or "")
            assert ACTOR.fullmatch(event.actor), event.actor


def test_the_loop_sends_each_event_when_due_stamped_with_the_time_of_sending() -> None:
    now = [START]
    rng = random.Random(4)
    codes = Catalogue.load().codes
    tickets = [make_ticket(rng, codes, i, START) for i in range(20)]
    sent: list[tuple[float, TicketEvent]] = []
    simulator = staff.StaffSimulator(seed=5, clock=lambda: now[0])

    def fetch(timeout_s: float) -> list[Ticket]:
        now[0] += max(timeout_s, 0.01)
        return [tickets.pop()] if tickets else []

    simulator.run(
        fetch,
        lambda event: sent.append((now[0], event)),
        should_stop=lambda: not tickets and not simulator.pending(),
    )
    assert sent and all(event.at.timestamp() == pytest.approx(at) for at, event in sent)
    by_ticket: dict[str, list[float]] = {}
    for at, event in sent:
        by_ticket.setdefault(event.ticket_id, []).append(at)
    assert 15 < len(by_ticket) <= 20  # an unsigned ticket may have no event at all
    assert all(times == sorted(times) for times in by_ticket.values())
    counts = simulator.sent
    assert sum(counts[kind] for kind in ev.EVENT_TYPES) == len(sent)
    assert f"signed {counts[ev.SIGNED]}, replied {counts[ev.REPLIED]}" in simulator.summary()


def test_only_recently_routed_tickets_are_taken() -> None:
    rng = random.Random(6)
    codes = Catalogue.load().codes
    fresh = make_ticket(rng, codes, 1, START)
    stale = make_ticket(rng, codes, 2, START - staff.MAX_AGE_S - 1)
    taken = staff._fresh_tickets([fresh.to_json(), stale.to_json(), b"not json"], START + 1)
    assert [t.ticket_id for t in taken] == [fresh.ticket_id]
