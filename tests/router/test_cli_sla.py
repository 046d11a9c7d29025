"""``hotline sla deadline``: JSON deadlines on stdout, one-line errors with exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from router.cli import main

SETTINGS = ("HOTLINE_TIMEZONE", "HOTLINE_OFFICE_HOURS", "HOTLINE_SLA_POLICY")


@pytest.fixture(autouse=True)
def default_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*SETTINGS, "HOTLINE_CALENDAR_OVERRIDES"):
        monkeypatch.delenv(name, raising=False)


def sla(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict, str]:
    code = main(["sla", "deadline", *args])
    out, err = capsys.readouterr()
    return code, json.loads(out) if code == 0 else {}, err


def test_an_enquiry_on_the_eve_of_national_day(capsys: pytest.CaptureFixture[str]) -> None:
    # naive --received: Asia/Shanghai. Wed 2026-09-30 16:00, 1h30 left that day, Oct 1-7 off:
    # sign 2wh → Oct 8 09:30; contact 1wd → Oct 8 16:00; resolve 2wd → Fri Oct 9 16:00;
    # callback 1wd from the resolve deadline, Sat Oct 10 an adjusted working day → Oct 10 16:00
    code, out, err = sla(capsys, "--received", "2026-09-30T16:00", "--type", "enquiry")
    assert code == 0, err
    assert out == {
        "received": "2026-09-30T16:00:00+08:00",
        "category": "enquiry",
        "request_type": "咨询",
        "urgency": "normal",
        "department": None,
        "limits": {"sign": "2wh", "contact": "1wd", "resolve": "2wd", "callback": "1wd"},
        "deadlines": {
            "sign": "2026-10-08T09:30:00+08:00",
            "contact": "2026-10-08T16:00:00+08:00",
            "resolve": "2026-10-09T16:00:00+08:00",
            "callback": "2026-10-10T16:00:00+08:00",
        },
        "callback_from": "resolve_deadline",
    }


def test_a_utility_department_by_name_with_a_reply(capsys: pytest.CaptureFixture[str]) -> None:
    # 08:00Z = 16:00 in Shanghai; utility limits are wall clock: sign 2h → 18:00, contact and
    # resolve 24h → Oct 1 16:00. Replied Oct 1 10:00 (holiday): callback 1wd from the next
    # opening, Oct 8 09:00 → 17:30
    code, out, err = sla(
        capsys,
        "--received",
        "2026-09-30T08:00:00+00:00",
        "--type",
        "投诉",
        "--department",
        "WATER_SUPPLY",
        "--replied",
        "2026-10-01T10:00+08:00",
    )
    assert code == 0, err
    assert out["received"] == "2026-09-30T16:00:00+08:00"
    assert (out["category"], out["department"]) == ("utility", "WATER_SUPPLY")
    assert out["limits"] == {"sign": "2h", "contact": "24h", "resolve": "24h", "callback": "1wd"}
    assert out["deadlines"] == {
        "sign": "2026-09-30T18:00:00+08:00",
        "contact": "2026-10-01T16:00:00+08:00",
        "resolve": "2026-10-01T16:00:00+08:00",
        "callback": "2026-10-08T17:30:00+08:00",
    }
    assert out["callback_from"] == "replied"


def test_urgent_wins(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = sla(
        capsys, "--received", "2026-03-13T16:00", "--type", "help", "--urgency", "urgent"
    )
    assert code == 0
    assert (out["category"], out["request_type"]) == ("urgent", "求助")
    assert out["deadlines"]["sign"] == "2026-03-13T16:30:00+08:00"


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--received", "2026-12-31T16:00", "--type", "投诉"], "no working calendar for 2027"),
        (["--received", "2026-03-13T16:00", "--type", "grumble"], "--type 'grumble'"),
        (["--received", "yesterday", "--type", "咨询"], "--received 'yesterday'"),
        (
            ["--received", "2026-03-13T16:00", "--type", "咨询", "--department", "火星局"],
            "unknown department '火星局'",
        ),
    ],
)
def test_errors_are_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], args: list[str], error: str
) -> None:
    code, _, err = sla(capsys, *args)
    assert code == 2
    assert err.startswith("hotline: error: ") and error in err
    assert err.count("\n") == 1


def test_an_override_file_from_the_environment(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    overrides = tmp_path / "overrides.toml"
    overrides.write_text('[years.2027]\nholidays = ["2027-01-01"]\n', encoding="utf-8")
    monkeypatch.setenv("HOTLINE_CALENDAR_OVERRIDES", str(overrides))
    # Thu 2026-12-31 16:00: 1h30 left; Jan 1 listed off, Jan 2-3 weekend → Mon Jan 4 09:30
    code, out, err = sla(capsys, "--received", "2026-12-31T16:00", "--type", "投诉")
    assert code == 0, err
    assert out["deadlines"]["sign"] == "2027-01-04T09:30:00+08:00"


def test_the_console_script() -> None:
    hotline = Path(sys.executable).parent / "hotline"
    result = subprocess.run(
        [str(hotline), "sla", "deadline", "--received", "2026-09-30T16:00", "--type", "举报"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["category"] == "complaint"
    assert out["deadlines"]["sign"] == "2026-10-08T09:30:00+08:00"


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["sla", "--help"])
    assert exit_info.value.code == 0
    assert "--received" in capsys.readouterr().out
