"""Fixed-window rate limits in Redis, shared by every console process.

One counter per bucket and window: the first hit of a window creates the counter and sets
it to expire when the window ends; every hit increments it; a bucket is over its limit while
its counter is above ``limit``. How long until it is allowed again is the counter's
remaining time to live.

Bucket names may hold user names or client addresses, so the Redis key carries a SHA-256
prefix of the bucket, never the bucket text: ``hotline:rate:<sha256 hex, 32 chars>``.

The increment and the expiry run in one Lua script (atomic, one round trip). It sets the
expiry only on a counter that has none, which is ``EXPIRE NX`` of Redis 7 written so that it
also runs on the Redis 6.2 the embedded services ship.
"""

from __future__ import annotations

import hashlib
import math

import redis

PREFIX = "hotline:rate:"

# KEYS[1]: the counter; ARGV[1]: the window in milliseconds. Returns {count, pttl}.
_HIT = """
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
    redis.call('PEXPIRE', KEYS[1], ARGV[1])
    ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""


def _window_ms(window_s: float) -> int:
    if window_s <= 0:
        raise ValueError("window_s must be positive")
    return max(1, math.ceil(window_s * 1000))


class RateLimiter:
    """Fixed-window counters per bucket (e.g. ``"login:<user>:<address>"``)."""

    def __init__(self, *, client: redis.Redis, prefix: str = PREFIX) -> None:
        self.client = client
        self.prefix = prefix
        self._hit = client.register_script(_HIT)

    def key(self, bucket: str) -> str:
        """The Redis key of ``bucket``: the prefix and a SHA-256 prefix of the bucket."""
        digest = hashlib.sha256(bucket.encode("utf-8", "surrogatepass")).hexdigest()
        return self.prefix + digest[:32]

    def check(self, bucket: str, *, limit: int, window_s: float) -> float | None:
        """Seconds until ``bucket`` may be hit again if it is already at ``limit``, else
        None. Counts nothing."""
        _window_ms(window_s)
        with self.client.pipeline(transaction=False) as pipe:
            pipe.get(self.key(bucket))
            pipe.pttl(self.key(bucket))
            raw, ttl = pipe.execute()
        if raw is None or int(raw) < limit or int(ttl) == -2:  # -2: expired meanwhile
            return None
        return self._retry_after(ttl, window_s)

    def hit(self, bucket: str, *, limit: int, window_s: float) -> float | None:
        """Count one hit of ``bucket``; seconds until it is allowed again if this hit goes
        over ``limit`` in the current window, else None."""
        count, ttl = self._hit(keys=[self.key(bucket)], args=[_window_ms(window_s)])
        if int(count) <= limit:
            return None
        return self._retry_after(ttl, window_s)

    def reset(self, bucket: str) -> None:
        """Forget ``bucket``'s counter (e.g. after a successful log-in)."""
        self.client.delete(self.key(bucket))

    @staticmethod
    def _retry_after(ttl_ms: int, window_s: float) -> float:
        ttl = int(ttl_ms)
        if ttl < 0:  # -1: no expiry (the key was set by something else)
            return float(window_s)
        return max(ttl, 1) / 1000
