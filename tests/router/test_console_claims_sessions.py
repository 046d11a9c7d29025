"""Ticket claims and console sessions, on a real Redis server."""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
import redis

from router.console.accounts import User
from router.console.claims import CLAIM_PREFIX, Claims
from router.console.sessions import SESSION_PREFIX, Session, Sessions


@pytest.fixture(scope="module")
def client(services) -> Iterator[redis.Redis]:
    assert services.state is not None
    client = redis.Redis.from_url(services.state.redis_url)
    yield client
    client.close()


@pytest.fixture
def ticket_ids(client: redis.Redis) -> Iterator[list[str]]:
    """Fresh ticket ids for one test; their claims are removed afterwards."""
    ids = [f"claim-test-{uuid.uuid4().hex[:12]}" for _ in range(5)]
    yield ids
    client.delete(*[CLAIM_PREFIX + t for t in ids])


@pytest.fixture
def claims(client: redis.Redis) -> Claims:
    return Claims(client=client, timeout_s=60)


# ---------------------------------------------------------------- claims


def test_the_first_handler_holds_the_claim_and_the_second_is_told_who(
    claims: Claims, ticket_ids: list[str]
) -> None:
    tid = ticket_ids[0]
    assert claims.holder(tid) is None and claims.expires_in(tid) is None
    assert claims.claim(tid, "wang.fang") == "wang.fang"
    assert claims.claim(tid, "li.lei") == "wang.fang"
    assert claims.holder(tid) == "wang.fang"
    assert 0 < claims.expires_in(tid) <= 60  # type: ignore[operator]


def test_the_holder_renews_the_claim_and_others_do_not(
    client: redis.Redis, claims: Claims, ticket_ids: list[str]
) -> None:
    tid = ticket_ids[0]
    claims.claim(tid, "wang.fang")
    client.expire(CLAIM_PREFIX + tid, 5)
    assert claims.claim(tid, "li.lei") == "wang.fang"
    assert claims.expires_in(tid) <= 5  # type: ignore[operator]
    assert claims.claim(tid, "wang.fang") == "wang.fang"
    assert 55 < claims.expires_in(tid) <= 60  # type: ignore[operator]


def test_only_the_holder_releases_the_claim(claims: Claims, ticket_ids: list[str]) -> None:
    tid = ticket_ids[0]
    assert claims.release(tid, "wang.fang") is False  # nobody holds it
    claims.claim(tid, "wang.fang")
    assert claims.release(tid, "li.lei") is False
    assert claims.holder(tid) == "wang.fang"
    assert claims.release(tid, "wang.fang") is True
    assert claims.holder(tid) is None and claims.expires_in(tid) is None
    assert claims.release(tid, "wang.fang") is False
    assert claims.claim(tid, "li.lei") == "li.lei"  # free again


def test_an_untouched_claim_expires_and_the_ticket_is_free_again(
    client: redis.Redis, ticket_ids: list[str]
) -> None:
    claims = Claims(client=client, timeout_s=1)
    tid = ticket_ids[0]
    assert claims.claim(tid, "wang.fang") == "wang.fang"
    assert claims.claim(tid, "li.lei") == "wang.fang"
    deadline = time.monotonic() + 5
    while claims.holder(tid) is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert claims.holder(tid) is None
    assert claims.claim(tid, "li.lei") == "li.lei"


def test_holders_of_many_tickets_leave_out_the_unclaimed(
    claims: Claims, ticket_ids: list[str]
) -> None:
    a, b, c, d, _ = ticket_ids
    claims.claim(a, "wang.fang")
    claims.claim(c, "li.lei")
    claims.claim(d, "wang.fang")
    assert claims.holders([a, b, c, d]) == {a: "wang.fang", c: "li.lei", d: "wang.fang"}
    assert claims.holders([b]) == {}
    assert claims.holders([]) == {}


def test_of_many_handlers_racing_for_a_ticket_exactly_one_wins(
    client: redis.Redis, ticket_ids: list[str]
) -> None:
    claims = Claims(client=client, timeout_s=60)
    tid = ticket_ids[0]
    n = 24
    start = threading.Barrier(n)
    answers: dict[str, str] = {}
    lock = threading.Lock()

    def race(username: str) -> None:
        start.wait()
        holder = claims.claim(tid, username)
        with lock:
            answers[username] = holder

    threads = [threading.Thread(target=race, args=(f"handler-{i}",)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(answers) == n
    winners = [user for user, holder in answers.items() if holder == user]
    assert len(winners) == 1
    assert set(answers.values()) == {winners[0]}
    assert claims.holder(tid) == winners[0]


# ---------------------------------------------------------------- sessions


def user(**overrides: object) -> User:
    data: dict = {
        "username": "wang.fang",
        "role": "handler",
        "department": "MUNICIPAL_ENGINEERING",
        "display_name": "王芳",
        "disabled": False,
        "generation": 3,
        "created_at": 1.0,
    }
    return User(**(data | overrides))


@pytest.fixture
def tokens(client: redis.Redis) -> Iterator[list[str]]:
    """Session tokens a test created; their sessions are ended afterwards."""
    made: list[str] = []
    yield made
    for token in made:
        client.delete(SESSION_PREFIX + hashlib.sha256(token.encode()).hexdigest())


def test_a_session_is_created_read_and_ended(client: redis.Redis, tokens: list[str]) -> None:
    sessions = Sessions(client=client, ttl_s=600)
    before = time.time()
    token = sessions.create(user())
    tokens.append(token)
    session = sessions.get(token)
    assert isinstance(session, Session)
    assert (session.username, session.role, session.department) == (
        "wang.fang",
        "handler",
        "MUNICIPAL_ENGINEERING",
    )
    assert session.display_name == "王芳" and session.generation == 3
    assert before <= session.created_at <= time.time()
    assert len(session.csrf) >= 32 and session.csrf != token
    sessions.end(token)
    assert sessions.get(token) is None
    sessions.end(token)  # ending twice is harmless
    sessions.end(None)
    sessions.end("")


def test_unknown_or_missing_tokens_open_no_session(client: redis.Redis) -> None:
    sessions = Sessions(client=client, ttl_s=600)
    assert sessions.get(None) is None
    assert sessions.get("") is None
    assert sessions.get("not-a-session-" + uuid.uuid4().hex) is None


def test_a_user_without_a_display_name_is_shown_by_username(
    client: redis.Redis, tokens: list[str]
) -> None:
    sessions = Sessions(client=client, ttl_s=600)
    token = sessions.create(user(display_name="", role="dispatcher", department=None))
    tokens.append(token)
    session = sessions.get(token)
    assert session is not None
    assert session.display_name == "wang.fang" and session.department is None


def test_each_session_has_its_own_tokens(client: redis.Redis, tokens: list[str]) -> None:
    sessions = Sessions(client=client, ttl_s=600)
    first, second = sessions.create(user()), sessions.create(user())
    tokens.extend([first, second])
    assert first != second
    one, two = sessions.get(first), sessions.get(second)
    assert one is not None and two is not None and one.csrf != two.csrf
    sessions.end(first)
    assert sessions.get(first) is None and sessions.get(second) is not None


def test_a_session_expires_after_its_ttl_without_use(
    client: redis.Redis, tokens: list[str]
) -> None:
    sessions = Sessions(client=client, ttl_s=1)
    token = sessions.create(user())
    tokens.append(token)
    assert sessions.get(token) is not None
    deadline = time.monotonic() + 5
    while client.exists(SESSION_PREFIX + hashlib.sha256(token.encode()).hexdigest()):
        assert time.monotonic() < deadline, "the session never expired"
        time.sleep(0.1)
    assert sessions.get(token) is None


def test_using_a_session_pushes_its_expiry_back(client: redis.Redis, tokens: list[str]) -> None:
    sessions = Sessions(client=client, ttl_s=600)
    token = sessions.create(user())
    tokens.append(token)
    key = SESSION_PREFIX + hashlib.sha256(token.encode()).hexdigest()
    client.expire(key, 5)
    assert client.ttl(key) <= 5
    assert sessions.get(token) is not None
    assert 595 < client.ttl(key) <= 600


def test_the_session_key_is_the_tokens_sha256_and_the_token_is_stored_nowhere(
    client: redis.Redis, tokens: list[str]
) -> None:
    sessions = Sessions(client=client, ttl_s=600)
    token = sessions.create(user())
    tokens.append(token)
    key = SESSION_PREFIX + hashlib.sha256(token.encode()).hexdigest()
    raw = client.get(key)
    assert raw is not None
    stored = json.loads(raw)
    assert token not in raw.decode() and token not in stored.values()
    assert stored["username"] == "wang.fang"
    found = [k.decode() for k in client.scan_iter(match="*", count=1000)]
    assert key in found
    assert not [k for k in found if token in k]


def test_csrf_tokens_must_match_exactly(client: redis.Redis, tokens: list[str]) -> None:
    sessions = Sessions(client=client, ttl_s=600)
    token = sessions.create(user())
    tokens.append(token)
    session = sessions.get(token)
    assert session is not None
    assert session.csrf_ok(session.csrf)
    assert not session.csrf_ok(None)
    assert not session.csrf_ok("")
    assert not session.csrf_ok(session.csrf[:-1])
    assert not session.csrf_ok(session.csrf + "x")
    assert not session.csrf_ok(token)
