"""The console's read model: which lists a state belongs in, the writer's Redis transactions,
the reader's pages, counters and overdue lists (on a real Redis server), and the changes the
tracker records for it."""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import json
import uuid
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta

import pytest
import redis
import redis.asyncio as aioredis
from prometheus_client import CollectorRegistry

from router.departments import TRIAGE, Catalogue
from router.lifecycle import Lifecycle, TicketState
from router.metrics import Metrics
from router.queues import TICKET_PREFIX
from router.readmodel import (
    CALLBACKS,
    DUE_PREFIX,
    ESCALATED,
    HISTORY_PREFIX,
    OPEN_PREFIX,
    STATE_PREFIX,
    Change,
    ReadModel,
    ReadModelWriter,
    coalesce,
    earliest_deadline,
    entries,
    history_entry,
)
from router.settings import Settings
from router.stages import Record
from router.tracker import Tracker
from tests.conftest import routed_ticket
from topics import events as ev
from topics.catalogue import ROUTED
from topics.schemas import TZ

MON = datetime(2026, 11, 16, 10, 0, tzinfo=TZ)
DEPT = "MUNICIPAL_ENGINEERING"
CLOSED_TTL_S = 3600


# ---------------------------------------------------------------- building states


@pytest.fixture(scope="module")
def lifecycle(catalogue: Catalogue) -> Lifecycle:
    return Lifecycle.from_settings(Settings(), catalogue=catalogue)


def opened(
    lifecycle: Lifecycle,
    ticket_id: str,
    department: str = DEPT,
    *,
    at: datetime = MON,
    received: datetime | None = None,
) -> TicketState:
    ticket = routed_ticket(ticket_id, department, at)
    if received is not None:
        ticket = dataclasses.replace(ticket, received_at=received.isoformat())
    return lifecycle.open(ticket, partition=0)


def act(
    lifecycle: Lifecycle,
    state: TicketState,
    kind: str,
    at: datetime,
    *,
    role: str = "handler",
    **fields: object,
) -> dict:
    """Apply one event; returns a deep snapshot of the state after it."""
    if role == "handler":
        fields.setdefault("department", state.department)
    event = ev.TicketEvent(
        ticket_id=state.ticket_id, type=kind, at=at, actor=f"{role}-1", role=role, **fields
    )
    lifecycle.apply(state, event)
    return snap(state)


def snap(state: TicketState) -> dict:
    return copy.deepcopy(state.to_dict())


def relabel(stored: dict, code: str) -> dict:
    """The state as if held by department ``code`` (a list of its own, for isolation)."""
    data = copy.deepcopy(stored)
    if data["department"] != TRIAGE:
        data["department"] = code
    for clock in data["clocks"].values():
        clock["department"] = code
    return data


# ---------------------------------------------------------------- entries()


def test_a_missing_state_belongs_nowhere() -> None:
    assert entries(None) == {}


def test_a_triaged_ticket_is_on_the_desk_by_received_time(lifecycle: Lifecycle) -> None:
    state = opened(lifecycle, "e-triage", TRIAGE, received=MON - timedelta(hours=1))
    assert entries(snap(state)) == {OPEN_PREFIX + TRIAGE: (MON - timedelta(hours=1)).timestamp()}


def test_tickets_in_a_department_are_open_there_and_due_by_the_earliest_deadline(
    lifecycle: Lifecycle,
) -> None:
    received = MON - timedelta(hours=2)
    state = opened(lifecycle, "e-dept", received=received)
    assigned = snap(state)
    clocks = state.clocks
    earliest = min(clocks[n].deadline for n in ("sign", "contact", "resolve"))  # type: ignore[type-var]
    assert earliest == clocks["sign"].deadline
    assert entries(assigned) == {
        OPEN_PREFIX + DEPT: received.timestamp(),
        DUE_PREFIX + DEPT: earliest,
    }
    signed = act(lifecycle, state, ev.SIGNED, MON + timedelta(minutes=10))
    assert entries(signed) == {
        OPEN_PREFIX + DEPT: received.timestamp(),
        DUE_PREFIX + DEPT: signed["clocks"]["contact"]["deadline"],
    }
    contacted = act(lifecycle, state, ev.CONTACTED, MON + timedelta(minutes=20))
    assert entries(contacted) == {
        OPEN_PREFIX + DEPT: received.timestamp(),
        DUE_PREFIX + DEPT: contacted["clocks"]["resolve"]["deadline"],
    }
    # paused: every deadline is suspended, so the ticket is open but not due
    paused = act(lifecycle, state, ev.PAUSED, MON + timedelta(minutes=30), reason="等材料")
    assert entries(paused) == {OPEN_PREFIX + DEPT: received.timestamp()}


def test_a_running_callback_clock_does_not_make_a_department_ticket_due(
    lifecycle: Lifecycle,
) -> None:
    state = opened(lifecycle, "e-cb")
    act(lifecycle, state, ev.SIGNED, MON + timedelta(minutes=10))
    signed = snap(state)
    fake = copy.deepcopy(signed["clocks"]["contact"])
    fake.update(name="callback", deadline=MON.timestamp() - 1000)  # earlier than any other
    signed["clocks"]["callback"] = fake
    assert earliest_deadline(signed) == MON.timestamp() - 1000
    due = entries(signed)[DUE_PREFIX + DEPT]
    assert due == signed["clocks"]["contact"]["deadline"]
    assert due == earliest_deadline(signed, exclude=("callback",))


def test_replied_tickets_wait_for_their_callback_then_leave_every_list(
    lifecycle: Lifecycle,
) -> None:
    state = opened(lifecycle, "e-reply")
    act(lifecycle, state, ev.SIGNED, MON + timedelta(minutes=10))
    replied = act(lifecycle, state, ev.REPLIED, MON + timedelta(hours=1), reply="已处理")
    deadline = replied["clocks"]["callback"]["deadline"]
    assert deadline is not None
    assert entries(replied) == {CALLBACKS: deadline}
    rated = act(
        lifecycle, state, ev.CALLBACK, MON + timedelta(hours=2), role="callback", rating="满意"
    )
    assert rated["status"] == "replied" and rated["rating"] == "满意"
    assert entries(rated) == {}
    closed = act(lifecycle, state, ev.CLOSED, MON + timedelta(hours=2, minutes=1), role="callback")
    assert entries(closed) == {}


def test_escalated_tickets_are_listed_until_closed_or_merged(lifecycle: Lifecycle) -> None:
    state = opened(lifecycle, "e-esc")
    escalated = act(
        lifecycle, state, ev.ESCALATED, MON + timedelta(minutes=5), role="supervisor", reason="督办"
    )
    found = entries(escalated)
    assert found[ESCALATED] == escalated["updated_at"] == (MON + timedelta(minutes=5)).timestamp()
    assert OPEN_PREFIX + DEPT in found and DUE_PREFIX + DEPT in found
    # an escalation raised by the tracker (an alert) counts too
    plain = snap(opened(lifecycle, "e-esc2"))
    assert ESCALATED not in entries(plain)
    assert ESCALATED in entries({**plain, "escalations": ["breaches"]})
    # at the desk as well
    desk = snap(opened(lifecycle, "e-esc3", TRIAGE))
    assert set(entries({**desk, "escalated": 1})) == {OPEN_PREFIX + TRIAGE, ESCALATED}
    closed = act(lifecycle, state, ev.CLOSED, MON + timedelta(minutes=9), role="supervisor")
    assert closed["escalated"] == 1 and entries(closed) == {}
    other = opened(lifecycle, "e-esc4")
    act(lifecycle, other, ev.ESCALATED, MON, role="supervisor", reason="督办")
    merged = act(
        lifecycle, other, ev.MERGED, MON + timedelta(minutes=1), role="dispatcher", duplicate_of="x"
    )
    assert merged["status"] == "merged" and entries(merged) == {}


# ---------------------------------------------------------------- Redis: writer and reader


@pytest.fixture(scope="module")
def client(services) -> Iterator[redis.Redis]:
    assert services.state is not None
    client = redis.Redis.from_url(services.state.redis_url)
    yield client
    client.close()


@pytest.fixture(scope="module")
def redis_url(services) -> str:
    assert services.state is not None
    return services.state.redis_url


class Made:
    """Ticket ids and department codes of one test, removed from Redis afterwards."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.codes: list[str] = []

    def id(self, label: str = "t") -> str:
        ticket_id = f"rm-{label}-{uuid.uuid4().hex[:10]}"
        self.ids.append(ticket_id)
        return ticket_id

    def code(self) -> str:
        code = f"TEST_{uuid.uuid4().hex[:8].upper()}"
        self.codes.append(code)
        return code


@pytest.fixture
def made(client: redis.Redis) -> Iterator[Made]:
    made = Made()
    yield made
    if made.codes:
        client.delete(*[p + c for c in made.codes for p in (OPEN_PREFIX, DUE_PREFIX)])
    if made.ids:
        lists = [*client.scan_iter(OPEN_PREFIX + "*"), *client.scan_iter(DUE_PREFIX + "*")]
        for key in [*lists, CALLBACKS, ESCALATED]:
            client.zrem(key, *made.ids)
        prefixes = (STATE_PREFIX, HISTORY_PREFIX, TICKET_PREFIX)
        client.delete(*[p + t for t in made.ids for p in prefixes])


def write(redis_url: str, changes: Sequence[Change], *, closed_ttl_s: float = CLOSED_TTL_S):
    async def run() -> None:
        client = aioredis.Redis.from_url(redis_url)
        try:
            await ReadModelWriter(client=client, closed_ttl_s=closed_ttl_s).write(changes)
        finally:
            await client.aclose()

    asyncio.run(run())


def store_ticket(client: redis.Redis, ticket_id: str, department: str = DEPT) -> None:
    """The routed ticket as the route stage stores it (the reader needs it)."""
    client.set(TICKET_PREFIX + ticket_id, routed_ticket(ticket_id, department, MON).to_json())


def score(client: redis.Redis, key: str, ticket_id: str) -> float | None:
    return client.zscore(key, ticket_id)


def lists_holding(client: redis.Redis, ticket_id: str) -> set[str]:
    keys = [*client.scan_iter(OPEN_PREFIX + "*"), *client.scan_iter(DUE_PREFIX + "*")]
    keys = [k.decode() for k in keys] + [CALLBACKS, ESCALATED]
    return {key for key in keys if client.zscore(key, ticket_id) is not None}


def test_a_dispatched_ticket_leaves_the_desk_for_the_department(
    lifecycle: Lifecycle, client: redis.Redis, redis_url: str, made: Made
) -> None:
    tid = made.id("move")
    store_ticket(client, tid, TRIAGE)
    state = opened(lifecycle, tid, TRIAGE)
    triage = snap(state)
    write(redis_url, [Change(ticket_id=tid, old=None, new=triage)])
    assert score(client, OPEN_PREFIX + TRIAGE, tid) == triage["received_at"]
    assert score(client, OPEN_PREFIX + DEPT, tid) is None
    reader = ReadModel(client=client)
    assert reader.state(tid) == triage
    assert reader.ticket(tid)["ticket_id"] == tid  # type: ignore[index]

    dispatched = act(
        lifecycle,
        state,
        ev.DISPATCHED,
        MON + timedelta(minutes=3),
        role="dispatcher",
        department=TRIAGE,
        to_department=DEPT,
    )
    write(redis_url, [Change(ticket_id=tid, old=triage, new=dispatched)])
    assert score(client, OPEN_PREFIX + TRIAGE, tid) is None
    assert score(client, OPEN_PREFIX + DEPT, tid) == dispatched["received_at"]
    assert score(client, DUE_PREFIX + DEPT, tid) == earliest_deadline(
        dispatched, exclude=("callback",)
    )
    assert lists_holding(client, tid) == {OPEN_PREFIX + DEPT, DUE_PREFIX + DEPT}
    assert reader.state(tid)["status"] == "assigned"  # type: ignore[index]


def test_replied_and_called_back_tickets_move_through_the_callback_list(
    lifecycle: Lifecycle, client: redis.Redis, redis_url: str, made: Made
) -> None:
    tid = made.id("cb")
    state = opened(lifecycle, tid)
    assigned = snap(state)
    signed = act(lifecycle, state, ev.SIGNED, MON + timedelta(minutes=5))
    replied = act(lifecycle, state, ev.REPLIED, MON + timedelta(hours=1), reply="已处理")
    write(
        redis_url,
        [
            Change(ticket_id=tid, old=None, new=assigned),
            Change(ticket_id=tid, old=assigned, new=signed),
            Change(ticket_id=tid, old=signed, new=replied),
        ],
    )
    assert lists_holding(client, tid) == {CALLBACKS}
    assert score(client, CALLBACKS, tid) == replied["clocks"]["callback"]["deadline"]
    rated = act(
        lifecycle, state, ev.CALLBACK, MON + timedelta(hours=2), role="callback", rating="满意"
    )
    write(redis_url, [Change(ticket_id=tid, old=replied, new=rated)])
    assert lists_holding(client, tid) == set()


def test_closing_removes_the_ticket_from_every_list_and_expires_it_and_a_reopen_keeps_it(
    lifecycle: Lifecycle, client: redis.Redis, redis_url: str, made: Made
) -> None:
    tid = made.id("close")
    state = opened(lifecycle, tid)
    escalated = act(lifecycle, state, ev.ESCALATED, MON, role="supervisor", reason="督办")
    opened_at = history_entry("routed", at=MON.isoformat(), actor="router", role="system")
    write(redis_url, [Change(ticket_id=tid, old=None, new=escalated, history=[opened_at])])
    assert lists_holding(client, tid) == {OPEN_PREFIX + DEPT, DUE_PREFIX + DEPT, ESCALATED}
    assert client.ttl(STATE_PREFIX + tid) == -1 and client.ttl(HISTORY_PREFIX + tid) == -1

    at = MON + timedelta(minutes=30)
    closed = act(lifecycle, state, ev.CLOSED, at, role="supervisor", reason="撤销")
    closing = history_entry("closed", at=at.isoformat(), actor="s1", role="supervisor")
    write(redis_url, [Change(ticket_id=tid, old=escalated, new=closed, history=[closing])])
    assert lists_holding(client, tid) == set()
    assert 0 < client.ttl(STATE_PREFIX + tid) <= CLOSED_TTL_S
    assert 0 < client.ttl(HISTORY_PREFIX + tid) <= CLOSED_TTL_S
    assert ReadModel(client=client).state(tid)["status"] == "closed"  # type: ignore[index]

    at = MON + timedelta(hours=1)
    reopened = act(lifecycle, state, ev.REOPENED, at, role="supervisor", reason="重办")
    assert reopened["status"] == "signed"
    again = history_entry("reopened", at=at.isoformat(), actor="s1", role="supervisor")
    write(redis_url, [Change(ticket_id=tid, old=closed, new=reopened, history=[again])])
    assert client.ttl(STATE_PREFIX + tid) == -1
    assert client.ttl(HISTORY_PREFIX + tid) == -1
    assert OPEN_PREFIX + DEPT in lists_holding(client, tid)
    assert [e["type"] for e in ReadModel(client=client).history(tid)] == [
        "routed",
        "closed",
        "reopened",
    ]


def test_a_removed_state_takes_its_history_and_list_entries_with_it(
    lifecycle: Lifecycle, client: redis.Redis, redis_url: str, made: Made
) -> None:
    tid = made.id("gone")
    assigned = snap(opened(lifecycle, tid))
    entry = history_entry("routed", at=MON.isoformat(), actor="router", role="system")
    write(redis_url, [Change(ticket_id=tid, old=None, new=assigned, history=[entry])])
    assert client.exists(STATE_PREFIX + tid, HISTORY_PREFIX + tid) == 2
    write(redis_url, [Change(ticket_id=tid, old=assigned, new=None)])
    assert client.exists(STATE_PREFIX + tid, HISTORY_PREFIX + tid) == 0
    assert lists_holding(client, tid) == set()
    reader = ReadModel(client=client)
    assert reader.state(tid) is None and reader.history(tid) == []


def test_history_keeps_an_entry_written_twice_once_and_reads_oldest_first(
    lifecycle: Lifecycle, client: redis.Redis, redis_url: str, made: Made
) -> None:
    tid = made.id("hist")
    assigned = snap(opened(lifecycle, tid))
    first = history_entry(
        "routed", at=MON.isoformat(), actor="router", role="system", department=DEPT, rule=None
    )
    assert "rule" not in first  # None details are left out
    later = history_entry(
        "signed", at=(MON + timedelta(minutes=5)).isoformat(), actor="h7", role="handler"
    )
    write(redis_url, [Change(ticket_id=tid, old=None, new=assigned, history=[later, first])])
    # the same entries again (a redelivery after a restart), as new dict objects
    write(
        redis_url,
        [
            Change(
                ticket_id=tid,
                old=assigned,
                new=assigned,
                history=[json.loads(json.dumps(first)), dict(reversed(list(later.items())))],
            )
        ],
    )
    assert client.zcard(HISTORY_PREFIX + tid) == 2
    assert ReadModel(client=client).history(tid) == [first, later]


def test_later_changes_of_a_ticket_win_across_transaction_chunks(
    lifecycle: Lifecycle, client: redis.Redis, redis_url: str, made: Made
) -> None:
    tid = made.id("chunk")
    state = opened(lifecycle, tid, TRIAGE)
    triage = snap(state)
    assigned = act(
        lifecycle,
        state,
        ev.DISPATCHED,
        MON,
        role="dispatcher",
        department=TRIAGE,
        to_department=DEPT,
    )
    changes = [Change(ticket_id=tid, old=None, new=triage) for _ in range(500)]
    changes.append(Change(ticket_id=tid, old=triage, new=assigned))  # the 501st: a 2nd chunk
    write(redis_url, changes)
    assert lists_holding(client, tid) == {OPEN_PREFIX + DEPT, DUE_PREFIX + DEPT}
    assert ReadModel(client=client).state(tid)["status"] == "assigned"  # type: ignore[index]


def write_department(
    lifecycle: Lifecycle,
    client: redis.Redis,
    redis_url: str,
    made: Made,
    code: str,
    routed: Sequence[datetime],
) -> list[tuple[str, dict]]:
    """Tickets held by department ``code``, routed (and received) at ``routed``."""
    found = []
    for at in routed:
        tid = made.id("dept")
        stored = relabel(snap(opened(lifecycle, tid, at=at)), code)
        store_ticket(client, tid)
        found.append((tid, stored))
    write(redis_url, [Change(ticket_id=t, old=None, new=s) for t, s in found])
    return found


def test_page_reads_oldest_first_and_skips_and_drops_stale_entries(
    lifecycle: Lifecycle, client: redis.Redis, redis_url: str, made: Made
) -> None:
    code, elsewhere = made.code(), made.code()
    hours = [MON - timedelta(hours=h) for h in (1, 4, 3, 2)]
    tickets = write_department(lifecycle, client, redis_url, made, code, hours)
    by_age = [tid for tid, _ in sorted(tickets, key=lambda t: t[1]["received_at"])]
    reader = ReadModel(client=client)
    key = OPEN_PREFIX + code
    page = reader.page(key)
    assert page.total == 4
    assert [i.ticket_id for i in page.items] == by_age
    assert [i.score for i in page.items] == sorted(s["received_at"] for _, s in tickets)
    first = page.items[0]
    assert first.state == dict(tickets)[first.ticket_id]
    assert first.ticket["ticket_id"] == first.ticket_id
    assert [i.ticket_id for i in reader.page(key, start=1, count=2).items] == by_age[1:3]
    assert reader.page(key, max_score=page.items[1].score).total == 2

    # the tracker moved one away but its list entry was missed; another lost its state,
    # a third its routed ticket
    moved, no_state, no_ticket, kept = by_age
    client.set(STATE_PREFIX + moved, json.dumps(relabel(dict(tickets)[moved], elsewhere)))
    client.delete(STATE_PREFIX + no_state)
    client.delete(TICKET_PREFIX + no_ticket)
    page = reader.page(key)
    assert page.total == 4  # counted before the stale ones were seen
    assert [i.ticket_id for i in page.items] == [kept]
    assert [m.decode() for m in client.zrange(key, 0, -1)] == [kept]  # the stale ones dropped
    assert reader.page(key).total == 1


def test_page_with_a_holder_lists_only_what_that_department_holds(
    lifecycle: Lifecycle, client: redis.Redis, redis_url: str, made: Made
) -> None:
    code = made.code()
    write_department(lifecycle, client, redis_url, made, code, [MON, MON + timedelta(hours=1)])
    reader = ReadModel(client=client)
    assert len(reader.page(OPEN_PREFIX + code, holder=code).items) == 2
    assert reader.page(OPEN_PREFIX + code, holder="SOMEONE_ELSE").items == []
    assert client.zcard(OPEN_PREFIX + code) == 2  # not stale: left in the list
    assert len(reader.page(DUE_PREFIX + code, holder=code).items) == 2


def test_counters_count_open_and_overdue_tickets(
    lifecycle: Lifecycle, client: redis.Redis, redis_url: str, made: Made
) -> None:
    code, empty = made.code(), made.code()
    tickets = write_department(
        lifecycle, client, redis_url, made, code, [MON, MON + timedelta(days=1)]
    )
    dues = sorted(entries(s)[DUE_PREFIX + code] for _, s in tickets)
    reader = ReadModel(client=client)
    assert reader.counters([code, empty], now=MON.timestamp()) == {
        code: {"open": 2, "overdue": 0},
        empty: {"open": 0, "overdue": 0},
    }
    assert reader.counters([code], now=dues[0] + 1)[code] == {"open": 2, "overdue": 1}
    assert reader.counters([code], now=dues[1] + 1)[code] == {"open": 2, "overdue": 2}


def test_overdue_lists_only_past_deadline_tickets_most_overdue_first(
    lifecycle: Lifecycle, client: redis.Redis, redis_url: str, made: Made
) -> None:
    one, two = made.code(), made.code()
    early, late = write_department(
        lifecycle, client, redis_url, made, one, [MON - timedelta(hours=2), MON + timedelta(days=1)]
    )
    (middle,) = write_department(lifecycle, client, redis_url, made, two, [MON])
    due = {tid: entries(s)[DUE_PREFIX + s["department"]] for tid, s in (early, late, middle)}
    assert due[early[0]] < due[middle[0]] < due[late[0]]
    reader = ReadModel(client=client)
    now = (due[middle[0]] + due[late[0]]) / 2
    found = reader.overdue([two, one], now=now)
    assert [i.ticket_id for i in found.items] == [early[0], middle[0]] and found.total == 2
    assert [i.score for i in found.items] == [due[early[0]], due[middle[0]]]
    first = reader.overdue([one, two], now=now, limit=1)
    assert [i.ticket_id for i in first.items] == [early[0]] and first.total == 2
    everything = reader.overdue([one, two], now=due[late[0]] + 1)
    assert [i.ticket_id for i in everything.items] == [early[0], middle[0], late[0]]
    none = reader.overdue([one, two], now=due[early[0]] - 1)
    assert none.items == [] and none.total == 0


# ---------------------------------------------------------------- the tracker's changes


@pytest.fixture
def tracker(lifecycle: Lifecycle) -> Tracker:
    metrics = Metrics(registry=CollectorRegistry(), clock_buckets=lifecycle.policy.buckets())
    return Tracker(lifecycle=lifecycle, metrics=metrics, closed_retention_s=30 * 86400)


def routed_record(
    ticket_id: str, *, offset: int, partition: int = 0, department: str = DEPT
) -> Record:
    ticket = routed_ticket(ticket_id, department, MON, request_type="求助")
    return Record(
        topic=ROUTED,
        partition=partition,
        offset=offset,
        timestamp_ms=0,
        key=ticket_id.encode(),
        value=ticket.to_json(),
    )


def event_record(event: ev.TicketEvent, *, offset: int) -> Record:
    return Record(
        topic=ev.EVENTS,
        partition=0,
        offset=offset,
        timestamp_ms=0,
        key=event.ticket_id.encode(),
        value=event.to_json(),
    )


def signed_event(ticket_id: str, at: datetime = MON + timedelta(minutes=5)) -> ev.TicketEvent:
    return ev.TicketEvent(
        ticket_id=ticket_id, type=ev.SIGNED, at=at, actor="h7", role="handler", department=DEPT
    )


def test_a_routed_ticket_is_a_change_with_a_routed_history_entry(tracker: Tracker) -> None:
    table: dict = {}
    assert tracker.handle(table, routed_record("tr-1", offset=3)) == []
    (change,) = tracker.changes
    assert change.ticket_id == "tr-1" and change.old is None
    assert change.new == table[b"tr-1"] and change.new["status"] == "assigned"
    assert change.history == [
        {
            "type": "routed",
            "at": MON.isoformat(),
            "actor": "router",
            "role": "system",
            "department": DEPT,
            "method": "model",
            "confidence": 0.9,
            "model_version": "test",
        }
    ]
    # routed again: the first routing holds and nothing is recorded
    tracker.handle(table, routed_record("tr-1", offset=4))
    assert len(tracker.changes) == 1


def test_an_applied_event_is_a_change_with_who_did_it(tracker: Tracker) -> None:
    table: dict = {}
    tracker.handle(table, routed_record("tr-2", offset=1))
    before = copy.deepcopy(table[b"tr-2"])
    tracker.drain()
    event = signed_event("tr-2")
    assert tracker.handle(table, event_record(event, offset=7)) == []
    (change,) = tracker.drain()
    assert change.old is not None and change.old["status"] == before["status"] == "assigned"
    assert change.new == table[b"tr-2"] and change.new["status"] == "signed"
    (entry,) = change.history
    assert entry == {
        "type": "signed",
        "at": event.at.isoformat(),
        "actor": "h7",
        "role": "handler",
        "department": DEPT,
        "ticket_id": "tr-2",
        "event_id": event.event_id,
    }
    # a redelivery and the same action sent again record nothing
    tracker.handle(table, event_record(event, offset=7))
    tracker.handle(table, event_record(event, offset=8))
    assert tracker.drain() == []


def test_a_refused_event_is_recorded_with_its_reason_and_the_state_unchanged(
    tracker: Tracker,
) -> None:
    table: dict = {}
    tracker.handle(table, routed_record("tr-3", offset=1))
    before = copy.deepcopy(table[b"tr-3"])
    tracker.drain()
    reply = ev.TicketEvent(
        ticket_id="tr-3",
        type=ev.REPLIED,
        at=MON + timedelta(minutes=1),
        actor="h7",
        role="handler",
        department=DEPT,
        reply="已修复",
    )
    (letter,) = tracker.handle(table, event_record(reply, offset=2))
    assert json.loads(letter[2])["reason"] == "illegal_transition"
    (change,) = tracker.drain()
    assert change.old == change.new == before
    (entry,) = change.history
    assert entry["type"] == "replied" and entry["refused"] == "illegal_transition"
    assert entry["actor"] == "h7" and entry["role"] == "handler" and entry["detail"]
    assert entry["at"] == reply.at.isoformat() and entry["reply"] == "已修复"
    assert "schema_version" not in entry
    assert {**table[b"tr-3"], "offsets": before["offsets"]} == before  # only the offset moved


def test_drain_hands_over_the_changes_once(tracker: Tracker) -> None:
    table: dict = {}
    tracker.handle(table, routed_record("tr-4", offset=1))
    tracker.handle(table, event_record(signed_event("tr-4"), offset=2))
    assert [c.history[0]["type"] for c in tracker.drain()] == ["routed", "signed"]
    assert tracker.drain() == [] and tracker.changes == []


def test_a_partition_rebuild_rewrites_the_states_of_the_new_partitions(tracker: Tracker) -> None:
    table: dict = {}
    tracker.handle(table, routed_record("tr-p0", offset=1, partition=0))
    tracker.handle(table, routed_record("tr-p1", offset=1, partition=1))
    tracker.handle(table, routed_record("tr-p0b", offset=2, partition=0, department=TRIAGE))
    tracker.drain()
    now = MON.timestamp()
    tracker.scan(table, now=now, partitions={0})
    rebuilt = tracker.drain()
    assert sorted(c.ticket_id for c in rebuilt) == ["tr-p0", "tr-p0b"]
    assert all(c.old is None and c.new == table[c.ticket_id.encode()] for c in rebuilt)
    assert all(c.history == [] for c in rebuilt)
    tracker.scan(table, now=now, partitions={0})  # same partitions: nothing to rewrite
    assert tracker.drain() == []
    tracker.scan(table, now=now, partitions={0, 1})
    assert sorted(c.ticket_id for c in tracker.drain()) == ["tr-p0", "tr-p0b", "tr-p1"]


def test_forgetting_a_ticket_is_a_change_to_nothing(tracker: Tracker) -> None:
    table: dict = {}
    tracker.handle(table, routed_record("tr-5", offset=1))
    stored = table[b"tr-5"]
    tracker.drain()
    tracker.forget(table, b"tr-5")
    (change,) = tracker.drain()
    assert change.old == stored and change.new is None and b"tr-5" not in table


def test_the_tracker_changes_written_out_are_what_the_console_reads(
    tracker: Tracker, client: redis.Redis, redis_url: str, made: Made
) -> None:
    tid = made.id("e2e")
    store_ticket(client, tid)
    table: dict = {}
    tracker.handle(table, routed_record(tid, offset=1))
    tracker.handle(table, event_record(signed_event(tid), offset=2))
    write(redis_url, tracker.drain())
    reader = ReadModel(client=client)
    assert reader.state(tid) == table[tid.encode()]
    assert [(e["type"], e["actor"]) for e in reader.history(tid)] == [
        ("routed", "router"),
        ("signed", "h7"),
    ]
    assert [
        i.ticket_id
        for i in reader.page(OPEN_PREFIX + DEPT, holder=DEPT, count=10_000).items
        if i.ticket_id == tid
    ] == [tid]


def test_a_record_that_fails_halfway_leaves_the_stored_state_as_it_was(
    tracker: Tracker,
) -> None:
    table: dict = {}
    tracker.handle(table, routed_record("tr-6", offset=1, department=TRIAGE))
    before = copy.deepcopy(table[b"tr-6"])
    dispatch = ev.TicketEvent(
        ticket_id="tr-6",
        type=ev.DISPATCHED,
        at=datetime(2099, 3, 2, 10, 0, tzinfo=TZ),  # no working calendar knows 2099
        actor="d1",
        role="dispatcher",
        department=TRIAGE,
        to_department=DEPT,
    )
    (letter,) = tracker.handle(table, event_record(dispatch, offset=2))
    assert json.loads(letter[2])["reason"] == "unknown_calendar_year"
    after = dict(table[b"tr-6"])
    # consumed (a redelivery is skipped) but otherwise untouched, history included
    assert after.pop("offsets") == {**before["offsets"], "tickets.events": 2}
    assert after == {k: v for k, v in before.items() if k != "offsets"}
    (refused,) = [c for c in tracker.drain() if c.history and "refused" in c.history[0]]
    assert refused.history[0]["refused"] == "unknown_calendar_year"


def test_a_batch_writes_each_ticket_once_from_its_first_old_to_its_last_new_state() -> None:
    first = {"status": "triage"}
    changes = [
        Change(ticket_id="a", old=None, new=first, history=[{"type": "routed"}]),
        Change(ticket_id="b", old=None, new={"status": "assigned"}),
        Change(ticket_id="a", old=first, new={"status": "assigned"}, history=[{"type": "d"}]),
        Change(ticket_id="a", old={"status": "assigned"}, new={"status": "signed"}),
    ]
    merged = coalesce(changes)
    assert list(merged) == ["a", "b"]
    assert merged["a"].old is None and merged["a"].new == {"status": "signed"}
    assert [h["type"] for h in merged["a"].history] == ["routed", "d"]
    assert changes[0].history == [{"type": "routed"}]  # the inputs are left as they were
