"""Department work queues in Redis, written exactly once per ticket.

- ``hotline:queue:<CODE>``: a Redis Stream per department (and ``TRIAGE``); one entry per
  ticket with what an agent needs to pick it up (no contact details).
- ``hotline:ticket:<ticket_id>``: the whole routed ticket (JSON, contact included): the read
  model the console shows a handler who must call the citizen back.
- ``hotline:dedup:<ticket_id>``: ``queued`` once the entry is in its stream, ``published``
  once the routed record is on ``tickets.routed`` too; expires after the dedup TTL.

The stream entry, the ticket and the dedup mark are written by one Lua script, so a
redelivered ticket can never produce a second entry.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import redis
import redis.asyncio as aioredis

from topics.schemas import Ticket

QUEUE_PREFIX = "hotline:queue:"
TICKET_PREFIX = "hotline:ticket:"
DEDUP_PREFIX = "hotline:dedup:"

NEW = "new"  # first time: the entry was written now
QUEUED = "queued"  # written before, but the routed record may not be on Kafka yet
PUBLISHED = "published"  # fully done before: a duplicate

_ENQUEUE = """
local state = redis.call('GET', KEYS[1])
if state then return state end
redis.call('XADD', KEYS[2], '*', unpack(ARGV, 3))
redis.call('SET', KEYS[3], ARGV[2])
redis.call('SET', KEYS[1], 'queued', 'EX', ARGV[1])
return 'new'
"""


def queue_entry(ticket: Ticket) -> dict[str, str]:
    """The stream fields of a routed ticket's queue entry (no personal data)."""
    routing = ticket.routing
    assert routing is not None, "route the ticket first"
    return {
        "ticket_id": ticket.ticket_id,
        "channel": ticket.channel,
        "received_at": ticket.received_at,
        "routed_at": routing.routed_at,
        "department": routing.department,
        "method": routing.method,
        "confidence": f"{routing.confidence:.4f}",
        "top": json.dumps(routing.top, ensure_ascii=False),
        "rule": routing.rule or "",
        "urgency": ticket.urgency,
        "request_type": ticket.request_type,
        "title": ticket.title,
        "text": ticket.text,
        "district": ticket.location.district or "",
    }


class QueueWriter:
    """Writes routed tickets into their department's stream, idempotently (asyncio)."""

    def __init__(self, *, client: aioredis.Redis, dedup_ttl_s: int) -> None:
        self.client = client
        self.dedup_ttl_s = dedup_ttl_s
        self._script = client.register_script(_ENQUEUE)

    async def enqueue(self, tickets: Sequence[tuple[Ticket, bytes]]) -> list[str]:
        """Write each (ticket, its JSON) once; returns NEW, QUEUED or PUBLISHED per ticket."""
        async with self.client.pipeline(transaction=False) as pipe:
            for ticket, ticket_json in tickets:
                assert ticket.routing is not None
                fields = [item for pair in queue_entry(ticket).items() for item in pair]
                await self._script(
                    keys=[
                        DEDUP_PREFIX + ticket.ticket_id,
                        ticket.routing.queue,
                        TICKET_PREFIX + ticket.ticket_id,
                    ],
                    args=[self.dedup_ttl_s, ticket_json, *fields],
                    client=pipe,
                )
            results = await pipe.execute()
        return [r.decode() if isinstance(r, bytes) else str(r) for r in results]

    async def mark_published(self, ticket_ids: Sequence[str]) -> None:
        """Record that these tickets' routed records are on Kafka."""
        if not ticket_ids:
            return
        async with self.client.pipeline(transaction=False) as pipe:
            for ticket_id in ticket_ids:
                pipe.set(DEDUP_PREFIX + ticket_id, PUBLISHED, xx=True, keepttl=True)
            await pipe.execute()


def queue_depths(client: redis.Redis, queues: dict[str, str]) -> dict[str, int]:
    """Entries per queue (``{code: stream key}``), in one round trip."""
    with client.pipeline(transaction=False) as pipe:
        for key in queues.values():
            pipe.xlen(key)
        lengths = pipe.execute()
    return dict(zip(queues, lengths, strict=True))
