"""The console's fixed-window rate limiter, on a real Redis server."""

from __future__ import annotations

import time
import uuid

import pytest
import redis

from router.console.ratelimit import RateLimiter


@pytest.fixture(scope="module")
def client(services) -> redis.Redis:
    assert services.state is not None
    return redis.Redis.from_url(services.state.redis_url)


@pytest.fixture
def limiter(client: redis.Redis) -> RateLimiter:
    """A limiter of its own: a fresh prefix per test."""
    return RateLimiter(client=client, prefix=f"test:rate:{uuid.uuid4().hex[:8]}:")


def test_hits_up_to_the_limit_pass_then_the_next_is_refused(limiter: RateLimiter):
    bucket = "login:wang.fang:203.0.113.7"
    assert [limiter.hit(bucket, limit=3, window_s=60) for _ in range(3)] == [None] * 3
    retry = limiter.hit(bucket, limit=3, window_s=60)
    assert retry is not None and 59 < retry <= 60
    again = limiter.hit(bucket, limit=3, window_s=60)  # refused hits do not extend the window
    assert again is not None and again <= retry
    assert limiter.client.get(limiter.key(bucket)) == b"5"


def test_check_counts_nothing_and_says_when_the_bucket_is_full(limiter: RateLimiter):
    bucket = "open311:demo:198.51.100.1"
    assert limiter.check(bucket, limit=2, window_s=60) is None
    assert limiter.check(bucket, limit=2, window_s=60) is None
    assert limiter.client.exists(limiter.key(bucket)) == 0
    limiter.hit(bucket, limit=2, window_s=60)
    assert limiter.check(bucket, limit=2, window_s=60) is None
    limiter.hit(bucket, limit=2, window_s=60)
    retry = limiter.check(bucket, limit=2, window_s=60)
    assert retry is not None and 0 < retry <= 60
    assert limiter.client.get(limiter.key(bucket)) == b"2"


def test_buckets_are_counted_apart(limiter: RateLimiter):
    assert limiter.hit("a", limit=1, window_s=60) is None
    assert limiter.hit("b", limit=1, window_s=60) is None
    assert limiter.hit("a", limit=1, window_s=60) is not None
    assert limiter.hit("b", limit=1, window_s=60) is not None


def test_the_window_expires(limiter: RateLimiter):
    bucket = "login:li.lei:192.0.2.1"
    assert limiter.hit(bucket, limit=1, window_s=0.3) is None
    retry = limiter.hit(bucket, limit=1, window_s=0.3)
    assert retry is not None and retry <= 0.3
    assert limiter.check(bucket, limit=1, window_s=0.3) is not None
    time.sleep(retry + 0.1)
    assert limiter.check(bucket, limit=1, window_s=0.3) is None
    assert limiter.hit(bucket, limit=1, window_s=0.3) is None


def test_every_counter_expires(limiter: RateLimiter):
    bucket = "x"
    limiter.hit(bucket, limit=5, window_s=30)
    limiter.hit(bucket, limit=5, window_s=30)
    ttl = limiter.client.pttl(limiter.key(bucket))
    assert 0 < ttl <= 30_000


def test_reset_forgets_the_bucket(limiter: RateLimiter):
    bucket = "login:zhang.wei:192.0.2.9"
    limiter.hit(bucket, limit=1, window_s=60)
    assert limiter.hit(bucket, limit=1, window_s=60) is not None
    limiter.reset(bucket)
    assert limiter.client.exists(limiter.key(bucket)) == 0
    assert limiter.hit(bucket, limit=1, window_s=60) is None


def test_redis_keys_hold_a_hash_never_the_bucket_text(limiter: RateLimiter):
    buckets = ["login:wang.fang:203.0.113.7", "open311:demo:2001:db8::1", "登录:王芳:10.0.0.1"]
    for bucket in buckets:
        limiter.hit(bucket, limit=10, window_s=60)
    keys = [k.decode() for k in limiter.client.scan_iter(match=limiter.prefix + "*")]
    assert sorted(keys) == sorted(limiter.key(b) for b in buckets)
    for key in keys:
        suffix = key.removeprefix(limiter.prefix)
        assert len(suffix) == 32 and all(c in "0123456789abcdef" for c in suffix)
        for part in ("wang.fang", "203.0.113.7", "demo", "2001:db8::1", "王芳", "10.0.0.1"):
            assert part not in key


def test_a_bad_window_is_refused(limiter: RateLimiter):
    with pytest.raises(ValueError):
        limiter.hit("x", limit=1, window_s=0)
