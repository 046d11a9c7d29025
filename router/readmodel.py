"""The console's read model in Redis: each ticket's lifecycle state, the lists agents work
from, and each ticket's history. Written by the tracker, read by the console.

Keys (besides ``hotline:ticket:<id>``, the routed ticket written by the route stage):

- ``hotline:state:<id>``: the ticket's :class:`~router.lifecycle.TicketState` as JSON.
- ``hotline:open:<CODE>``: open tickets held by a department (or ``TRIAGE``), scored by when
  they were received, so a queue reads oldest first.
- ``hotline:due:<CODE>``: the same tickets that have a running clock, scored by the earliest
  deadline: most urgent first, and the overdue ones are those scored before now.
- ``hotline:callbacks``: replied tickets not yet called back, by callback deadline.
- ``hotline:escalated``: open tickets a supervisor escalated or the tracker escalated.
- ``hotline:history:<id>``: the audit trail, one JSON entry per routing, event, refused
  event and alert, scored by time (the same entry written twice is kept once).

Like every Redis key, this is derived state: the tracker rewrites the states of its
partitions when it takes them over, and a list entry whose state has moved on is skipped
(and dropped) by the reader.
"""

from __future__ import annotations

import heapq
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import redis
import redis.asyncio as aioredis

from router.departments import TRIAGE
from router.queues import TICKET_PREFIX
from topics.alerts import SlaAlert
from topics.events import TicketEvent
from topics.schemas import Ticket

STATE_PREFIX = "hotline:state:"
OPEN_PREFIX = "hotline:open:"
DUE_PREFIX = "hotline:due:"
CALLBACKS = "hotline:callbacks"
ESCALATED = "hotline:escalated"
HISTORY_PREFIX = "hotline:history:"

_IN_DEPARTMENT = frozenset({"assigned", "signed", "contacted"})
_CHUNK = 500  # tickets per Redis transaction


def entries(stored: dict | None) -> dict[str, float]:
    """The list keys a stored state belongs in, with its score in each."""
    if stored is None:
        return {}
    status = stored["status"]
    department = stored["department"]
    found: dict[str, float] = {}
    if status == "triage":
        found[OPEN_PREFIX + TRIAGE] = stored["received_at"]
    elif status in _IN_DEPARTMENT:
        found[OPEN_PREFIX + department] = stored["received_at"]
        due = earliest_deadline(stored, exclude=("callback",))
        if due is not None:
            found[DUE_PREFIX + department] = due
    elif status == "replied" and not stored["rating"]:
        callback = stored["clocks"].get("callback") or {}
        found[CALLBACKS] = callback.get("deadline") or stored["updated_at"]
    if status not in ("closed", "merged") and (stored["escalated"] or stored["escalations"]):
        found[ESCALATED] = stored["updated_at"]
    return found


def earliest_deadline(stored: dict, *, exclude: Iterable[str] = ()) -> float | None:
    """The nearest deadline of the state's running clocks (None: none is running)."""
    deadlines = [
        clock["deadline"]
        for name, clock in stored["clocks"].items()
        if name not in exclude and clock["ended"] is None and clock["deadline"] is not None
    ]
    return min(deadlines) if deadlines else None


@dataclass(kw_only=True)
class Change:
    """A ticket's state before and after one write of the tracker, and its new history."""

    ticket_id: str
    old: dict | None
    new: dict | None  # None: the state was removed (retention over)
    history: list[dict] = field(default_factory=list)


def coalesce(changes: Iterable[Change]) -> dict[str, Change]:
    """Per ticket, in order of first appearance: its first old state, its last new state
    and every history entry, so a batch writes each ticket once."""
    merged: dict[str, Change] = {}
    for change in changes:
        seen = merged.get(change.ticket_id)
        if seen is None:
            merged[change.ticket_id] = Change(
                ticket_id=change.ticket_id,
                old=change.old,
                new=change.new,
                history=list(change.history),
            )
        else:
            seen.new = change.new
            seen.history.extend(change.history)
    return merged


def history_entry(kind: str, *, at: str, **details: Any) -> dict:
    """One audit-trail entry: what happened (``kind``), when (ISO 8601) and its details."""
    return {"type": kind, "at": at, **{k: v for k, v in details.items() if v is not None}}


def routed_entry(ticket: Ticket) -> dict:
    """The history entry of a ticket's routing decision."""
    routing = ticket.routing
    assert routing is not None, "route the ticket first"
    return history_entry(
        "routed",
        at=routing.routed_at or ticket.received_at,
        actor="router",
        role="system",
        department=routing.department,
        method=routing.method,
        confidence=round(routing.confidence, 4),
        model_version=routing.model_version or None,
        rule=routing.rule,
    )


def event_entry(event: TicketEvent, **details: Any) -> dict:
    """The history entry of a lifecycle event (``details``: e.g. why it was refused)."""
    entry = event.to_dict()
    entry.pop("schema_version")
    kind, at = entry.pop("type"), entry.pop("at")
    return history_entry(kind, at=at, **entry, **details)


def alert_entry(alert: SlaAlert) -> dict:
    """The history entry of an SLA alert the tracker raised."""
    return history_entry(
        "alert",
        at=alert.at,
        actor="tracker",
        role="system",
        level=alert.level,
        clock=alert.clock,
        department=alert.department,
        reason=alert.reason,
        alert_id=alert.alert_id,
    )


def _dumps(data: Any) -> str:
    """A history entry's JSON: keys sorted, so an entry written twice is one member."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _timestamp(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


class ReadModelWriter:
    """Writes the tracker's changes to Redis (asyncio), a transaction per chunk."""

    def __init__(self, *, client: aioredis.Redis, closed_ttl_s: float) -> None:
        """``closed_ttl_s``: how long a closed ticket's state and history stay."""
        self.client = client
        self.closed_ttl_s = int(closed_ttl_s)

    async def write(self, changes: Sequence[Change]) -> None:
        """Apply ``changes`` in order: each ticket's changes become one (its first old
        state, its last new state, all its history entries)."""
        merged = list(coalesce(changes).values())
        for start in range(0, len(merged), _CHUNK):
            async with self.client.pipeline(transaction=True) as pipe:
                for change in merged[start : start + _CHUNK]:
                    self._queue(pipe, change)
                await pipe.execute()

    async def depths(self, codes: Sequence[str]) -> dict[str, int]:
        """Open tickets each department (or ``TRIAGE``) holds now, in one round trip."""
        async with self.client.pipeline(transaction=False) as pipe:
            for code in codes:
                pipe.zcard(OPEN_PREFIX + code)
            counts = await pipe.execute()
        return dict(zip(codes, counts, strict=True))

    def _queue(self, pipe: Any, change: Change) -> None:
        ticket_id = change.ticket_id
        old, new = entries(change.old), entries(change.new)
        for key in old.keys() - new.keys():
            pipe.zrem(key, ticket_id)
        for key, score in new.items():
            pipe.zadd(key, {ticket_id: score})
        history = HISTORY_PREFIX + ticket_id
        if change.history:
            pipe.zadd(history, {_dumps(e): _timestamp(e["at"]) for e in change.history})
        if change.new is None:
            pipe.delete(STATE_PREFIX + ticket_id, history)
            return
        closed = change.new["status"] in ("closed", "merged")
        ttl = self.closed_ttl_s if closed else None
        state = json.dumps(change.new, ensure_ascii=False, separators=(",", ":"))
        pipe.set(STATE_PREFIX + ticket_id, state, ex=ttl)
        if closed:
            pipe.expire(history, self.closed_ttl_s)
        elif change.old is not None and change.old["status"] in ("closed", "merged"):
            pipe.persist(history)  # reopened


@dataclass(frozen=True, kw_only=True)
class Listed:
    """A ticket in a list: its lifecycle state and its routed ticket (JSON data)."""

    ticket_id: str
    score: float
    state: dict
    ticket: dict


@dataclass(frozen=True, kw_only=True)
class Page:
    """A page of a list and how many tickets the whole list holds."""

    total: int
    items: list[Listed]


class ReadModel:
    """Reads the console's view of tickets from Redis (synchronous)."""

    def __init__(self, *, client: redis.Redis) -> None:
        self.client = client

    def state(self, ticket_id: str) -> dict | None:
        """The ticket's lifecycle state, or None if the tracker has not seen it."""
        raw = self.client.get(STATE_PREFIX + ticket_id)
        return json.loads(raw) if raw is not None else None

    def ticket(self, ticket_id: str) -> dict | None:
        """The routed ticket (contact included), or None if it was never routed."""
        raw = self.client.get(TICKET_PREFIX + ticket_id)
        return json.loads(raw) if raw is not None else None

    def history(self, ticket_id: str) -> list[dict]:
        """The ticket's audit trail, oldest first."""
        return [json.loads(raw) for raw in self.client.zrange(HISTORY_PREFIX + ticket_id, 0, -1)]

    def page(
        self,
        key: str,
        *,
        start: int = 0,
        count: int = 50,
        max_score: float | None = None,
        holder: str | None = None,
    ) -> Page:
        """Entries ``start`` to ``start + count`` of list ``key`` by score (up to
        ``max_score``), with their states and tickets; with ``holder``, only tickets that
        department (or ``TRIAGE``) still holds."""
        high: float | str = "+inf" if max_score is None else max_score
        with self.client.pipeline(transaction=False) as pipe:
            pipe.zcount(key, "-inf", high)
            pipe.zrangebyscore(key, "-inf", high, start=start, num=count, withscores=True)
            total, members = pipe.execute()
        return Page(total=total, items=self._listed(key, members, holder=holder))

    def _listed(
        self, key: str, members: list[tuple[bytes, float]], *, holder: str | None
    ) -> list[Listed]:
        ids = [member.decode() for member, _ in members]
        if not ids:
            return []
        with self.client.pipeline(transaction=False) as pipe:
            for ticket_id in ids:
                pipe.get(STATE_PREFIX + ticket_id)
                pipe.get(TICKET_PREFIX + ticket_id)
            raws = pipe.execute()
        listed, stale = [], []
        for i, (ticket_id, (_, score)) in enumerate(zip(ids, members, strict=True)):
            state_raw, ticket_raw = raws[2 * i], raws[2 * i + 1]
            state = json.loads(state_raw) if state_raw is not None else None
            if state is None or ticket_raw is None or key not in entries(state):
                stale.append(ticket_id)
                continue
            if holder is not None and state["department"] != holder:
                continue
            listed.append(
                Listed(ticket_id=ticket_id, score=score, state=state, ticket=json.loads(ticket_raw))
            )
        if stale:
            self.client.zrem(key, *stale)
        return listed

    def counters(self, codes: Iterable[str], *, now: float | None = None) -> dict[str, dict]:
        """Per department: open tickets and, among them, those past a deadline."""
        now = time.time() if now is None else now
        codes = list(codes)
        with self.client.pipeline(transaction=False) as pipe:
            for code in codes:
                pipe.zcard(OPEN_PREFIX + code)
                pipe.zcount(DUE_PREFIX + code, "-inf", now)
            values = pipe.execute()
        return {
            code: {"open": values[2 * i], "overdue": values[2 * i + 1]}
            for i, code in enumerate(codes)
        }

    def overdue(self, codes: Iterable[str], *, now: float | None = None, limit: int = 50) -> Page:
        """The ``limit`` most overdue tickets across ``codes``' queues, most overdue first,
        and how many are overdue in all (reads only the tickets it returns)."""
        now = time.time() if now is None else now
        codes = list(codes)
        with self.client.pipeline(transaction=False) as pipe:
            for code in codes:
                pipe.zcount(DUE_PREFIX + code, "-inf", now)
                pipe.zrangebyscore(
                    DUE_PREFIX + code, "-inf", now, start=0, num=limit, withscores=True
                )
            replies = pipe.execute()
        total = sum(replies[0::2])
        ranked = heapq.nsmallest(
            limit,
            (
                (score, code, member)
                for code, members in zip(codes, replies[1::2], strict=True)
                for member, score in members
            ),
        )
        chosen: dict[str, list[tuple[bytes, float]]] = {}
        for score, code, member in ranked:
            chosen.setdefault(code, []).append((member, score))
        found = [
            item
            for code, members in chosen.items()
            for item in self._listed(DUE_PREFIX + code, members, holder=code)
        ]
        found.sort(key=lambda item: item.score)
        return Page(total=total, items=found)
