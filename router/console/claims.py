"""Claims on tickets in a department queue: one handler at a time works a ticket.

``hotline:claim:<ticket_id>`` holds the handler's user name with an expiry; taking it is a
single ``SET NX`` so two handlers can never both hold it, and a claim nobody touches for
``timeout_s`` expires, returning the ticket to the queue. Every action of the holder
renews it.
"""

from __future__ import annotations

from collections.abc import Sequence

import redis

CLAIM_PREFIX = "hotline:claim:"

# take the claim if free, renew it if already ours; returns the holder
_CLAIM = """
local holder = redis.call('GET', KEYS[1])
if holder == false or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
  return ARGV[1]
end
return holder
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class Claims:
    """Takes, renews, reads and releases claims."""

    def __init__(self, *, client: redis.Redis, timeout_s: int) -> None:
        self.client = client
        self.timeout_s = timeout_s
        self._claim = client.register_script(_CLAIM)
        self._release = client.register_script(_RELEASE)

    def claim(self, ticket_id: str, username: str) -> str:
        """Take (or renew) the claim for ``username``; returns who holds it now."""
        holder = self._claim(keys=[CLAIM_PREFIX + ticket_id], args=[username, self.timeout_s])
        return holder.decode() if isinstance(holder, bytes) else str(holder)

    def release(self, ticket_id: str, username: str) -> bool:
        """Give the claim back if ``username`` holds it; returns whether it did."""
        return bool(self._release(keys=[CLAIM_PREFIX + ticket_id], args=[username]))

    def holders(self, ticket_ids: Sequence[str]) -> dict[str, str]:
        """Who holds each of ``ticket_ids`` (unclaimed ones left out)."""
        if not ticket_ids:
            return {}
        values = self.client.mget([CLAIM_PREFIX + t for t in ticket_ids])
        return {t: v.decode() for t, v in zip(ticket_ids, values, strict=True) if v is not None}

    def holder(self, ticket_id: str) -> str | None:
        """Who holds ``ticket_id``'s claim, if anyone."""
        return self.holders([ticket_id]).get(ticket_id)

    def expires_in(self, ticket_id: str) -> int | None:
        """Seconds left on the claim, None when unclaimed."""
        ttl = self.client.ttl(CLAIM_PREFIX + ticket_id)
        return ttl if ttl >= 0 else None
