"""The working calendar: day status, office hours and office-time arithmetic.

Expected instants are worked out by hand from chinese-calendar 1.11.0's 2026 data (checked in
``test_the_2026_days_the_hand_computations_rely_on``) and the default office hours
09:00-12:00 and 13:30-17:30 (7 h a working day).
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from router.exceptions import CalendarError, ConfigurationError
from router.settings import Settings
from router.workcalendar import WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")
HOUR = 3600.0
DAY = 7 * HOUR  # office time of one working day


def at(text: str) -> datetime:
    """A local instant in Asia/Shanghai, e.g. "2026-03-13 16:00"."""
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar.from_settings(Settings())


def test_the_2026_days_the_hand_computations_rely_on() -> None:
    off = [
        "2026-02-15",  # Spring Festival: Sun 15 to Mon 23 February
        "2026-02-20",
        "2026-02-23",
        "2026-03-14",  # an ordinary weekend
        "2026-03-15",
        "2026-09-25",  # Mid-autumn, Fri 25 to Sun 27 September
        "2026-10-01",  # National Day: Thu 1 to Wed 7 October
        "2026-10-07",
        "2026-10-11",
    ]
    on = [
        "2026-02-13",
        "2026-02-14",  # Saturday, adjusted working day (Spring Festival)
        "2026-02-24",
        "2026-02-28",  # Saturday, adjusted working day (Spring Festival)
        "2026-03-13",
        "2026-03-16",
        "2026-09-20",  # Sunday, adjusted working day (National Day)
        "2026-09-30",
        "2026-10-08",
        "2026-10-10",  # Saturday, adjusted working day (National Day)
        "2026-12-31",
    ]
    for text in off:
        assert not chinese_calendar.is_workday(date.fromisoformat(text)), text
    for text in on:
        assert chinese_calendar.is_workday(date.fromisoformat(text)), text


def test_is_workday_follows_holidays_and_adjusted_working_days(cal: WorkCalendar) -> None:
    assert cal.is_workday(date(2026, 3, 13))  # Friday
    assert not cal.is_workday(date(2026, 3, 14))  # Saturday
    assert all(not cal.is_workday(date(2026, 10, d)) for d in range(1, 8))  # National Day
    assert cal.is_workday(date(2026, 9, 20))  # Sunday worked for National Day
    assert cal.is_workday(date(2026, 10, 10))  # Saturday worked for National Day
    assert not cal.is_workday(date(2026, 10, 11))
    assert cal.is_workday(date(2026, 2, 14)) and cal.is_workday(date(2026, 2, 28))
    assert all(not cal.is_workday(date(2026, 2, d)) for d in range(15, 24))  # Spring Festival


def test_a_weekend_is_skipped(cal: WorkCalendar) -> None:
    # Fri 2026-03-13 16:00: 1h30 left that day; Sat and Sun off; Mon 16th from 09:00 → 09:30
    assert cal.add_office_time(at("2026-03-13 16:00"), 2 * HOUR) == at("2026-03-16 09:30")
    # one working day (7 h): 1h30 on Friday, 09:00-12:00 (3 h) and 13:30-16:00 (2h30) Monday
    assert cal.add_office_time(at("2026-03-13 16:00"), DAY) == at("2026-03-16 16:00")
    assert cal.office_seconds(at("2026-03-13 16:00"), at("2026-03-16 16:00")) == DAY
    assert cal.office_seconds(at("2026-03-14 08:00"), at("2026-03-15 20:00")) == 0.0


def test_national_day_2026(cal: WorkCalendar) -> None:
    start = at("2026-09-30 16:00")  # Wednesday, the last working day before the holiday
    # 1h30 on Sep 30, Oct 1-7 off, Thu Oct 8 from 09:00: 30 min → 09:30
    assert cal.add_office_time(start, 2 * HOUR) == at("2026-10-08 09:30")
    # 1 working day: 1h30 on Sep 30, 5h30 on Oct 8 (3 h morning, 13:30 + 2h30) → 16:00
    assert cal.add_office_time(start, DAY) == at("2026-10-08 16:00")
    # 2 working days: Sep 30 (1h30), Oct 8 (7 h), Oct 9 (5h30) → Fri Oct 9 16:00
    assert cal.add_office_time(start, 2 * DAY) == at("2026-10-09 16:00")
    # 3 working days: ... and Sat Oct 10 is an adjusted working day → Oct 10 16:00
    assert cal.add_office_time(start, 3 * DAY) == at("2026-10-10 16:00")
    # 4 working days: Sun Oct 11 is off → Mon Oct 12 16:00
    assert cal.add_office_time(start, 4 * DAY) == at("2026-10-12 16:00")
    # the whole holiday holds no office time
    assert cal.office_seconds(at("2026-09-30 17:30"), at("2026-10-08 09:00")) == 0.0


def test_an_adjusted_working_sunday(cal: WorkCalendar) -> None:
    # Fri 2026-09-18 17:00: 30 min left; Sat 19th off; Sun 20th is worked → 09:30 Sunday
    assert cal.add_office_time(at("2026-09-18 17:00"), HOUR) == at("2026-09-20 09:30")
    assert cal.office_seconds(at("2026-09-19 00:00"), at("2026-09-21 00:00")) == DAY


def test_spring_festival_2026(cal: WorkCalendar) -> None:
    # Fri Feb 13 17:00: 30 min left; Sat Feb 14 is an adjusted working day: 1h30 → 10:30
    assert cal.add_office_time(at("2026-02-13 17:00"), 2 * HOUR) == at("2026-02-14 10:30")
    # Sat Feb 14 17:00, 1 working day: 30 min on the 14th, Feb 15-23 off, Tue Feb 24:
    # 3 h morning + 3h30 from 13:30 → 17:00
    assert cal.add_office_time(at("2026-02-14 17:00"), DAY) == at("2026-02-24 17:00")
    # Feb 14 (7 h) + Feb 24-27 (4 × 7 h) + Sat Feb 28 (adjusted, 7 h) = 42 h
    assert cal.office_seconds(at("2026-02-14 00:00"), at("2026-03-01 00:00")) == 6 * DAY


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        ("2026-03-17 08:00", 1, "2026-03-17 10:00"),  # before opening: counts from 09:00
        ("2026-03-17 12:30", 1, "2026-03-17 14:30"),  # lunch: counts from 13:30
        ("2026-03-17 11:30", 1, "2026-03-17 14:00"),  # 30 min before lunch, 30 min after
        ("2026-03-17 11:00", 1, "2026-03-17 12:00"),  # ends exactly at lunch: 12:00, not 13:30
        ("2026-03-17 16:30", 1, "2026-03-17 17:30"),  # ends exactly at closing
        ("2026-03-17 17:30", 1, "2026-03-18 10:00"),  # exactly at closing: next morning
        ("2026-03-17 20:00", 1, "2026-03-18 10:00"),  # after closing
        ("2026-03-17 20:00", 0, "2026-03-17 20:00"),  # nothing to add: the start itself
    ],
)
def test_office_hour_edges(cal: WorkCalendar, start: str, hours: float, expected: str) -> None:
    assert cal.add_office_time(at(start), hours * HOUR) == at(expected)


def test_office_seconds_edges(cal: WorkCalendar) -> None:
    assert cal.office_seconds(at("2026-03-17 08:00"), at("2026-03-17 20:00")) == DAY
    assert cal.office_seconds(at("2026-03-17 12:00"), at("2026-03-17 13:30")) == 0.0
    assert cal.office_seconds(at("2026-03-17 11:30"), at("2026-03-17 14:00")) == HOUR
    assert cal.office_seconds(at("2026-03-17 17:30"), at("2026-03-17 09:00")) == 0.0
    assert cal.office_seconds(at("2026-03-17 10:00"), at("2026-03-17 10:00")) == 0.0


def test_results_are_aware_in_the_calendar_zone(cal: WorkCalendar) -> None:
    start = datetime(2026, 3, 17, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
    end = cal.add_office_time(start, HOUR)
    assert end == at("2026-03-17 10:00") and end.tzinfo == TZ
    assert cal.add_office_time(start, 0).tzinfo == TZ
    assert cal.office_seconds(start, at("2026-03-17 10:00")) == HOUR


def test_naive_datetimes_are_refused(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError, match="naive"):
        cal.add_office_time(datetime(2026, 3, 17, 9), HOUR)
    with pytest.raises(ValueError, match="naive"):
        cal.office_seconds(at("2026-03-17 09:00"), datetime(2026, 3, 18))
    with pytest.raises(ValueError, match="non-negative"):
        cal.add_office_time(at("2026-03-17 09:00"), -1)


def test_add_and_count_are_inverse(cal: WorkCalendar) -> None:
    rng = random.Random(12345)
    origin = at("2026-01-01 00:00")
    for _ in range(2000):
        start = origin + timedelta(
            seconds=rng.randrange(300 * 86400), microseconds=rng.randrange(10**6)
        )
        seconds = rng.choice([0.0, 1800.0, HOUR, DAY, rng.uniform(0, 30 * DAY)])
        end = cal.add_office_time(start, seconds)
        assert end >= start
        assert cal.office_seconds(start, end) == pytest.approx(seconds, abs=1e-5)
        if seconds:  # the earliest such instant: a moment earlier is not enough
            assert cal.office_seconds(start, end - timedelta(milliseconds=1)) < seconds
        later = start + timedelta(seconds=rng.uniform(0, 40 * 86400))
        counted = cal.office_seconds(start, later)
        reached = cal.add_office_time(start, counted)
        assert reached <= later + timedelta(microseconds=1)
        assert cal.office_seconds(reached, later) == pytest.approx(0.0, abs=1e-5)


def test_office_hours_are_parsed_and_sorted() -> None:
    assert WorkCalendar(office_hours="13:30-17:30,09:00-12:00").day_seconds == DAY
    custom = WorkCalendar(office_hours="08:30-17:00")
    assert custom.day_seconds == 8.5 * HOUR
    assert custom.add_office_time(at("2026-03-17 16:00"), 2 * HOUR) == at("2026-03-18 09:30")


@pytest.mark.parametrize(
    "hours",
    ["", "9-17", "09:00-08:00", "09:00-09:00", "09:00-12:00,11:00-13:00", "24:00-25:00", "09:00"],
)
def test_bad_office_hours_are_a_configuration_error(hours: str) -> None:
    with pytest.raises(ConfigurationError, match="office hours"):
        WorkCalendar(office_hours=hours)


def test_a_bad_time_zone_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="Mars/Olympus"):
        WorkCalendar(tz="Mars/Olympus")


def test_an_unknown_year_is_a_calendar_error(cal: WorkCalendar) -> None:
    with pytest.raises(CalendarError) as caught:
        cal.is_workday(date(2027, 1, 4))
    message = str(caught.value)
    assert "no working calendar for 2027" in message
    assert "2004-2026" in message and "chinese-calendar 1.11.0" in message
    assert "[years.2027]" in message and "calendar_overrides.toml" in message
    # a 2-working-hour clock started on the last afternoon of 2026 needs 2027
    with pytest.raises(CalendarError, match="2027"):
        cal.add_office_time(at("2026-12-31 17:00"), 2 * HOUR)
    with pytest.raises(CalendarError, match="HOTLINE_CALENDAR_OVERRIDES"):
        WorkCalendar().is_workday(date(2003, 6, 2))


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "overrides.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_override_file_makes_a_new_year_known(tmp_path: Path) -> None:
    # made-up 2027 schedule: Fri Jan 1 off, Sat Jan 9 worked
    path = write(tmp_path, '[years.2027]\nholidays = ["2027-01-01"]\nworkdays = [2027-01-09]\n')
    cal = WorkCalendar(overrides=path)
    assert not cal.is_workday(date(2027, 1, 1))
    assert cal.is_workday(date(2027, 1, 4))  # unlisted Monday: working
    assert cal.is_workday(date(2027, 1, 9))
    assert not cal.is_workday(date(2027, 1, 10))  # unlisted Sunday: off
    # Thu 2026-12-31 16:00: 1h30 left; Jan 1 (listed) and Jan 2-3 (weekend) off → Mon 09:30
    assert cal.add_office_time(at("2026-12-31 16:00"), 2 * HOUR) == at("2027-01-04 09:30")
    with pytest.raises(CalendarError, match="2028"):
        cal.is_workday(date(2028, 1, 3))


def test_an_override_corrects_a_known_year_day_by_day(tmp_path: Path) -> None:
    path = write(tmp_path, '[years.2026]\nholidays = ["2026-03-16"]\nworkdays = ["2026-03-21"]\n')
    cal = WorkCalendar(overrides=path)
    assert not cal.is_workday(date(2026, 3, 16))
    assert cal.is_workday(date(2026, 3, 21))
    assert not cal.is_workday(date(2026, 10, 1))  # unlisted days still follow chinese-calendar
    assert cal.is_workday(date(2026, 10, 10))


def test_the_packaged_override_file_is_only_comments() -> None:
    cal = WorkCalendar.from_settings(Settings())
    assert cal.overrides == Settings().calendar_overrides and cal.overrides.is_file()
    assert cal.is_workday(date(2026, 3, 16))


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ('[years.2027]\nholidays = ["2028-01-01"]\n', "not in 2027"),
        ('[years.2027]\nholidays = ["2027-01-01"]\nworkdays = ["2027-01-01"]\n', "both"),
        ('[years.2027]\nholidays = ["1 Jan 2027"]\n', "not a date"),
        ('[years.2027]\nholidays = "2027-01-01"\n', "must be a list"),
        ('[years.2027]\noff = ["2027-01-01"]\n', "unknown keys off"),
        ("[years.next]\nholidays = []\n", "four-digit year"),
        ('[holidays]\n"2027" = []\n', "unknown keys holidays"),
        ("[years.2027\n", "calendar overrides"),
    ],
)
def test_a_bad_override_file_is_a_calendar_error(tmp_path: Path, text: str, error: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(CalendarError, match=error) as caught:
        WorkCalendar(overrides=path)
    assert str(path) in str(caught.value)


def test_a_missing_override_file_is_a_calendar_error(tmp_path: Path) -> None:
    with pytest.raises(CalendarError, match=r"missing\.toml"):
        WorkCalendar(overrides=tmp_path / "missing.toml")
