"""The SLA policy: the limits of a ticket's four clocks, and the deadlines they give.

The policy file (``router/sla_policy.toml``, see docs/operations.md, "SLA clocks and the
working calendar") puts every ticket in a category, gives each category a limit per clock,
and may override limits per department. Working limits count office time of the
:class:`~router.workcalendar.WorkCalendar`; the others count wall-clock time.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from router.departments import TRIAGE, Catalogue
from router.exceptions import ConfigurationError, UnknownDepartmentError
from router.workcalendar import WorkCalendar
from topics.schemas import REQUEST_TYPES, URGENCIES

#: The four clocks of a ticket: sign for (签收), first contact (响应), resolve (办结) and the
#: callback (回访), which runs from the reply.
CLOCKS: tuple[str, ...] = ("sign", "contact", "resolve", "callback")

#: SLA categories: urgent tickets, utility departments, then by request type.
CATEGORIES: tuple[str, ...] = ("urgent", "utility", "enquiry", "help", "complaint")

#: English names of the request types (REQUEST_TYPES), as the command line accepts them.
REQUEST_TYPE_NAMES: dict[str, str] = {
    "enquiry": "咨询",
    "help": "求助",
    "complaint": "投诉",
    "report": "举报",
    "suggestion": "建议",
    "praise": "表扬",
    "withdrawal": "撤销",
}

_HISTOGRAM_CLOCKS = ("sign", "contact", "resolve")
_TOP_KEYS = ("warn_fraction", "escalate_after_breaches", "request_types", "categories")
_DURATION_RE = re.compile(r"(\d+(?:\.\d+)?)(m|h|d|wh|wd)")
_WALL_SECONDS = {"m": 60.0, "h": 3600.0, "d": 86400.0}


@dataclass(frozen=True, kw_only=True)
class Limit:
    """How long a clock may run."""

    #: wall seconds, or for working limits office seconds (working days × day_seconds)
    seconds: float
    #: True: counts only office time on working days; False: wall-clock time
    working: bool
    #: as written in the policy file, e.g. "30m", "2h", "2wh", "1wd"
    text: str


class SlaPolicy:
    """The validated SLA policy; build it with :meth:`load`."""

    def __init__(
        self,
        *,
        warn_fraction: float,
        escalate_after_breaches: int,
        request_types: Mapping[str, str],
        categories: Mapping[str, Mapping[str, Limit]],
        departments: Mapping[str, Mapping[str, Mapping[str, Limit]]],
        catalogue: Catalogue,
    ) -> None:
        self.warn_fraction = warn_fraction
        self.escalate_after_breaches = escalate_after_breaches
        self._request_types = dict(request_types)
        self._categories = {name: dict(limits) for name, limits in categories.items()}
        self._overrides = {
            (code, name): self._categories[name] | dict(limits)
            for code, by_category in departments.items()
            for name, limits in by_category.items()
        }
        self._codes = frozenset(catalogue.codes)
        self._utility = frozenset(dept.code for dept in catalogue if dept.sla_policy == "utility")

    @classmethod
    def load(cls, path: Path, *, catalogue: Catalogue, calendar: WorkCalendar) -> SlaPolicy:
        """Read and validate a policy file; raises ConfigurationError naming file and key."""
        where = f"SLA policy {path}"
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigurationError(f"{where}: {exc}") from exc
        _table(data, where, allowed=(*_TOP_KEYS, "departments"), required=_TOP_KEYS)
        warn_fraction = data["warn_fraction"]
        if not isinstance(warn_fraction, int | float) or isinstance(warn_fraction, bool):
            raise ConfigurationError(f"{where}, warn_fraction: must be a number")
        if not 0 < warn_fraction < 1:
            raise ConfigurationError(f"{where}, warn_fraction: {warn_fraction} is outside (0, 1)")
        breaches = data["escalate_after_breaches"]
        if not isinstance(breaches, int) or isinstance(breaches, bool) or breaches < 1:
            raise ConfigurationError(f"{where}, escalate_after_breaches: must be an integer >= 1")
        request_types = _table(
            data["request_types"],
            f"{where}, request_types",
            allowed=REQUEST_TYPES,
            required=REQUEST_TYPES,
        )
        for request_type, category in request_types.items():
            if category not in CATEGORIES:
                raise ConfigurationError(
                    f"{where}, request_types.{request_type}: {category!r} is not one of "
                    f"{', '.join(CATEGORIES)}"
                )
        tables = _table(
            data["categories"], f"{where}, categories", allowed=CATEGORIES, required=CATEGORIES
        )
        categories = {
            name: _limits(tables[name], f"{where}, categories.{name}", calendar, required=CLOCKS)
            for name in CATEGORIES
        }
        departments: dict[str, dict[str, dict[str, Limit]]] = {}
        for code, by_category in _table(
            data.get("departments", {}), f"{where}, departments", allowed=None
        ).items():
            if code not in catalogue:
                raise ConfigurationError(
                    f"{where}, departments.{code}: not a department code of the catalogue"
                )
            utility = catalogue[code].sla_policy == "utility"
            applicable = {"urgent", "utility"} if utility else {"urgent", *request_types.values()}
            departments[code] = {}
            for name, limits in _table(
                by_category, f"{where}, departments.{code}", allowed=CATEGORIES
            ).items():
                if name not in applicable:
                    raise ConfigurationError(
                        f"{where}, departments.{code}.{name}: never applies (the department's "
                        f"sla_policy is {catalogue[code].sla_policy!r})"
                    )
                departments[code][name] = _limits(
                    limits, f"{where}, departments.{code}.{name}", calendar, required=()
                )
        return cls(
            warn_fraction=float(warn_fraction),
            escalate_after_breaches=breaches,
            request_types=request_types,
            categories=categories,
            departments=departments,
            catalogue=catalogue,
        )

    def category(self, *, request_type: str, urgency: str, department: str | None) -> str:
        """The ticket's category: urgent, then a utility department, then by request type.

        ``department`` is a catalogue code, or None (or TRIAGE) while the ticket has none.
        Raises ConfigurationError for an unknown request type, urgency or department code.
        """
        if request_type not in self._request_types:
            raise ConfigurationError(
                f"unknown request type {request_type!r}: expected one of {', '.join(REQUEST_TYPES)}"
            )
        if urgency not in URGENCIES:
            raise ConfigurationError(
                f"unknown urgency {urgency!r}: expected one of {', '.join(URGENCIES)}"
            )
        if department is not None and department != TRIAGE and department not in self._codes:
            raise UnknownDepartmentError(f"unknown department code {department!r}")
        if urgency == "urgent":
            return "urgent"
        if department in self._utility:
            return "utility"
        return self._request_types[request_type]

    def limits(
        self, *, request_type: str, urgency: str, department: str | None
    ) -> dict[str, Limit]:
        """The limit of each clock (in CLOCKS order), department overrides applied."""
        category = self.category(request_type=request_type, urgency=urgency, department=department)
        limits = self._overrides.get((department, category)) or self._categories[category]
        return dict(limits)

    def buckets(self) -> dict[str, tuple[float, ...]]:
        """Histogram buckets of the sign, contact and resolve clocks: every limit in seconds."""
        every = [*self._categories.values(), *self._overrides.values()]
        return {
            clock: tuple(sorted({limits[clock].seconds for limits in every}))
            for clock in _HISTOGRAM_CLOCKS
        }


def deadline(
    calendar: WorkCalendar, start: datetime, limit: Limit, *, used: float = 0.0
) -> datetime:
    """When ``limit`` runs out for a clock (re)started at ``start`` with ``used`` seconds gone.

    ``used`` is in the limit's measure (see :func:`elapsed`); once it reaches the limit the
    deadline is ``start`` itself. Aware, in the calendar's time zone.
    """
    remaining = max(limit.seconds - used, 0.0)
    if limit.working:
        return calendar.add_office_time(start, remaining)
    _require_aware(start)
    return (start + timedelta(seconds=remaining)).astimezone(calendar.tz)


def elapsed(calendar: WorkCalendar, start: datetime, end: datetime, limit: Limit) -> float:
    """Seconds of the limit's measure in [start, end): office time if working, else wall time."""
    if limit.working:
        return calendar.office_seconds(start, end)
    _require_aware(start, end)
    return max((end - start).total_seconds(), 0.0)


def deadlines(
    policy: SlaPolicy,
    calendar: WorkCalendar,
    *,
    received: datetime,
    request_type: str,
    urgency: str = "normal",
    department: str | None = None,
    replied: datetime | None = None,
) -> dict[str, datetime]:
    """The deadline of each clock for a ticket received at ``received``.

    The callback clock runs from ``replied``, or from the resolve deadline when not given.
    """
    limits = policy.limits(request_type=request_type, urgency=urgency, department=department)
    due = {clock: deadline(calendar, received, limits[clock]) for clock in CLOCKS[:3]}
    callback_start = replied if replied is not None else due["resolve"]
    due["callback"] = deadline(calendar, callback_start, limits["callback"])
    return due


def _require_aware(*moments: datetime) -> None:
    for moment in moments:
        if moment.utcoffset() is None:
            raise ValueError(f"naive datetime {moment.isoformat()}: give a timezone-aware one")


def _table(
    value: Any, where: str, *, allowed: tuple[str, ...] | None, required: tuple[str, ...] = ()
) -> dict[str, Any]:
    """``value`` as a table with only ``allowed`` keys (any if None) and all ``required``."""
    if not isinstance(value, dict):
        raise ConfigurationError(f"{where}: must be a table")
    unknown = [key for key in value if allowed is not None and key not in allowed]
    if unknown:
        raise ConfigurationError(
            f"{where}: unknown {', '.join(unknown)} (expected {', '.join(allowed or ())})"
        )
    missing = [key for key in required if key not in value]
    if missing:
        raise ConfigurationError(f"{where}: missing {', '.join(missing)}")
    return value


def _limits(
    value: Any, where: str, calendar: WorkCalendar, *, required: tuple[str, ...]
) -> dict[str, Limit]:
    table = _table(value, where, allowed=CLOCKS, required=required)
    return {
        clock: _limit(table[clock], f"{where}.{clock}", calendar)
        for clock in CLOCKS
        if clock in table
    }


def _limit(text: Any, where: str, calendar: WorkCalendar) -> Limit:
    """A duration "<number><unit>" (m, h, d wall clock; wh, wd working) as a Limit."""
    match = _DURATION_RE.fullmatch(text) if isinstance(text, str) else None
    if match is None or float(match[1]) <= 0:
        raise ConfigurationError(
            f"{where}: {text!r} is not a positive duration like 30m, 2h, 1d, 2wh or 1wd"
        )
    amount, unit = float(match[1]), match[2]
    if unit == "wh":
        return Limit(seconds=amount * 3600.0, working=True, text=text)
    if unit == "wd":
        return Limit(seconds=amount * calendar.day_seconds, working=True, text=text)
    return Limit(seconds=amount * _WALL_SECONDS[unit], working=False, text=text)
