"""Lifecycle events of a ticket (``tickets.events``): dispatch, sign, reply, return, callback, …

One record per thing a person or the system did to a ticket, keyed by ``ticket_id``. The
record says what happened and checks that each type carries the fields it needs; whether the
event is legal in the ticket's current state is the lifecycle tracker's business, not this
module's. Free text (``reason``, ``reply``, ``note``) has its phone and ID-card numbers masked
when the event is built, so they never reach the topic.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from kafka import KafkaProducer
from kafka.errors import KafkaError

from classifiers.pii import mask_pii, split_pii
from router.departments import TRIAGE
from router.exceptions import BadInputError, ServiceError
from topics.schemas import SCHEMA_VERSION, TZ, check_schema_version, decode_json_object

EVENTS = "tickets.events"

# Event types (DESIGN.md, "Who uses it").
DISPATCHED = "dispatched"  # 派单: a dispatcher sends a ticket from triage to a department
SIGNED = "signed"  # 签收
CONTACTED = "contacted"  # first contact with the citizen
REPLIED = "replied"  # 办结 reply of the handling department
RESOLVED = "resolved"
RETURNED = "returned"  # 退单: the department says it is not theirs
REASSIGNED = "reassigned"  # 改派
EXTENSION_REQUESTED = "extension_requested"
EXTENSION_APPROVED = "extension_approved"
EXTENSION_REFUSED = "extension_refused"
PAUSED = "paused"  # clocks stop, e.g. waiting on the citizen
RESUMED = "resumed"
CALLBACK = "callback"  # 回访
REOPENED = "reopened"  # 重办
MERGED = "merged"  # a duplicate of another ticket
URGED = "urged"  # 催办
ESCALATED = "escalated"  # 督办
CLOSED = "closed"

#: Per event type: the optional fields it requires, and the type-specific ones it may carry
#: (``department`` and ``note`` are allowed on every type).
EVENT_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    DISPATCHED: (("to_department",), ("reason",)),
    SIGNED: (("department",), ()),
    CONTACTED: (("department",), ()),
    REPLIED: (("department", "reply"), ()),
    RESOLVED: ((), ("reply",)),
    RETURNED: (("department", "reason"), ("suggested_department",)),
    REASSIGNED: (("to_department",), ("reason",)),
    EXTENSION_REQUESTED: (("department", "extension_until", "reason"), ()),
    EXTENSION_APPROVED: (("extension_until",), ("reason",)),
    EXTENSION_REFUSED: ((), ("reason",)),
    PAUSED: (("reason",), ()),
    RESUMED: ((), ()),
    CALLBACK: (("rating",), ("resolved",)),
    REOPENED: (("reason",), ()),
    MERGED: (("duplicate_of",), ()),
    URGED: ((), ("reason",)),
    ESCALATED: ((), ("reason",)),
    CLOSED: ((), ("reason",)),
}
EVENT_TYPES: tuple[str, ...] = tuple(EVENT_FIELDS)

ROLES: tuple[str, ...] = ("dispatcher", "handler", "callback", "supervisor", "system", "citizen")

#: Callback outcomes: satisfied, basically satisfied, not satisfied, citizen not reached.
RATINGS: tuple[str, ...] = ("满意", "基本满意", "不满意", "unreachable")

_OPTIONAL = (
    "department",
    "to_department",
    "suggested_department",
    "reason",
    "reply",
    "rating",
    "extension_until",
    "duplicate_of",
    "note",
    "resolved",
)
_TYPE_SPECIFIC = frozenset(_OPTIONAL) - {"department", "note"}
_FREE_TEXT = ("reason", "reply", "note")
_NOT_TEXT = frozenset({"extension_until", "resolved"})
_CODE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*")


def make_event_id(*, ticket_id: str, type: str, at: datetime, actor: str) -> str:
    """Stable event id from what identifies the action: the same event re-sent keeps it."""
    key = "\x1f".join((ticket_id, type, at.isoformat(), actor))
    return "ev-" + hashlib.blake2b(key.encode(), digest_size=10).hexdigest()


@dataclass(kw_only=True)
class TicketEvent:
    """One lifecycle event of a ticket; checked and PII-masked when built.

    ``department`` is the department acting or holding the ticket (``TRIAGE`` for the
    dispatchers' desk); ``to_department`` the target of a dispatch or reassignment. Without
    an ``event_id`` one is derived from ticket, type, time and actor (:func:`make_event_id`).
    Raises BadInputError (``missing_field``/``invalid_field``) when malformed.
    """

    ticket_id: str
    type: str
    at: datetime  # aware; kept in Asia/Shanghai
    actor: str  # a user id, never a citizen's name or number
    role: str
    event_id: str = ""
    department: str | None = None
    to_department: str | None = None
    suggested_department: str | None = None
    reason: str | None = None
    reply: str | None = None
    rating: str | None = None
    extension_until: datetime | None = None
    duplicate_of: str | None = None
    note: str | None = None
    resolved: bool | None = None  # callback: does the citizen say the problem is solved?
    schema_version: int = SCHEMA_VERSION

    def __post_init__(self) -> None:
        for name in ("ticket_id", "type", "actor", "role", "event_id"):
            _check_text(name, getattr(self, name), required=name != "event_id")
        for name in _OPTIONAL:
            if name not in _NOT_TEXT:
                _check_text(name, getattr(self, name), required=False)
        if self.resolved is not None and not isinstance(self.resolved, bool):
            raise BadInputError("invalid_field", "resolved must be true or false")
        if self.type not in EVENT_FIELDS:
            raise BadInputError("invalid_field", f"event type {self.type!r}")
        if self.role not in ROLES:
            raise BadInputError("invalid_field", f"role {self.role!r}")
        pii = split_pii(self.actor)
        if pii.phones or pii.id_numbers:
            raise BadInputError("invalid_field", "actor must be a user id, not a personal number")
        self.at = _aware("at", self.at)
        if self.extension_until is not None:
            self.extension_until = _aware("extension_until", self.extension_until)
        self._check_type_fields()
        for name in _FREE_TEXT:
            if (value := getattr(self, name)) is not None:
                setattr(self, name, mask_pii(value))
        if not self.event_id:
            self.event_id = make_event_id(
                ticket_id=self.ticket_id, type=self.type, at=self.at, actor=self.actor
            )

    def _check_type_fields(self) -> None:
        required, allowed = EVENT_FIELDS[self.type]
        for name in required:
            if getattr(self, name) in (None, ""):
                raise BadInputError("missing_field", f"a {self.type} event needs {name}")
        for name in _TYPE_SPECIFIC - {*required, *allowed}:
            if getattr(self, name) is not None:
                raise BadInputError("invalid_field", f"a {self.type} event has no {name}")
        for name in ("department", "to_department", "suggested_department"):
            code = getattr(self, name)
            if code is not None and not _CODE.fullmatch(code):
                raise BadInputError("invalid_field", f"{name} {code!r} is not a department code")
            if code == TRIAGE and name != "department":
                raise BadInputError("invalid_field", f"{name} must be a department, not TRIAGE")
        if self.rating is not None and self.rating not in RATINGS:
            raise BadInputError("invalid_field", f"rating {self.rating!r}")
        if self.duplicate_of is not None and self.duplicate_of == self.ticket_id:
            raise BadInputError("invalid_field", "a ticket cannot be a duplicate of itself")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: times as ISO 8601 strings with their offset."""
        data = dict(self.__dict__)
        data["at"] = self.at.isoformat()
        if self.extension_until is not None:
            data["extension_until"] = self.extension_until.isoformat()
        return data

    def to_json(self) -> bytes:
        """UTF-8 JSON bytes, as written to ``tickets.events``."""
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":")).encode()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TicketEvent:
        """Rebuild an event written by :meth:`to_dict`; raises BadInputError if malformed."""
        check_schema_version(data)
        values = {k: v for k, v in data.items() if k in _EVENT_FIELD_NAMES}
        for name in ("ticket_id", "type", "at", "actor", "role"):
            if values.get(name) in (None, ""):
                raise BadInputError("missing_field", f"event record has no {name}")
        values["at"] = _parse_time("at", values["at"])
        if values.get("extension_until") is not None:
            values["extension_until"] = _parse_time("extension_until", values["extension_until"])
        try:
            return cls(**values)
        except TypeError as exc:
            raise BadInputError("invalid_field", f"event record: {exc}") from exc

    @classmethod
    def from_json(cls, raw: bytes) -> TicketEvent:
        """Parse an event from topic bytes; raises BadInputError if malformed."""
        return cls.from_dict(decode_json_object(raw))


_EVENT_FIELD_NAMES = frozenset(f.name for f in fields(TicketEvent))


def _check_text(name: str, value: object, *, required: bool) -> None:
    if value is None and not required:
        return
    if not isinstance(value, str):
        raise BadInputError("invalid_field", f"{name} must be a string")
    if required and not value.strip():
        raise BadInputError("missing_field", f"{name} is empty")


def _aware(name: str, value: object) -> datetime:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise BadInputError("invalid_field", f"{name} must be a datetime with a time zone")
    return value.astimezone(TZ)


def _parse_time(name: str, value: object) -> datetime:
    if not isinstance(value, str):
        raise BadInputError("invalid_field", f"{name} must be an ISO 8601 string")
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise BadInputError("invalid_field", f"{name} {value!r} is not ISO 8601") from exc


def publish_events(
    bootstrap_servers: str, events: Iterable[TicketEvent], *, timeout_s: float = 30.0
) -> int:
    """Send events to ``tickets.events`` keyed by ticket id, each acknowledged by all
    replicas; returns how many. Raises ServiceError if the broker did not take one."""
    producer = KafkaProducer(
        bootstrap_servers=bootstrap_servers, acks="all", client_id="hotline-events"
    )
    try:
        futures = [
            producer.send(EVENTS, key=event.ticket_id.encode(), value=event.to_json())
            for event in events
        ]
        producer.flush(timeout=timeout_s)
        for future in futures:
            future.get(timeout=timeout_s)
    except KafkaError as exc:
        raise ServiceError(f"publishing ticket events: {exc}") from exc
    finally:
        producer.close()
    return len(futures)
