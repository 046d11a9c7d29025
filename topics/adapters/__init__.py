"""Intake adapters: one module per channel turns that channel's raw record into a Ticket.

Each channel module has ``CHANNEL``, ``parse(record, *, max_text_chars) -> Ticket`` and
``render(request, *, source_id, when, rng) -> dict`` (the raw record the channel would
produce for a synthetic request). :func:`normalise` is the whole pure intake step for one
Kafka record value; it answers every input with a Ticket or a BadInputError.
"""

from __future__ import annotations

import json
import random
from datetime import datetime
from types import ModuleType

from classifiers.synthetic import SyntheticRequest
from router.exceptions import BadInputError, ConfigurationError
from topics.adapters import app, grid, inquiry, mailbox, phone, web, wechat
from topics.catalogue import intake_topic
from topics.schemas import Ticket, check_schema_version, decode_json_object

#: Channel name → adapter module, in the order of :data:`topics.schemas.CHANNELS`.
ADAPTERS: dict[str, ModuleType] = {
    module.CHANNEL: module for module in (phone, web, app, wechat, mailbox, inquiry, grid)
}


def normalise(
    raw: bytes | None, *, topic: str, max_text_chars: int, max_record_bytes: int
) -> Ticket:
    """Turn one intake record value read from ``topic`` into a Ticket.

    Raises BadInputError with a :data:`topics.schemas.DEADLETTER_REASONS` code for anything
    that cannot become a ticket: a null value (``not_json``), an oversized one
    (``record_too_large``), bytes that are not a UTF-8 JSON object (or escape a lone
    surrogate, which no ticket could be written with), a missing or unknown
    schema version, a missing or unknown ``channel`` or one that is not the topic's
    (``unknown_channel``), and whatever the channel's ``parse`` rejects. Unexpected errors
    inside a parse become ``invalid_field``: bad input never stops a worker.
    """
    if raw is None:
        raise BadInputError("not_json", "the record has no value")
    if len(raw) > max_record_bytes:
        raise BadInputError("record_too_large", f"{len(raw)} bytes, limit {max_record_bytes}")
    try:
        record = decode_json_object(raw)
    except (RecursionError, ValueError):  # nested too deeply, or an integer over 4300 digits
        raise BadInputError("not_json", "JSON beyond the parser's limits") from None
    if b"\\ud" in raw or b"\\uD" in raw:  # \uXXXX escapes may leave a lone surrogate
        try:
            json.dumps(record, ensure_ascii=False).encode()
        except UnicodeEncodeError:
            raise BadInputError("undecodable", "a \\u escape is a lone surrogate") from None
    check_schema_version(record)
    channel = record.get("channel")
    if not isinstance(channel, str) or channel not in ADAPTERS:
        raise BadInputError("unknown_channel", "the channel field is missing or not a channel")
    if topic != intake_topic(channel):
        raise BadInputError("unknown_channel", f"a {channel} record on topic {topic}")
    try:
        return ADAPTERS[channel].parse(record, max_text_chars=max_text_chars)
    except BadInputError:
        raise
    except Exception as exc:  # any other failure is the record's: it must not stop the worker
        # the message may quote the record's values (personal data): name the type only
        raise BadInputError(
            "invalid_field", f"{channel} record: unexpected {type(exc).__name__}"
        ) from None


def render(
    channel: str,
    request: SyntheticRequest,
    *,
    source_id: str,
    when: datetime,
    rng: random.Random,
) -> bytes:
    """The intake record value (UTF-8 JSON) that ``channel`` would produce for ``request``."""
    if channel not in ADAPTERS:
        raise ConfigurationError(f"unknown channel {channel!r}")
    record = ADAPTERS[channel].render(request, source_id=source_id, when=when, rng=rng)
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()
