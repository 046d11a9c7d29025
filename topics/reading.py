"""Reading a whole topic from its beginning (dead letters, benchmarks, tests)."""

from __future__ import annotations

from collections.abc import Iterator

from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord


def read_topic(
    bootstrap_servers: str, topic: str, *, idle_ms: int = 2000, client_id: str = "hotline-reader"
) -> Iterator[ConsumerRecord]:
    """Every record of ``topic`` from the beginning, until it has been idle for ``idle_ms``.

    Reads to the end rather than trusting ``end_offsets``, which Tansu misreports.
    """
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        enable_auto_commit=False,
        consumer_timeout_ms=idle_ms,
        client_id=client_id,
    )
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        assigned = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(assigned)
        consumer.seek_to_beginning(*assigned)
        yield from consumer
    finally:
        consumer.close()
