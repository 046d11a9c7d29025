"""Traffic simulator: synthetic citizen requests in each channel's raw shape, at a steady rate.

The channel mix follows a typical 12345 centre (phone still carries most of the volume).
Optionally a share of the records are re-sent (same source id) or malformed, to show
deduplication and the dead-letter topic at work.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from kafka import KafkaProducer

from classifiers.synthetic import generate
from topics.adapters import render
from topics.catalogue import intake_topic
from topics.schemas import TZ

#: Share of each channel in the simulated traffic.
CHANNEL_MIX: dict[str, float] = {
    "phone": 0.45,
    "wechat": 0.15,
    "app": 0.12,
    "web": 0.10,
    "inquiry": 0.08,
    "grid": 0.07,
    "mailbox": 0.03,
}

#: Malformed records the simulator can inject, by the dead-letter reason they should get.
BAD_RECORDS: dict[str, Callable[[str], bytes]] = {
    "not_json": lambda channel: b"<xml>not json</xml>",
    "undecodable": lambda channel: b'{"text": "\xff\xfe broken"}',
    "missing_schema_version": lambda channel: json.dumps({"channel": channel}).encode(),
    "bad_schema_version": lambda channel: json.dumps(
        {"schema_version": 99, "channel": channel}
    ).encode(),
    "unknown_channel": lambda channel: json.dumps({"schema_version": 1, "channel": "fax"}).encode(),
}


@dataclass(frozen=True, kw_only=True)
class IntakeRecord:
    """One record for an intake topic."""

    topic: str
    key: bytes
    value: bytes


def records(
    *, seed: int, run_id: str, bad_share: float = 0.0, resend_share: float = 0.0
) -> Iterator[IntakeRecord]:
    """An endless stream of intake records (mixed channels; some bad or re-sent if asked)."""
    rng = random.Random(seed)
    channels = list(CHANNEL_MIX)
    weights = list(CHANNEL_MIX.values())
    sent: list[IntakeRecord] = []
    i = 0
    while True:
        for request in generate(1000, seed=rng.randrange(1 << 30)):
            channel = rng.choices(channels, weights)[0]
            roll = rng.random()
            if roll < bad_share:
                reason = rng.choice(list(BAD_RECORDS))
                yield IntakeRecord(
                    topic=intake_topic(channel),
                    key=f"bad-{run_id}-{i}".encode(),
                    value=BAD_RECORDS[reason](channel),
                )
            elif roll < bad_share + resend_share and sent:
                yield rng.choice(sent)
            else:
                source_id = f"{run_id}-{i}"
                record = IntakeRecord(
                    topic=intake_topic(channel),
                    key=source_id.encode(),
                    value=render(
                        channel, request, source_id=source_id, when=datetime.now(TZ), rng=rng
                    ),
                )
                sent = [*sent[-99:], record]
                yield record
            i += 1


def make_producer(bootstrap_servers: str) -> KafkaProducer:
    """A kafka-python producer for intake traffic."""
    return KafkaProducer(
        bootstrap_servers=bootstrap_servers, linger_ms=5, acks="all", client_id="hotline-sim"
    )


def run(
    producer: KafkaProducer,
    stream: Iterator[IntakeRecord],
    *,
    rate: float,
    count: int | None = None,
    on_tick: Callable[[int], None] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> int:
    """Send records at ``rate`` per second until ``count`` are sent (forever if None) or
    ``should_stop()`` says so; returns how many were sent."""
    sent = 0
    started = time.monotonic()
    last_tick = started
    for record in stream:
        if (count is not None and sent >= count) or should_stop():
            break
        producer.send(record.topic, key=record.key, value=record.value)
        sent += 1
        ahead = started + sent / rate - time.monotonic()
        if ahead > 0:
            time.sleep(ahead)
        if on_tick is not None and time.monotonic() - last_tick >= 5:
            last_tick = time.monotonic()
            on_tick(sent)
    producer.flush()
    return sent
