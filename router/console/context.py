"""Everything a console process holds: settings, catalogue, rules, stores and producer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import redis
from kafka import KafkaProducer
from kafka.errors import KafkaError

from router.console.accounts import Accounts
from router.console.claims import Claims
from router.console.ratelimit import RateLimiter
from router.console.sessions import Sessions
from router.departments import Catalogue
from router.exceptions import ServiceError
from router.lifecycle import Lifecycle
from router.readmodel import ReadModel
from router.settings import Settings
from topics.events import EVENTS, TicketEvent

PUBLISH_TIMEOUT_S = 10.0


def make_producer(bootstrap_servers: str) -> KafkaProducer:
    """The console's kafka-python producer: acks from all replicas, and a send that gives
    up after 5 s when the broker cannot be reached (the agent sees an error at once)."""
    return KafkaProducer(
        bootstrap_servers=bootstrap_servers,
        acks="all",
        linger_ms=0,
        max_block_ms=5000,
        request_timeout_ms=8000,
        client_id="hotline-console",
    )


@dataclass(kw_only=True)
class Console:
    """The console's collaborators, built once per process by :meth:`from_settings`."""

    settings: Settings
    catalogue: Catalogue
    lifecycle: Lifecycle
    accounts: Accounts
    redis: redis.Redis
    read_model: ReadModel
    sessions: Sessions
    claims: Claims
    limiter: RateLimiter
    producer: KafkaProducer

    @classmethod
    def from_settings(cls, settings: Settings, *, catalogue: Catalogue) -> Console:
        """Connect to the configured Redis and broker and open the accounts database."""
        client = redis.Redis.from_url(settings.redis_url)
        try:
            producer = make_producer(settings.kafka_bootstrap_servers)
        except KafkaError as exc:
            raise ServiceError(f"the console cannot reach the broker: {exc}") from exc
        return cls(
            settings=settings,
            catalogue=catalogue,
            lifecycle=Lifecycle.from_settings(settings, catalogue=catalogue),
            accounts=Accounts.from_settings(settings, catalogue=catalogue),
            redis=client,
            read_model=ReadModel(client=client),
            sessions=Sessions(client=client, ttl_s=settings.session_ttl_s),
            claims=Claims(client=client, timeout_s=settings.claim_timeout_s),
            limiter=RateLimiter(client=client),
            producer=producer,
        )

    def publish(self, events: Sequence[TicketEvent]) -> None:
        """Send ``events`` to ``tickets.events`` one after the other (so a retry cannot
        reorder them), each acknowledged by all replicas. Raises ServiceError if the broker
        does not take one."""
        try:
            for event in events:
                future = self.producer.send(
                    EVENTS, key=event.ticket_id.encode(), value=event.to_json()
                )
                future.get(timeout=PUBLISH_TIMEOUT_S)
        except KafkaError as exc:
            raise ServiceError(f"the event was not recorded, try again: {exc}") from exc

    def close(self) -> None:
        """Flush and close the producer, the accounts database and Redis connections."""
        self.producer.close(timeout=PUBLISH_TIMEOUT_S)
        self.accounts.close()
        self.redis.close()
