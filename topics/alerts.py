"""SLA alerts (``sla.alerts``): a clock at its warning share (催办), past its deadline (超时),
or a ticket escalated (督办) after repeated breaches or a reopen after an unsatisfied callback.

One record per clock, generation and level, keyed by ``ticket_id``. ``alert_id`` is derived
from those, so an alert sent again after a worker crash carries the same id and readers can
drop the copy.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, fields
from typing import Any

from router.exceptions import BadInputError
from topics.schemas import SCHEMA_VERSION, check_schema_version, decode_json_object

ALERTS = "sla.alerts"

WARNING = "warning"  # 催办: the clock reached the policy's warning share (80%)
BREACH = "breach"  # 超时: the clock reached its deadline
ESCALATION = "escalation"  # 督办
LEVELS: tuple[str, ...] = (WARNING, BREACH, ESCALATION)


def make_alert_id(*, ticket_id: str, level: str, clock: str, generation: int) -> str:
    """Stable id of the one alert a clock generation (or escalation trigger) may raise."""
    key = "\x1f".join((ticket_id, level, clock, str(generation)))
    return "al-" + hashlib.blake2b(key.encode(), digest_size=10).hexdigest()


@dataclass(kw_only=True)
class SlaAlert:
    """One alert about one ticket's clock (no personal data: ids, codes and times only).

    ``clock`` is the clock's name (``sign``, ``contact``, ``resolve``, ``callback``); for an
    escalation it names what triggered it (``breaches`` or ``reopen``). ``generation``
    counts the clock's restarts (a return starts a new sign clock, a reopen a new resolve
    clock) or the escalation triggers, so each gets its own alerts.
    """

    ticket_id: str
    level: str
    clock: str
    generation: int
    department: str
    channel: str
    due_at: str  # ISO 8601: when the threshold was reached
    deadline: str  # ISO 8601: the clock's deadline ("" for escalations)
    at: str  # ISO 8601: when the tracker raised the alert
    reason: str
    alert_id: str = ""
    schema_version: int = SCHEMA_VERSION

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise BadInputError("invalid_field", f"alert level {self.level!r}")
        if not self.alert_id:
            self.alert_id = make_alert_id(
                ticket_id=self.ticket_id,
                level=self.level,
                clock=self.clock,
                generation=self.generation,
            )

    def to_json(self) -> bytes:
        """UTF-8 JSON bytes, as written to ``sla.alerts``."""
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> SlaAlert:
        """Parse an alert from topic bytes; raises BadInputError if malformed."""
        data: dict[str, Any] = decode_json_object(raw)
        check_schema_version(data)
        known = {f.name for f in fields(cls)}
        try:
            return cls(**{k: v for k, v in data.items() if k in known})
        except TypeError as exc:
            raise BadInputError("invalid_field", f"alert record: {exc}") from exc
