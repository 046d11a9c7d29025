"""Console sessions in Redis: a random token in an HttpOnly cookie, its SHA-256 as the key.

A session remembers the user's role, department and account generation (bumped by a
password reset or a disable, which ends every session of the account), and its CSRF token.
It expires after ``session_ttl_s`` without use.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import asdict, dataclass

import redis

from router.console.accounts import User

COOKIE = "hotline_session"
SESSION_PREFIX = "hotline:session:"


@dataclass(frozen=True, kw_only=True)
class Session:
    """A logged-in user as the console sees them."""

    username: str
    role: str
    department: str | None
    display_name: str
    generation: int
    csrf: str
    created_at: float

    def csrf_ok(self, token: str | None) -> bool:
        """Whether ``token`` is this session's CSRF token."""
        return bool(token) and hmac.compare_digest(self.csrf, token or "")


def _key(token: str) -> str:
    return SESSION_PREFIX + hashlib.sha256(token.encode()).hexdigest()


class Sessions:
    """Creates, reads and ends sessions."""

    def __init__(self, *, client: redis.Redis, ttl_s: int) -> None:
        self.client = client
        self.ttl_s = ttl_s

    def create(self, user: User) -> str:
        """Start a session for ``user``; returns the cookie value."""
        token = secrets.token_urlsafe(32)
        session = Session(
            username=user.username,
            role=user.role,
            department=user.department,
            display_name=user.display_name or user.username,
            generation=user.generation,
            csrf=secrets.token_urlsafe(32),
            created_at=time.time(),
        )
        self.client.set(_key(token), json.dumps(asdict(session)), ex=self.ttl_s)
        return token

    def get(self, token: str | None, *, touch: bool = True) -> Session | None:
        """The live session of a cookie value, or None; ``touch`` pushes its expiry back
        (a page's own background refresh does not: an idle session still ends)."""
        if not token:
            return None
        key = _key(token)
        with self.client.pipeline(transaction=False) as pipe:
            pipe.get(key)
            if touch:
                pipe.expire(key, self.ttl_s)  # a no-op when the session is gone
            raw = pipe.execute()[0]
        return Session(**json.loads(raw)) if raw is not None else None

    def end(self, token: str | None) -> None:
        """Log out: the cookie value no longer opens a session."""
        if token:
            self.client.delete(_key(token))
