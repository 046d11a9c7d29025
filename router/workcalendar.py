"""The working calendar: working days, office hours and office time between two instants.

A day's status follows the Chinese statutory holidays and adjusted working days (调休) as the
``chinese-calendar`` package knows them, corrected or extended by a local override file
(``router/calendar_overrides.toml``) for years it does not know yet, since each year's
schedule is published late. Office time is the configured office hours of a working day, in
the centre's time zone. See docs/operations.md, "SLA clocks and the working calendar".
"""

from __future__ import annotations

import math
import re
import tomllib
from datetime import date, datetime
from importlib.metadata import version
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import chinese_calendar

from router.exceptions import CalendarError, ConfigurationError

if TYPE_CHECKING:
    from router.settings import Settings

_RANGE_RE = re.compile(r"([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)")
_YEAR_RE = re.compile(r"\d{4}")

#: One day's office windows as (open, close) POSIX timestamps (empty on a day off), and
#: their total length in seconds.
_Day = tuple[tuple[tuple[float, float], ...], float]


class WorkCalendar:
    """Working days and office hours in one time zone.

    Day status is looked up once per date and cached; office time is summed per day in
    closed form, so spans of weeks cost microseconds.
    """

    def __init__(
        self,
        *,
        tz: str | ZoneInfo = "Asia/Shanghai",
        office_hours: str = "09:00-12:00,13:30-17:30",
        overrides: Path | None = None,
    ) -> None:
        self.tz = tz if isinstance(tz, ZoneInfo) else _zone(tz)
        self.office_hours = office_hours
        self.overrides = overrides
        self._hours = _parse_office_hours(office_hours)
        #: office seconds in one working day (7 h = 25200.0 with the default hours)
        self.day_seconds = float(sum(close - open_ for open_, close in self._hours) * 60)
        self._override_years, self._override_days = (
            _load_overrides(overrides) if overrides is not None else (frozenset(), {})
        )
        self._days: dict[int, _Day] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> WorkCalendar:
        """The calendar of the configured time zone, office hours and override file."""
        return cls(
            tz=settings.timezone,
            office_hours=settings.office_hours,
            overrides=settings.calendar_overrides,
        )

    def known_until(self) -> date:
        """The last day of the last year known without a gap from chinese-calendar's last
        year on (overrides may add the following years): deadlines after it cannot be set."""
        year = max(chinese_calendar.holidays).year
        while year + 1 in self._override_years:
            year += 1
        return date(year, 12, 31)

    def is_workday(self, day: date) -> bool:
        """Whether this calendar date is a working day; raises CalendarError for unknown years."""
        return bool(self._load(day.toordinal())[0])

    def add_office_time(self, start: datetime, seconds: float) -> datetime:
        """The earliest instant by which ``seconds`` of office time have passed since ``start``.

        Outside office hours counting begins at the next opening; zero seconds give ``start``.
        ``start`` must be aware; the result is aware, in the calendar's time zone.
        """
        now = _timestamp(start)
        if not 0 <= seconds < math.inf:
            raise ValueError(f"office time must be finite and non-negative, not {seconds!r}")
        if seconds == 0:
            return start.astimezone(self.tz)
        remaining = float(seconds)
        ordinal = self._ordinal(now)
        days = self._days
        while True:
            windows, total = days.get(ordinal) or self._load(ordinal)
            if windows and now <= windows[0][0] and remaining > total:
                remaining -= total  # the whole day counts and is not enough
            else:
                for open_, close in windows:
                    if close > now:
                        begin = max(open_, now)
                        if remaining <= close - begin:
                            return datetime.fromtimestamp(begin + remaining, self.tz)
                        remaining -= close - begin
            ordinal += 1

    def office_seconds(self, start: datetime, end: datetime) -> float:
        """Office time in [start, end), in seconds; 0.0 when ``end`` is not after ``start``."""
        begin, finish = _timestamp(start), _timestamp(end)
        if finish <= begin:
            return 0.0
        counted = 0.0
        days = self._days
        for ordinal in range(self._ordinal(begin), self._ordinal(finish) + 1):
            windows, total = days.get(ordinal) or self._load(ordinal)
            if not windows:
                continue
            if begin <= windows[0][0] and windows[-1][1] <= finish:
                counted += total
                continue
            for open_, close in windows:
                overlap = min(close, finish) - max(open_, begin)
                if overlap > 0:
                    counted += overlap
        return counted

    def _ordinal(self, timestamp: float) -> int:
        return datetime.fromtimestamp(timestamp, self.tz).toordinal()

    def _load(self, ordinal: int) -> _Day:
        """The office windows of one day, cached."""
        cached = self._days.get(ordinal)
        if cached is not None:
            return cached
        day = date.fromordinal(ordinal)
        windows = (
            tuple(
                (self._instant(day, open_), self._instant(day, close))
                for open_, close in self._hours
            )
            if self._status(day)
            else ()
        )
        entry = (windows, sum((close - open_ for open_, close in windows), 0.0))
        self._days[ordinal] = entry
        return entry

    def _instant(self, day: date, minutes: int) -> float:
        hour, minute = divmod(minutes, 60)
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.tz).timestamp()

    def _status(self, day: date) -> bool:
        """Whether ``day`` is a working day: a day listed in the override file, else
        chinese-calendar, else Monday-Friday in a year the override file has."""
        override = self._override_days.get(day)
        if override is not None:
            return override
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            if day.year in self._override_years:
                return day.weekday() < 5
            first = min(chinese_calendar.holidays).year
            last = max(chinese_calendar.holidays).year
            target = self.overrides or "a calendar override file (HOTLINE_CALENDAR_OVERRIDES)"
            raise CalendarError(
                f"no working calendar for {day.year}: chinese-calendar "
                f"{version('chinese-calendar')} knows {first}-{last}; "
                f"add [years.{day.year}] to {target}"
            ) from None


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigurationError(f"time zone {name!r} is not an IANA time zone name") from exc


def _timestamp(moment: datetime) -> float:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()}: give a timezone-aware one")
    return moment.timestamp()


def _parse_office_hours(text: str) -> tuple[tuple[int, int], ...]:
    """Office hours "HH:MM-HH:MM[,HH:MM-HH:MM...]" as sorted (open, close) minutes of the day."""
    ranges = []
    for part in text.split(","):
        match = _RANGE_RE.fullmatch(part.strip())
        if match is None:
            raise ConfigurationError(
                f"office hours {text!r}: {part.strip()!r} is not a range HH:MM-HH:MM "
                '(e.g. "09:00-12:00,13:30-17:30")'
            )
        open_h, open_m, close_h, close_m = map(int, match.groups())
        open_, close = open_h * 60 + open_m, close_h * 60 + close_m
        if close <= open_:
            raise ConfigurationError(f"office hours {text!r}: {part.strip()} ends before it starts")
        ranges.append((open_, close))
    ranges.sort()
    for (_, previous_close), (open_, _) in pairwise(ranges):
        if open_ < previous_close:
            raise ConfigurationError(f"office hours {text!r}: the ranges overlap")
    return tuple(ranges)


def _load_overrides(path: Path) -> tuple[frozenset[int], dict[date, bool]]:
    """The years an override file makes known, and its listed days (True: a working day)."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CalendarError(f"calendar overrides {path}: {exc}") from exc
    unknown = sorted(set(data) - {"years"})
    if unknown:
        raise CalendarError(
            f"calendar overrides {path}: unknown keys {', '.join(unknown)} "
            "(only [years.YYYY] tables)"
        )
    years = data.get("years", {})
    if not isinstance(years, dict):
        raise CalendarError(f"calendar overrides {path}: years must be [years.YYYY] tables")
    days: dict[date, bool] = {}
    for key, table in years.items():
        where = f"calendar overrides {path}, [years.{key}]"
        if not _YEAR_RE.fullmatch(key) or not isinstance(table, dict):
            raise CalendarError(f"{where}: expected a table named by a four-digit year")
        unknown = sorted(set(table) - {"holidays", "workdays"})
        if unknown:
            raise CalendarError(f"{where}: unknown keys {', '.join(unknown)}")
        for field, working in (("holidays", False), ("workdays", True)):
            values = table.get(field, [])
            if not isinstance(values, list):
                raise CalendarError(f"{where}: {field} must be a list of dates")
            for value in values:
                day = _override_date(value, f"{where}, {field}")
                if day.year != int(key):
                    raise CalendarError(f"{where}: {field} lists {day}, which is not in {key}")
                if days.get(day, working) != working:
                    raise CalendarError(f"{where}: {day} is in both holidays and workdays")
                days[day] = working
    return frozenset(int(key) for key in years), days


def _override_date(value: Any, where: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise CalendarError(f'{where}: {value!r} is not a date "YYYY-MM-DD"')
