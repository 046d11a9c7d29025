"""Reading and replaying ``tickets.deadletter`` (``hotline deadletter list|replay``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from kafka import KafkaProducer

from router.exceptions import BadInputError
from topics.catalogue import DEADLETTER
from topics.reading import read_topic
from topics.schemas import DeadLetter


@dataclass(frozen=True, kw_only=True)
class StoredLetter:
    """A dead letter and its own position in ``tickets.deadletter``."""

    partition: int
    offset: int
    letter: DeadLetter


def read_letters(bootstrap_servers: str) -> Iterator[StoredLetter | tuple[int, int, str]]:
    """Every dead letter from the beginning, until the topic has been idle for 2 s.

    Unreadable entries are yielded as ``(partition, offset, error)``.
    """
    for message in read_topic(bootstrap_servers, DEADLETTER, client_id="hotline-deadletter"):
        try:
            letter = DeadLetter.from_json(message.value)
        except BadInputError as exc:
            yield (message.partition, message.offset, str(exc))
            continue
        yield StoredLetter(partition=message.partition, offset=message.offset, letter=letter)


def select(
    letters: Iterator[StoredLetter | tuple[int, int, str]],
    *,
    reason: str | None = None,
    topic: str | None = None,
    offsets: set[int] | None = None,
) -> list[StoredLetter]:
    """The readable letters matching every given filter."""
    return [
        stored
        for stored in letters
        if isinstance(stored, StoredLetter)
        and (reason is None or stored.letter.reason == reason)
        and (topic is None or stored.letter.topic == topic)
        and (offsets is None or stored.offset in offsets)
    ]


def replay(
    bootstrap_servers: str, letters: list[StoredLetter], *, to_topic: str | None = None
) -> int:
    """Re-send each letter's original key and bytes to its original topic (or ``to_topic``).

    Safe to repeat: a replayed record that becomes a ticket already queued is deduplicated.
    """
    producer = KafkaProducer(bootstrap_servers=bootstrap_servers, acks="all")
    try:
        for stored in letters:
            producer.send(
                to_topic or stored.letter.topic, key=stored.letter.key, value=stored.letter.value
            )
        producer.flush()
    finally:
        producer.close()
    return len(letters)
