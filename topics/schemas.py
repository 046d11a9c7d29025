"""Record schemas: the Ticket, its routing decision and the dead-letter record.

Every record carries ``schema_version``; readers reject versions they do not know.
Records travel as UTF-8 JSON objects.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from router.exceptions import BadInputError

SCHEMA_VERSION = 1
TZ = ZoneInfo("Asia/Shanghai")

#: The seven intake channels, in the order the hotline lists them.
CHANNELS: tuple[str, ...] = ("phone", "web", "app", "wechat", "mailbox", "inquiry", "grid")

#: Request types of the 12345 standard: enquiry, help, complaint, report, suggestion,
#: praise, withdrawal.
REQUEST_TYPES: tuple[str, ...] = ("咨询", "求助", "投诉", "举报", "建议", "表扬", "撤销")

URGENCIES: tuple[str, ...] = ("normal", "urgent")

#: Routing methods recorded on every routed ticket.
METHODS: tuple[str, ...] = ("model", "rule", "manual")

#: Dead-letter reason codes (also the ``reason`` label of the dead-letter metric).
DEADLETTER_REASONS: dict[str, str] = {
    "not_json": "the record is not a JSON object",
    "undecodable": "the bytes are not valid text in their declared encoding",
    "missing_schema_version": "the record has no schema_version",
    "bad_schema_version": "the record's schema_version is not one this worker reads",
    "unknown_channel": "the channel is missing, unknown or does not match the topic",
    "missing_field": "a required field of the channel's record is missing",
    "invalid_field": "a field has the wrong type or an impossible value",
    "missing_text": "the record has no request text",
    "empty_text": "the request text is empty after cleaning",
    "text_too_long": "the request text is over the size limit",
    "record_too_large": "the record is over the size limit",
    "processing_error": "the worker failed on this record (see detail)",
    "unknown_ticket": "a lifecycle event for a ticket the tracker does not know",
    "illegal_transition": "a lifecycle event the ticket's current status does not allow",
    "wrong_department": "a handler acted on a ticket another department holds",
    "role_not_allowed": "the actor's role may not record this lifecycle event",
    "unknown_calendar_year": "a deadline falls in a year the working calendar does not know",
}


def make_ticket_id(channel: str, source_id: str) -> str:
    """Stable ticket id from the channel and the channel's own id.

    A redelivered or re-sent intake message has the same channel and source id, so it maps
    to the same ticket.
    """
    digest = hashlib.blake2b(f"{channel}\x1f{source_id}".encode(), digest_size=8).hexdigest()
    return f"{channel}-{digest}"


def now_iso() -> str:
    """The current time in Asia/Shanghai, ISO 8601 with offset."""
    return datetime.now(TZ).isoformat(timespec="seconds")


@dataclass(kw_only=True)
class Contact:
    """The citizen's contact details, kept apart from the text; never logged."""

    name: str | None = None
    phones: list[str] = field(default_factory=list)
    id_numbers: list[str] = field(default_factory=list)
    email: str | None = None
    openid: str | None = None

    def __repr__(self) -> str:  # personal data never reaches a log through repr()
        return (
            f"Contact(name={'***' if self.name else None}, phones={len(self.phones)}, "
            f"id_numbers={len(self.id_numbers)}, email={'***' if self.email else None}, "
            f"openid={'***' if self.openid else None})"
        )


@dataclass(kw_only=True)
class Location:
    """Where the request is about, as precisely as the channel says."""

    district: str | None = None
    street: str | None = None
    community: str | None = None
    grid_code: str | None = None
    address: str | None = None
    lat: float | None = None
    lon: float | None = None


@dataclass(kw_only=True)
class Routing:
    """The routing decision attached to a ticket."""

    department: str  # catalogue code, or "TRIAGE"
    queue: str
    confidence: float
    method: str  # one of METHODS
    model_version: str
    top: list[tuple[str, float]] = field(default_factory=list)
    rule: str | None = None
    routed_at: str = ""


@dataclass(kw_only=True)
class Ticket:
    """One citizen request, whatever channel it came through (see DESIGN.md, 'The ticket')."""

    ticket_id: str
    channel: str
    source_id: str
    received_at: str
    text: str
    title: str = ""
    contact: Contact = field(default_factory=Contact)
    location: Location = field(default_factory=Location)
    request_type: str = "求助"
    urgency: str = "normal"
    attachments: list[str] = field(default_factory=list)
    category_hint: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    intake_ts_ms: int = 0  # broker timestamp of the intake record: start of the routing clock
    routing: Routing | None = None
    schema_version: int = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (shallow: lists are shared with the ticket, not copied).

        Written out by hand: ``dataclasses.asdict`` deep-copies and costs ~100 µs a ticket.
        """
        data = dict(self.__dict__)
        data["contact"] = dict(self.contact.__dict__)
        data["location"] = dict(self.location.__dict__)
        if self.routing is not None:
            data["routing"] = dict(self.routing.__dict__)
        return data

    def to_json(self) -> bytes:
        """UTF-8 JSON bytes, as written to the topics."""
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":")).encode()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Ticket:
        """Rebuild a ticket written by :meth:`to_dict`; raises BadInputError if malformed."""
        check_schema_version(data)
        try:
            values = {k: v for k, v in data.items() if k in _TICKET_FIELD_NAMES}
            values["contact"] = Contact(**(data.get("contact") or {}))
            values["location"] = Location(**(data.get("location") or {}))
            routing = data.get("routing")
            if routing:
                routing = dict(routing)
                routing["top"] = [(str(d), float(p)) for d, p in routing.get("top", [])]
                values["routing"] = Routing(**routing)
            ticket = cls(**values)
        except TypeError as exc:
            raise BadInputError("invalid_field", f"ticket record: {exc}") from exc
        if ticket.urgency not in URGENCIES:
            raise BadInputError("invalid_field", f"urgency {ticket.urgency!r}")
        if ticket.routing is not None and ticket.routing.method not in METHODS:
            raise BadInputError("invalid_field", f"routing method {ticket.routing.method!r}")
        return ticket

    @classmethod
    def from_json(cls, raw: bytes) -> Ticket:
        """Parse a ticket from topic bytes; raises BadInputError if malformed."""
        return cls.from_dict(decode_json_object(raw))


_TICKET_FIELD_NAMES = frozenset(f.name for f in fields(Ticket))


def check_schema_version(data: dict[str, Any]) -> None:
    """Raise BadInputError unless ``data`` carries the schema version this code reads."""
    if "schema_version" not in data:
        raise BadInputError("missing_schema_version", "no schema_version field")
    if data["schema_version"] != SCHEMA_VERSION:
        raise BadInputError(
            "bad_schema_version",
            f"schema_version {data['schema_version']!r}, expected {SCHEMA_VERSION}",
        )


def decode_json_object(raw: bytes) -> dict[str, Any]:
    """Decode UTF-8 JSON bytes that must hold an object; raises BadInputError otherwise."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInputError("undecodable", f"not UTF-8 at byte {exc.start}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInputError("not_json", f"JSON error at char {exc.pos}: {exc.msg}") from exc
    if not isinstance(data, dict):
        raise BadInputError("not_json", f"a JSON {type(data).__name__}, not an object")
    return data


@dataclass(kw_only=True)
class DeadLetter:
    """A record that could not be processed, kept whole with where it came from and why."""

    reason: str
    detail: str
    topic: str
    partition: int
    offset: int
    value_b64: str
    key_b64: str | None = None
    timestamp_ms: int | None = None
    failed_at: str = field(default_factory=now_iso)
    stage: str = "normalise"
    schema_version: int = SCHEMA_VERSION

    @classmethod
    def for_record(
        cls,
        *,
        error: BadInputError,
        topic: str,
        partition: int,
        offset: int,
        value: bytes | None,
        key: bytes | None = None,
        timestamp_ms: int | None = None,
        stage: str = "normalise",
    ) -> DeadLetter:
        """The dead-letter record for one failed input record."""
        return cls(
            reason=error.reason,
            detail=error.detail,
            topic=topic,
            partition=partition,
            offset=offset,
            value_b64=base64.b64encode(value or b"").decode(),
            key_b64=base64.b64encode(key).decode() if key is not None else None,
            timestamp_ms=timestamp_ms,
            stage=stage,
        )

    @property
    def value(self) -> bytes:
        """The original record bytes."""
        return base64.b64decode(self.value_b64)

    @property
    def key(self) -> bytes | None:
        """The original record key."""
        return base64.b64decode(self.key_b64) if self.key_b64 is not None else None

    def to_json(self) -> bytes:
        """UTF-8 JSON bytes, as written to ``tickets.deadletter``."""
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> DeadLetter:
        """Parse a dead-letter record; raises BadInputError if malformed."""
        data = decode_json_object(raw)
        check_schema_version(data)
        try:
            return cls(**data)
        except TypeError as exc:
            raise BadInputError("invalid_field", f"dead-letter record: {exc}") from exc
