"""The SLA policy: categories, limits, overrides, validation and deadlines.

Hand-computed instants use chinese-calendar's 2026 data (National Day: Oct 1-7 off, Sat Oct 10
worked; see test_workcalendar.py) and office hours 09:00-12:00, 13:30-17:30 (7 h a day).
"""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from router.departments import TRIAGE, Catalogue
from router.exceptions import ConfigurationError, UnknownDepartmentError
from router.settings import Settings
from router.sla_policy import (
    CATEGORIES,
    CLOCKS,
    Limit,
    SlaPolicy,
    deadline,
    deadlines,
    elapsed,
)
from router.workcalendar import WorkCalendar
from topics.schemas import REQUEST_TYPES

TZ = ZoneInfo("Asia/Shanghai")
PACKAGED = Settings().sla_policy
HOUR = 3600.0
DAY = 7 * HOUR


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar.from_settings(Settings())


@pytest.fixture(scope="module")
def policy(catalogue: Catalogue, cal: WorkCalendar) -> SlaPolicy:
    return SlaPolicy.load(PACKAGED, catalogue=catalogue, calendar=cal)


def load_text(tmp_path: Path, text: str, catalogue: Catalogue, cal: WorkCalendar) -> SlaPolicy:
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return SlaPolicy.load(path, catalogue=catalogue, calendar=cal)


def test_the_packaged_policy(policy: SlaPolicy) -> None:
    assert policy.warn_fraction == 0.8
    assert policy.escalate_after_breaches == 2


@pytest.mark.parametrize(
    ("category", "request_type", "urgency", "department", "texts"),
    [
        ("urgent", "咨询", "urgent", None, ["30m", "2h", "24h", "1wd"]),
        ("urgent", "投诉", "urgent", "WATER_SUPPLY", ["30m", "2h", "24h", "1wd"]),
        ("utility", "咨询", "normal", "GAS_SUPPLY", ["2h", "24h", "24h", "1wd"]),
        ("enquiry", "咨询", "normal", "EDUCATION", ["2wh", "1wd", "2wd", "1wd"]),
        ("help", "求助", "normal", None, ["2wh", "1wd", "10wd", "1wd"]),
        ("help", "建议", "normal", TRIAGE, ["2wh", "1wd", "10wd", "1wd"]),
        ("complaint", "投诉", "normal", "PUBLIC_SECURITY", ["2wh", "1wd", "15wd", "1wd"]),
        ("complaint", "举报", "normal", None, ["2wh", "1wd", "15wd", "1wd"]),
        ("enquiry", "表扬", "normal", None, ["2wh", "1wd", "2wd", "1wd"]),
        ("enquiry", "撤销", "normal", None, ["2wh", "1wd", "2wd", "1wd"]),
    ],
)
def test_category_and_default_limits(
    policy: SlaPolicy,
    category: str,
    request_type: str,
    urgency: str,
    department: str | None,
    texts: list[str],
) -> None:
    ticket = {"request_type": request_type, "urgency": urgency, "department": department}
    assert policy.category(**ticket) == category
    limits = policy.limits(**ticket)
    assert list(limits) == list(CLOCKS)
    assert [limit.text for limit in limits.values()] == texts


def test_limit_seconds(policy: SlaPolicy) -> None:
    urgent = policy.limits(request_type="求助", urgency="urgent", department=None)
    assert urgent["sign"] == Limit(seconds=1800.0, working=False, text="30m")
    assert urgent["resolve"] == Limit(seconds=86400.0, working=False, text="24h")
    assert urgent["callback"] == Limit(seconds=DAY, working=True, text="1wd")
    complaint = policy.limits(request_type="投诉", urgency="normal", department=None)
    assert complaint["sign"] == Limit(seconds=2 * HOUR, working=True, text="2wh")
    assert complaint["resolve"] == Limit(seconds=15 * DAY, working=True, text="15wd")


def test_every_request_type_has_a_category(policy: SlaPolicy) -> None:
    for request_type in REQUEST_TYPES:
        category = policy.category(request_type=request_type, urgency="normal", department=None)
        assert category in CATEGORIES


def test_category_refuses_unknown_values(policy: SlaPolicy) -> None:
    with pytest.raises(ConfigurationError, match="request type"):
        policy.category(request_type="enquiry", urgency="normal", department=None)
    with pytest.raises(ConfigurationError, match="urgency"):
        policy.category(request_type="咨询", urgency="high", department=None)
    with pytest.raises(UnknownDepartmentError, match="NOWHERE"):
        policy.limits(request_type="咨询", urgency="normal", department="NOWHERE")


def test_buckets_are_the_distinct_limits(policy: SlaPolicy) -> None:
    assert policy.buckets() == {
        "sign": (1800.0, 7200.0),  # 30m; 2h and 2wh
        "contact": (7200.0, DAY, 86400.0),  # 2h; 1wd; 24h
        "resolve": (2 * DAY, 86400.0, 10 * DAY, 15 * DAY),  # 2wd; 24h; 10wd; 15wd
    }


def test_a_department_override(tmp_path: Path, catalogue: Catalogue, cal: WorkCalendar) -> None:
    text = PACKAGED.read_text(encoding="utf-8")
    text += '\n[departments.PUBLIC_SECURITY.complaint]\nresolve = "12wd"\n'
    text += '\n[departments.WATER_SUPPLY.urgent]\nsign = "15m"\n'
    policy = load_text(tmp_path, text, catalogue, cal)
    police = policy.limits(request_type="投诉", urgency="normal", department="PUBLIC_SECURITY")
    assert police["resolve"] == Limit(seconds=12 * DAY, working=True, text="12wd")
    assert police["sign"].text == "2wh"  # the other clocks keep the category's limits
    other = policy.limits(request_type="投诉", urgency="normal", department="EDUCATION")
    assert other["resolve"].text == "15wd"
    enquiry = policy.limits(request_type="咨询", urgency="normal", department="PUBLIC_SECURITY")
    assert enquiry["resolve"].text == "2wd"
    water = policy.limits(request_type="咨询", urgency="urgent", department="WATER_SUPPLY")
    assert [limit.text for limit in water.values()] == ["15m", "2h", "24h", "1wd"]
    assert policy.buckets()["resolve"] == (2 * DAY, 86400.0, 10 * DAY, 12 * DAY, 15 * DAY)
    assert policy.buckets()["sign"] == (900.0, 1800.0, 7200.0)


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        ('sign = "30m"', 'sign = "30 min"', r"categories\.urgent\.sign: '30 min'"),
        ('sign = "30m"', 'sign = "0m"', r"categories\.urgent\.sign: '0m'"),
        ('sign = "30m"', "sign = 30", r"categories\.urgent\.sign: 30"),
        ('sign = "30m"', 'sign = "-1h"', r"categories\.urgent\.sign"),
        ('sign = "30m"\n', "", r"categories\.urgent: missing sign"),
        ('sign = "30m"', 'sign = "30m"\npickup = "1h"', r"categories\.urgent: unknown pickup"),
        ('"撤销" = "enquiry"\n', "", r"request_types: missing 撤销"),
        ('"撤销" = "enquiry"', '"撤销" = "praise"', r"request_types\.撤销: 'praise'"),
        ('"撤销" = "enquiry"', '"撤销" = "enquiry"\n"催办" = "help"', r"request_types: unknown"),
        ("[categories.help]", "[categories.helps]", r"categories: unknown helps"),
        ("warn_fraction = 0.8", "warn_fraction = 1.5", r"warn_fraction: 1\.5 is outside"),
        ("warn_fraction = 0.8\n", "", r"missing warn_fraction"),
        ("escalate_after_breaches = 2", "escalate_after_breaches = 0", r"escalate_after"),
        ("escalate_after_breaches = 2", "escalate_after_breaches = true", r"escalate_after"),
        ("warn_fraction = 0.8", "warn_fraction = 0.8\nwarn_at = 1", r"unknown warn_at"),
        ("[categories.urgent]", "[categories.urgent", "policy.toml"),
    ],
)
def test_a_bad_policy_is_a_configuration_error_naming_file_and_key(
    tmp_path: Path, catalogue: Catalogue, cal: WorkCalendar, old: str, new: str, error: str
) -> None:
    text = PACKAGED.read_text(encoding="utf-8")
    assert old in text
    with pytest.raises(ConfigurationError, match=error) as caught:
        load_text(tmp_path, text.replace(old, new, 1), catalogue, cal)
    assert str(tmp_path / "policy.toml") in str(caught.value)


@pytest.mark.parametrize(
    ("override", "error"),
    [
        ("[departments.NOWHERE.complaint]", r"departments\.NOWHERE: not a department code"),
        ("[departments.PUBLIC_SECURITY.grumble]", r"PUBLIC_SECURITY: unknown grumble"),
        ("[departments.PUBLIC_SECURITY.utility]", r"PUBLIC_SECURITY\.utility: never applies"),
        ("[departments.WATER_SUPPLY.complaint]", r"WATER_SUPPLY\.complaint: never applies"),
    ],
)
def test_bad_department_overrides(
    tmp_path: Path, catalogue: Catalogue, cal: WorkCalendar, override: str, error: str
) -> None:
    text = PACKAGED.read_text(encoding="utf-8") + f'\n{override}\nresolve = "10wd"\n'
    with pytest.raises(ConfigurationError, match=error):
        load_text(tmp_path, text, catalogue, cal)


def test_an_unknown_clock_in_an_override(
    tmp_path: Path, catalogue: Catalogue, cal: WorkCalendar
) -> None:
    text = PACKAGED.read_text(encoding="utf-8")
    text += '\n[departments.PUBLIC_SECURITY.complaint]\nfinish = "10wd"\n'
    with pytest.raises(ConfigurationError, match=r"PUBLIC_SECURITY\.complaint: unknown finish"):
        load_text(tmp_path, text, catalogue, cal)


def test_a_missing_policy_file(tmp_path: Path, catalogue: Catalogue, cal: WorkCalendar) -> None:
    with pytest.raises(ConfigurationError, match=r"SLA policy .*nope\.toml"):
        SlaPolicy.load(tmp_path / "nope.toml", catalogue=catalogue, calendar=cal)


def test_deadline_of_wall_clock_and_working_limits(cal: WorkCalendar) -> None:
    start = at("2026-09-30 16:00")
    wall = Limit(seconds=2 * HOUR, working=False, text="2h")
    working = Limit(seconds=2 * HOUR, working=True, text="2wh")
    assert deadline(cal, start, wall) == at("2026-09-30 18:00")  # nights and holidays count
    # 1h30 on Sep 30, Oct 1-7 off, 30 min on Oct 8 → 09:30
    assert deadline(cal, start, working) == at("2026-10-08 09:30")
    # restarted with 1 h already used: 1 h left → 17:00 the same day
    assert deadline(cal, start, working, used=HOUR) == at("2026-09-30 17:00")
    assert deadline(cal, start, wall, used=HOUR) == at("2026-09-30 17:00")
    # used up (or more): due at the restart
    assert deadline(cal, start, working, used=3 * HOUR) == start
    assert deadline(cal, start, wall, used=3 * HOUR) == start
    utc = datetime(2026, 9, 30, 8, 0, tzinfo=ZoneInfo("UTC"))  # 16:00 in Shanghai
    assert deadline(cal, utc, wall).tzinfo == TZ
    with pytest.raises(ValueError, match="naive"):
        deadline(cal, datetime(2026, 9, 30, 16), wall)


def test_elapsed(cal: WorkCalendar) -> None:
    wall = Limit(seconds=86400.0, working=False, text="24h")
    working = Limit(seconds=DAY, working=True, text="1wd")
    start, end = at("2026-09-30 16:00"), at("2026-10-08 10:00")
    assert elapsed(cal, start, end, wall) == (end - start).total_seconds()
    assert elapsed(cal, start, end, working) == 2.5 * HOUR  # 1h30 Sep 30 + 1 h Oct 8
    assert elapsed(cal, end, start, wall) == 0.0
    assert elapsed(cal, end, start, working) == 0.0
    with pytest.raises(ValueError, match="naive"):
        elapsed(cal, datetime(2026, 9, 30, 16), end, wall)


def test_deadlines_without_a_reply(policy: SlaPolicy, cal: WorkCalendar) -> None:
    # an enquiry received Wed 2026-09-30 16:00, the eve of National Day:
    # sign 2wh: 1h30 Sep 30 + 30 min Oct 8 → Oct 8 09:30
    # contact 1wd: 1h30 Sep 30 + 5h30 Oct 8 → Oct 8 16:00
    # resolve 2wd: 1h30 Sep 30 + 7 h Oct 8 + 5h30 Oct 9 → Oct 9 16:00
    # callback 1wd from the resolve deadline: 1h30 Oct 9 + 5h30 Sat Oct 10 (worked) → 16:00
    assert deadlines(policy, cal, received=at("2026-09-30 16:00"), request_type="咨询") == {
        "sign": at("2026-10-08 09:30"),
        "contact": at("2026-10-08 16:00"),
        "resolve": at("2026-10-09 16:00"),
        "callback": at("2026-10-10 16:00"),
    }


def test_deadlines_with_a_reply(policy: SlaPolicy, cal: WorkCalendar) -> None:
    # an urgent complaint received Wed 2026-09-30 16:00 (wall clock: holidays count):
    # sign 30m → 16:30, contact 2h → 18:00, resolve 24h → Oct 1 16:00;
    # replied Oct 2 10:00 (holiday): callback 1wd counts from Oct 8 09:00 → 17:30
    due = deadlines(
        policy,
        cal,
        received=at("2026-09-30 16:00"),
        request_type="投诉",
        urgency="urgent",
        department="PUBLIC_SECURITY",
        replied=at("2026-10-02 10:00"),
    )
    assert due == {
        "sign": at("2026-09-30 16:30"),
        "contact": at("2026-09-30 18:00"),
        "resolve": at("2026-10-01 16:00"),
        "callback": at("2026-10-08 17:30"),
    }
    assert all(moment.tzinfo == TZ for moment in due.values())


def test_a_complaint_resolve_deadline_spans_three_weeks(
    policy: SlaPolicy, cal: WorkCalendar
) -> None:
    # received Mon 2026-03-16 09:00 (no holiday before Qingming, Sat Apr 4 - Mon Apr 6):
    # 15 working days from the opening of day 1 end at the closing of day 15, after three
    # Monday-Friday weeks: Fri 2026-04-03 17:30
    due = deadlines(policy, cal, received=at("2026-03-16 09:00"), request_type="投诉")
    assert due["resolve"] == at("2026-04-03 17:30")
    assert due["resolve"] - at("2026-03-16 09:00") == timedelta(days=18, hours=8, minutes=30)


def test_the_sla_modules_do_not_import_sklearn() -> None:
    code = (
        "import sys, router.sla_policy, router.workcalendar; "
        "assert not any(m.startswith('sklearn') for m in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
