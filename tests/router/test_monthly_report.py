"""The monthly three-rates report, replayed from records built in code (no broker).

October 2026 in Asia/Shanghai, office hours 09:00-12:00 and 13:30-17:30 (7 h a working day);
10-01..07 are the National Day holidays, Saturday 10-10 is a working day, 10-12 a Monday.
Complaints (投诉) to a standard department: sign 2 working hours, contact 1 working day,
resolve 15 working days, callback 1 working day from the reply.
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import pytest

from router.cli import main
from router.departments import TRIAGE, Catalogue
from router.exceptions import ConfigurationError
from router.lifecycle import Lifecycle
from router.monthly_report import (
    LEGEND,
    Month,
    MonthlyReport,
    Row,
    monthly_report,
    rank,
    write_csv,
    write_html,
)
from router.settings import Settings
from tests.conftest import routed_ticket
from topics import events as ev
from topics.schemas import TZ

URBAN = "URBAN_MANAGEMENT"
MARKET = "MARKET_REGULATION"
HEALTH = "HEALTH"
EDUCATION = "EDUCATION"
AGRICULTURE = "AGRICULTURE"
FUND = "HOUSING_FUND"
OCTOBER = Month.parse("2026-10", TZ)
LATER = datetime(2026, 12, 1, tzinfo=TZ)  # "now": October is over
_ROLES = {
    ev.DISPATCHED: "dispatcher",
    ev.REASSIGNED: "dispatcher",
    ev.CALLBACK: "callback",
    ev.REOPENED: "callback",
    ev.CLOSED: "callback",
}


@pytest.fixture(scope="module")
def lifecycle(catalogue: Catalogue) -> Lifecycle:
    return Lifecycle.from_settings(Settings(), catalogue=catalogue)


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


def routed(ticket_id: str, department: str, when: datetime) -> bytes:
    return routed_ticket(ticket_id, department, when).to_json()


def event(ticket_id: str, kind: str, when: datetime, **fields: object) -> ev.TicketEvent:
    role = str(fields.pop("role", _ROLES.get(kind, "handler")))
    return ev.TicketEvent(
        ticket_id=ticket_id, type=kind, at=when, actor=f"{role}-1", role=role, **fields
    )


def handled(
    ticket_id: str, department: str, signed: datetime, contacted: datetime
) -> list[ev.TicketEvent]:
    return [
        event(ticket_id, ev.SIGNED, signed, department=department),
        event(ticket_id, ev.CONTACTED, contacted, department=department),
    ]


def replied(ticket_id: str, department: str, when: datetime) -> ev.TicketEvent:
    return event(ticket_id, ev.REPLIED, when, department=department, reply="已处理")


def october() -> tuple[list[bytes], list[ev.TicketEvent]]:
    """The tickets of the unit tests; the expected numbers are worked out in the tests."""
    mon = (10, 12)
    tickets = [
        routed("t1", URBAN, at(*mon, 9)),
        routed("t2", URBAN, at(*mon, 9)),
        routed("t3", MARKET, at(*mon, 9)),  # nobody ever signs
        routed("t4", HEALTH, at(*mon, 9)),
        routed("t5", TRIAGE, at(*mon, 9)),
        routed("t6", URBAN, at(*mon, 9)),
        routed("t7", URBAN, at(9, 28, 9)),  # September
        routed("t8", FUND, at(10, 30, 16)),  # its contact comes in November
        routed("d1", EDUCATION, at(10, 20, 9)),
        routed("e1", AGRICULTURE, at(10, 20, 9)),
    ]
    events = [
        # t1: contact met, callback satisfied and resolved
        *handled("t1", URBAN, at(*mon, 9, 30), at(*mon, 10)),
        event("t1", ev.SIGNED, at(*mon, 9, 40), department=URBAN),  # illegal: signed twice
        replied("t1", URBAN, at(10, 13, 10)),
        event("t1", ev.CALLBACK, at(10, 13, 15), rating="满意", resolved=True),
        event("t1", ev.CLOSED, at(10, 13, 15, 5)),
        # t2: contact breached at 10-12 17:30; dissatisfied, reopened, then basically satisfied
        event("t2", ev.SIGNED, at(*mon, 9, 30), department=URBAN),
        event("t2", ev.CONTACTED, at(10, 13, 11), department=URBAN),
        replied("t2", URBAN, at(10, 13, 14)),
        event("t2", ev.CALLBACK, at(10, 13, 16), rating="不满意"),
        event("t2", ev.REOPENED, at(10, 14, 10), reason="市民不满意"),
        replied("t2", URBAN, at(10, 15, 10)),
        event("t2", ev.CALLBACK, at(10, 16, 9, 30), rating="基本满意", resolved=True),
        event("t2", ev.CLOSED, at(10, 16, 9, 35)),
        # t4: contact met, the citizen could not be reached
        *handled("t4", HEALTH, at(*mon, 9, 30), at(*mon, 10)),
        replied("t4", HEALTH, at(10, 13, 10)),
        event("t4", ev.CALLBACK, at(10, 13, 15), rating="unreachable"),
        # t5: dispatched from triage to MARKET, contact met, satisfied
        event("t5", ev.DISPATCHED, at(*mon, 10), department=TRIAGE, to_department=MARKET),
        *handled("t5", MARKET, at(*mon, 10, 30), at(*mon, 11)),
        replied("t5", MARKET, at(10, 13, 10)),
        event("t5", ev.CALLBACK, at(10, 13, 15), rating="满意"),
        # t6: reassigned from URBAN to HEALTH before signing; contact met by HEALTH
        event("t6", ev.REASSIGNED, at(*mon, 10), to_department=HEALTH),
        *handled("t6", HEALTH, at(*mon, 10, 30), at(*mon, 11)),
        replied("t6", HEALTH, at(10, 13, 10)),
        event("t6", ev.CALLBACK, at(10, 13, 11), rating="满意", resolved=True),
        event("t6", ev.CLOSED, at(10, 13, 11, 5)),
        # t7: all in September
        *handled("t7", URBAN, at(9, 28, 9, 10), at(9, 28, 9, 20)),
        replied("t7", URBAN, at(9, 28, 14)),
        event("t7", ev.CALLBACK, at(9, 29, 10), rating="不满意"),
        event("t7", ev.CLOSED, at(9, 29, 10, 30)),
        event("nobody", ev.SIGNED, at(9, 29, 10), department=URBAN),  # unknown, September
        # t8: signed in October, contacted in November (met, but not October's)
        *handled("t8", FUND, at(10, 30, 16, 30), at(11, 2, 9, 10)),
        # d1, e1: contacted in time, still open with deadlines in November
        *handled("d1", EDUCATION, at(10, 20, 9, 10), at(10, 20, 9, 20)),
        *handled("e1", AGRICULTURE, at(10, 20, 9, 10), at(10, 20, 9, 20)),
        event("nobody", ev.SIGNED, at(*mon, 10), department=URBAN),  # unknown ticket
    ]
    return tickets, events


def report_of(
    lifecycle: Lifecycle,
    catalogue: Catalogue,
    tickets: list[bytes],
    events: list[ev.TicketEvent],
    *,
    now: datetime = LATER,
    extra: tuple[bytes, ...] = (),
) -> MonthlyReport:
    records = [*(e.to_json() for e in events), *extra]
    return monthly_report(
        tickets,
        enumerate(records),
        lifecycle=lifecycle,
        catalogue=catalogue,
        month=OCTOBER,
        now=now,
    )


@pytest.fixture(scope="module")
def report(lifecycle: Lifecycle, catalogue: Catalogue) -> MonthlyReport:
    tickets, events = october()
    t1_contact = events[1]
    return report_of(
        lifecycle, catalogue, tickets, [*events, t1_contact], extra=(b"not json",)
    )  # t1's contact sent twice: applied once


def rows(report: MonthlyReport) -> dict[str, Row]:
    return {row.code: row for row in report.rows}


def test_volume_counts_each_ticket_once_per_department_it_reached_in_the_month(report):
    by = rows(report)
    # t1, t2, t6 routed to URBAN (t7 was September); t3 and t5 (dispatched) reached MARKET
    assert [by[c].volume for c in (URBAN, MARKET, HEALTH, TRIAGE, FUND)] == [3, 2, 2, 1, 1]
    assert by[EDUCATION].volume == by[AGRICULTURE].volume == 1
    assert report.total.volume == 9  # t1-t6, t8, d1, e1: each ticket once


def test_response_rate_is_contacts_met_over_contacts_decided(report):
    by = rows(report)
    assert (by[URBAN].contact_met, by[URBAN].contact_breached) == (1, 1)  # t1 met, t2 late
    assert by[URBAN].response_rate == 0.5
    assert (by[MARKET].contact_met, by[MARKET].contact_breached) == (1, 1)  # t5 met, t3 late
    assert (by[HEALTH].contact_met, by[HEALTH].contact_breached) == (2, 0)  # t4, and t6
    assert by[HEALTH].response_rate == 1.0
    assert by[FUND].response_rate is None  # t8 contacted in November


def test_resolution_and_satisfaction_count_reached_callbacks(report):
    by = rows(report)
    urban = by[URBAN]  # t1 满意 + resolved; t2 不满意, then 基本满意 + resolved
    assert (urban.reached, urban.resolved, urban.satisfied) == (3, 2, 2)
    assert urban.resolution_rate == urban.satisfaction_rate == pytest.approx(2 / 3)
    assert urban.score == pytest.approx((1 / 2 + 2 / 3 + 2 / 3) / 3)
    health = by[HEALTH]  # t4 unreachable does not count; t6 满意 + resolved
    assert (health.reached, health.resolved, health.satisfied) == (1, 1, 1)
    market = by[MARKET]  # t5 满意 without the question: a satisfied citizen counts as resolved
    assert (market.reached, market.resolution_rate, market.satisfaction_rate) == (1, 1.0, 1.0)
    assert market.score == pytest.approx((0.5 + 1 + 1) / 3)
    assert (by[EDUCATION].resolution_rate, by[EDUCATION].score) == (None, 1.0)


def test_breaches_overdue_replies_and_reopens(report):
    by = rows(report)
    # t3, signed by nobody: sign (10-12 11:00), contact (17:30), resolve (10-30 17:30)
    assert (by[MARKET].breaches, by[MARKET].overdue) == (3, 1)
    assert (by[URBAN].breaches, by[URBAN].overdue) == (1, 0)  # t2's contact
    assert by[URBAN].replies == 3 and by[URBAN].reopened == 1
    assert (by[HEALTH].replies, by[MARKET].replies) == (2, 1)
    assert by[EDUCATION].overdue == 0  # open, deadlines in November
    total = report.total
    assert (total.contact_met, total.contact_breached, total.reached) == (6, 2, 5)
    assert (total.resolved, total.satisfied, total.breaches, total.overdue) == (4, 4, 4, 1)
    assert (total.replies, total.reopened) == (6, 1)
    assert total.response_rate == 0.75 and total.resolution_rate == 0.8


def test_rejected_and_unreadable_records_are_counted(report):
    # t1 signed twice and the October event of an unknown ticket; not September's unknown one
    assert report.rejected == 2
    assert report.unreadable == 1


def test_ranking_by_score_then_volume_then_code(report, catalogue):
    order = [row.code for row in report.rows]
    assert order[:7] == [HEALTH, AGRICULTURE, EDUCATION, MARKET, URBAN, FUND, TRIAGE]
    silent = order[7:]
    assert silent == sorted(silent) and len(order) == len(catalogue) + 1  # TRIAGE had tickets
    assert [row.rank for row in report.rows] == list(range(1, len(order) + 1))
    assert report.total.rank is None


def test_rank_ties_equal_scores_despite_float_noise_and_puts_no_score_last():
    a = Row(code="A", name="a", volume=2, contact_met=1, contact_breached=2)  # 1/3
    b = Row(code="B", name="b", volume=1, reached=9, resolved=1, satisfied=5)  # (1/9 + 5/9) / 2
    c = Row(code="C", name="c", volume=9)
    assert b.score != a.score  # 0.33333333333333337
    assert [row.code for row in rank([c, b, a])] == ["A", "B", "C"]  # tie: volume decides


def test_triage_is_left_out_when_it_has_nothing(lifecycle, catalogue):
    tickets = [routed("x1", URBAN, at(10, 12, 9))]
    events = handled("x1", URBAN, at(10, 12, 9, 10), at(10, 12, 9, 20))
    report = report_of(lifecycle, catalogue, tickets, events)
    assert TRIAGE not in rows(report) and len(report.rows) == len(catalogue)
    assert report.rows[0].code == URBAN


def test_a_month_in_progress_counts_what_was_due_by_now(lifecycle, catalogue):
    tickets = [routed("t3", MARKET, at(10, 12, 9))]
    report = report_of(lifecycle, catalogue, tickets, [], now=at(10, 12, 12))
    market = rows(report)[MARKET]
    assert (market.breaches, market.contact_breached, market.overdue) == (1, 0, 1)  # sign only
    assert report.as_of == at(10, 12, 12)


def test_the_first_routed_record_holds(lifecycle, catalogue):
    tickets = [routed("x1", URBAN, at(10, 12, 9)), routed("x1", HEALTH, at(10, 12, 9, 5))]
    by = rows(report_of(lifecycle, catalogue, tickets, []))
    assert (by[URBAN].volume, by[HEALTH].volume) == (1, 0)


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026/10", "26-10", "October", ""])
def test_a_bad_month_is_a_clear_error(text):
    with pytest.raises(ConfigurationError, match="expected YYYY-MM"):
        Month.parse(text, TZ)


def test_months_run_from_midnight_to_midnight_in_the_centre():
    december = Month.parse("2026-12", TZ)
    assert (december.start, december.end) == (at(12, 1, 0), datetime(2027, 1, 1, tzinfo=TZ))
    assert december.label == "2026-12"


def test_the_command_rejects_a_bad_month_with_exit_2(capsys):
    assert main(["report", "--month", "2026-13"]) == 2
    assert "2026-13" in capsys.readouterr().err


def test_csv_opens_in_excel_and_reads_back(report, tmp_path: Path):
    path = write_csv(report, tmp_path / "out")
    assert path.name == "three-rates-2026-10.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as file:
        table = list(csv.DictReader(file))
    assert len(table) == len(report.rows) + 1
    first, urban = table[0], next(r for r in table if r["部门代码 code"] == URBAN)
    assert first["排名 rank"] == "1" and first["部门 department"] == "市卫生健康委员会"
    assert urban["响应率 response rate (%)"] == "50.0"
    assert urban["解决率 resolution rate (%)"] == "66.7"
    assert urban["综合得分 score (%)"] == "61.1"
    assert urban["工单量 volume"] == "3" and urban["重办 reopened"] == "1"
    fund = next(r for r in table if r["部门代码 code"] == FUND)
    assert fund["响应率 response rate (%)"] == "" and fund["综合得分 score (%)"] == ""
    total = table[-1]
    assert (total["排名 rank"], total["部门代码 code"], total["部门 department"]) == (
        "",
        "ALL",
        "全市合计",
    )
    assert total["响应率 response rate (%)"] == "75.0" and total["工单量 volume"] == "9"


def test_html_names_departments_and_states_the_formulas(report, catalogue, tmp_path: Path):
    path = write_html(report, tmp_path)
    page = path.read_text(encoding="utf-8")
    assert path.name == "three-rates-2026-10.html"
    assert "<title>12345热线 三率排名 2026年10月</title>" in page
    for code in (URBAN, MARKET, HEALTH, FUND):
        assert catalogue[code].name in page
    assert "分拨台" in page and "全市合计" in page
    for term, text in LEGEND:
        assert term in page and text in page
    assert "contact clocks met ÷ contact clocks decided" in page
    assert "<td>—</td>" in page  # FUND has no rate
    assert "<script" not in page and "http" not in page  # self-contained


def test_html_escapes_what_it_prints(report, tmp_path: Path):
    odd = Row(code="X", name="<b>&市</b>", rank=99, contact_met=1)
    mangled = MonthlyReport(**{**vars(report), "rows": [*report.rows, odd]})
    page = write_html(mangled, tmp_path).read_text(encoding="utf-8")
    assert "&lt;b&gt;&amp;市&lt;/b&gt;" in page and "<b>&市" not in page
