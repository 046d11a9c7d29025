"""The monthly three-rates report (三率排名): each department's response, resolution and
satisfaction rates for one calendar month, ranked, as CSV and HTML for the city's leaders.

The month is [first day 00:00, first day of the next month 00:00) in the calendar's time
zone (``HOTLINE_TIMEZONE``, Asia/Shanghai). The report replays ``tickets.routed`` and
``tickets.events`` from the beginning with the live tracker's own
:class:`~router.lifecycle.Lifecycle`:

- each ticket is opened on its first routed record (later ones are ignored, as the tracker
  does); its events are applied in order of (event time, offset), skipping an ``event_id``
  the ticket has already applied. An event the lifecycle refuses (``BadInputError``, or a
  department not in the catalogue) or one for an unknown ticket is skipped, and counted as
  *rejected* when its time is in the month; records that cannot be read (or a routed ticket
  that cannot be opened) are counted as *unreadable*;
- before each event at time t the alerts due at t are raised (``due_alerts`` then ``mark``);
  their breaches happen at the alert's ``due_at``, an event's outcomes at the event's time.
  After the last event, what is due at the end of the replay — min(month end, now) — is
  raised. Events after that instant are not replayed: they cannot change the month;
- only outcomes whose time falls in the month count. A deadline in a year the working
  calendar does not know stops the report (CalendarError) rather than guess.

Per department (the catalogue's, plus ``TRIAGE`` when it has anything):

- volume: tickets that first reached the department (routing, dispatch or reassignment to it)
  during the month, each ticket once per department; the city total counts each ticket once;
- response rate 响应率 = contact clocks met ÷ contact clocks decided (met + breached);
- resolution rate 解决率 = reached callbacks (rating ≠ unreachable) where the citizen says the
  problem is resolved ÷ reached callbacks;
- satisfaction rate 满意率 = (satisfied + basically satisfied) ÷ reached callbacks;
- breaches (any clock) in the month; overdue: tickets open at the end of the replay with a
  live clock past its deadline, at the department holding them; replies, reached callbacks,
  reopens.

The rates are those of ``deploy/prometheus/rules/hotline-three-rates.yml``. A rate whose
denominator is 0 has no data (empty in the CSV, "—" in the HTML) and is left out of the
score. Score = mean of the department's rates that have data (equal weights). Ranking: score
descending, then volume descending, then code; departments without any rate come last, by
volume descending then code.

:func:`monthly_report` computes the report from record values (no broker); :func:`write_csv`
and :func:`write_html` write its files; ``hotline report`` reads the topics and calls them.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from html import escape
from pathlib import Path
from zoneinfo import ZoneInfo

from router.clocks import BREACHED, MET
from router.departments import TRIAGE, Catalogue
from router.exceptions import (
    BadInputError,
    CalendarError,
    ConfigurationError,
    UnknownDepartmentError,
)
from router.lifecycle import RATING_LABELS, SATISFIED, Effect, Lifecycle, TicketState
from topics.events import TicketEvent
from topics.schemas import Ticket

TRIAGE_NAME = "分拨台"
TOTAL_CODE = "ALL"
TOTAL_NAME = "全市合计"
UNREACHABLE = RATING_LABELS["unreachable"]
SATISFIED_LABELS = frozenset(RATING_LABELS[rating] for rating in SATISFIED)
#: An event the lifecycle refuses before changing the state: skipped and counted.
REFUSED = (BadInputError, UnknownDepartmentError)

_MONTH = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True, kw_only=True)
class Month:
    """One calendar month in the centre's time zone: [start, end)."""

    year: int
    month: int
    start: datetime
    end: datetime

    @classmethod
    def parse(cls, text: str, tz: ZoneInfo) -> Month:
        """The month of ``YYYY-MM``; raises ConfigurationError otherwise."""
        match = _MONTH.fullmatch(text.strip())
        error = ConfigurationError(f"month {text!r} is not a month: expected YYYY-MM, e.g. 2026-10")
        if match is None:
            raise error
        year, month = int(match[1]), int(match[2])
        try:
            start = datetime(year, month, 1, tzinfo=tz)
            end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz)
        except ValueError:
            raise error from None
        return cls(year=year, month=month, start=start, end=end)

    @property
    def label(self) -> str:
        """``YYYY-MM``."""
        return f"{self.year:04d}-{self.month:02d}"


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


#: The count fields of a row.
COUNTS = (
    "volume",
    "contact_met",
    "contact_breached",
    "replies",
    "reached",
    "resolved",
    "satisfied",
    "breaches",
    "overdue",
    "reopened",
)


@dataclass(kw_only=True)
class Row:
    """One department's month, or the whole city's (code ``ALL``)."""

    code: str
    name: str
    rank: int | None = None
    volume: int = 0
    contact_met: int = 0
    contact_breached: int = 0
    replies: int = 0
    reached: int = 0  # callbacks that reached the citizen
    resolved: int = 0  # ... where the citizen says the problem is resolved
    satisfied: int = 0  # ... rated satisfied or basically satisfied
    breaches: int = 0
    overdue: int = 0
    reopened: int = 0

    @property
    def response_rate(self) -> float | None:
        """Contact clocks met ÷ decided; None without any."""
        return _ratio(self.contact_met, self.contact_met + self.contact_breached)

    @property
    def resolution_rate(self) -> float | None:
        """Resolved ÷ reached callbacks; None without any."""
        return _ratio(self.resolved, self.reached)

    @property
    def satisfaction_rate(self) -> float | None:
        """Satisfied or basically satisfied ÷ reached callbacks; None without any."""
        return _ratio(self.satisfied, self.reached)

    @property
    def score(self) -> float | None:
        """Mean of the rates that have data; None when none has."""
        rates = (self.response_rate, self.resolution_rate, self.satisfaction_rate)
        defined = [rate for rate in rates if rate is not None]
        return sum(defined) / len(defined) if defined else None

    def counts(self) -> tuple[int, ...]:
        """Every count of the row, in COUNTS order."""
        return tuple(getattr(self, name) for name in COUNTS)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: the counts, and the rates and score as fractions (None: no data)."""
        return asdict(self) | {
            "response_rate": self.response_rate,
            "resolution_rate": self.resolution_rate,
            "satisfaction_rate": self.satisfaction_rate,
            "score": self.score,
        }


@dataclass(kw_only=True)
class MonthlyReport:
    """The ranked rows of a month, the city total and what the replay skipped."""

    month: Month
    as_of: datetime  # min(month end, now): alerts raised and overdue tickets counted here
    generated_at: datetime
    rows: list[Row]
    total: Row
    rejected: int
    unreadable: int

    def to_dict(self) -> dict[str, object]:
        """JSON-ready."""
        return {
            "month": self.month.label,
            "start": self.month.start.isoformat(),
            "end": self.month.end.isoformat(),
            "as_of": self.as_of.isoformat(),
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
            "rejected": self.rejected,
            "unreadable": self.unreadable,
            "rows": [row.to_dict() for row in self.rows],
            "total": self.total.to_dict(),
        }


Timed = tuple[float, int, TicketEvent]  # event time, offset, event


class _Replay:
    """Replays tickets one by one and tallies the month's outcomes by department."""

    def __init__(self, lifecycle: Lifecycle, *, start: float, until: float) -> None:
        self.lifecycle = lifecycle
        self.start = start
        self.until = until
        self.rows: dict[str, Row] = {}
        self.reached: set[str] = set()  # tickets that reached some department in the month
        self.rejected = 0
        self.unreadable = 0

    def row(self, code: str) -> Row:
        row = self.rows.get(code)
        if row is None:
            row = self.rows[code] = Row(code=code, name=code)
        return row

    def in_month(self, at: float) -> bool:
        return self.start <= at < self.until

    def reject(self, events: Iterable[Timed]) -> None:
        self.rejected += sum(self.in_month(at) for at, _, _ in events)

    def ticket(self, ticket: Ticket, events: list[Timed]) -> None:
        lifecycle = self.lifecycle
        try:
            state = lifecycle.open(ticket, partition=0)
        except CalendarError:
            raise
        except (BadInputError, ConfigurationError):  # no routing, unknown department or type
            self.unreadable += 1
            self.reject(events)
            return
        if state.updated_at >= self.until:
            return  # routed after the end of the replay: nothing of it can count
        departments: set[str] = set()  # every department the ticket reached so far
        self.reach(state, departments, state.department, state.updated_at)
        for at, _, event in sorted(events, key=lambda timed: timed[:2]):
            if at >= self.until:
                break
            if event.event_id in state.event_ids:
                continue  # the same action sent twice
            self.raise_due(state, at)
            try:
                effects = lifecycle.apply(state, event)
            except REFUSED:
                self.rejected += self.in_month(at)
                continue
            self.count(effects, at)
            if event.to_department is not None:  # dispatched or reassigned
                self.reach(state, departments, event.to_department, at)
        self.raise_due(state, self.until)
        if state.open and state.overdue(self.until):
            self.row(state.department).overdue += 1

    def reach(self, state: TicketState, seen: set[str], department: str, at: float) -> None:
        """The ticket reached ``department``: volume when it is the first time, in the month."""
        if department in seen:
            return
        seen.add(department)
        if self.in_month(at):
            self.row(department).volume += 1
            self.reached.add(state.ticket_id)

    def raise_due(self, state: TicketState, now: float) -> None:
        for alert in self.lifecycle.due_alerts(state, now):
            due = datetime.fromisoformat(alert.due_at).timestamp()
            self.count(self.lifecycle.mark(state, [alert]), due)

    def count(self, effects: Iterable[Effect], at: float) -> None:
        if not self.in_month(at):
            return
        for effect in effects:
            row = self.row(effect.department)
            if effect.kind == "clock":
                row.breaches += effect.outcome == BREACHED
                if effect.clock == "contact":
                    row.contact_met += effect.outcome == MET
                    row.contact_breached += effect.outcome == BREACHED
            elif effect.kind == "reply":
                row.replies += 1
            elif effect.kind == "callback" and effect.rating != UNREACHABLE:
                row.reached += 1
                row.resolved += effect.resolved == "yes"
                row.satisfied += effect.rating in SATISFIED_LABELS
            elif effect.kind == "reopen":
                row.reopened += 1


def monthly_report(
    routed: Iterable[bytes],
    events: Iterable[tuple[int, bytes]],
    *,
    lifecycle: Lifecycle,
    catalogue: Catalogue,
    month: Month,
    now: datetime,
) -> MonthlyReport:
    """The month's ranked rows from every ``tickets.routed`` value (in topic order) and every
    ``tickets.events`` (offset, value); see the module docstring for what counts."""
    tickets: dict[str, Ticket] = {}
    unreadable = 0
    for raw in routed:
        try:
            ticket = Ticket.from_json(raw)
        except BadInputError:
            unreadable += 1
            continue
        tickets.setdefault(ticket.ticket_id, ticket)  # the first routed record holds
    until = min(month.end, now)
    by_ticket: dict[str, list[Timed]] = {}
    for offset, raw in events:
        try:
            event = TicketEvent.from_json(raw)
        except BadInputError:
            unreadable += 1
            continue
        at = event.at.timestamp()
        by_ticket.setdefault(event.ticket_id, []).append((at, offset, event))
    replay = _Replay(lifecycle, start=month.start.timestamp(), until=until.timestamp())
    for ticket_id, ticket in tickets.items():
        replay.ticket(ticket, by_ticket.pop(ticket_id, []))
    for orphans in by_ticket.values():
        replay.reject(orphans)
    names = {dept.code: dept.name for dept in catalogue} | {TRIAGE: TRIAGE_NAME}
    rows = [replay.row(code) for code in catalogue.codes]
    others = [row for code, row in replay.rows.items() if code not in catalogue]
    rows += [row for row in others if any(row.counts())]  # TRIAGE when it has anything
    for row in rows:
        row.name = names.get(row.code, row.code)
    total = Row(code=TOTAL_CODE, name=TOTAL_NAME)
    for name in COUNTS:
        setattr(total, name, sum(getattr(row, name) for row in rows))
    total.volume = len(replay.reached)
    return MonthlyReport(
        month=month,
        as_of=until,
        generated_at=now,
        rows=rank(rows),
        total=total,
        rejected=replay.rejected,
        unreadable=unreadable + replay.unreadable,
    )


def rank(rows: Iterable[Row]) -> list[Row]:
    """The rows by score (descending; without a score last), volume (descending), code; with
    their ranks set."""

    def key(row: Row) -> tuple[bool, float, int, str]:
        score = row.score
        # rounded: equal scores reached by different sums must tie, whatever the float noise
        return (score is None, -round(score or 0.0, 9), -row.volume, row.code)

    ranked = sorted(rows, key=key)
    for position, row in enumerate(ranked, start=1):
        row.rank = position
    return ranked


def report_name(month: Month) -> str:
    """The files' name without suffix: ``three-rates-YYYY-MM``."""
    return f"three-rates-{month.label}"


Cell = int | float | str | None  # float: a rate or score; None: no data

#: The columns of the CSV and the HTML: header (Chinese, then English) and cell.
COLUMNS: tuple[tuple[str, Callable[[Row], Cell]], ...] = (
    ("排名 rank", lambda row: "" if row.rank is None else row.rank),
    ("部门代码 code", lambda row: row.code),
    ("部门 department", lambda row: row.name),
    ("综合得分 score (%)", lambda row: row.score),
    ("响应率 response rate (%)", lambda row: row.response_rate),
    ("解决率 resolution rate (%)", lambda row: row.resolution_rate),
    ("满意率 satisfaction rate (%)", lambda row: row.satisfaction_rate),
    ("工单量 volume", lambda row: row.volume),
    ("按时联系 contacts on time", lambda row: row.contact_met),
    ("超时联系 contacts late", lambda row: row.contact_breached),
    ("办结回复 replies", lambda row: row.replies),
    ("回访接通 reached callbacks", lambda row: row.reached),
    ("已解决 resolved", lambda row: row.resolved),
    ("满意 satisfied", lambda row: row.satisfied),
    ("超时 breaches", lambda row: row.breaches),
    ("逾期在办 overdue", lambda row: row.overdue),
    ("重办 reopened", lambda row: row.reopened),
)
_TEXT_COLUMNS = frozenset({"部门代码 code", "部门 department"})

#: What the columns mean, for the HTML (the same words as docs/operations.md).
LEGEND: tuple[tuple[str, str], ...] = (
    (
        "响应率 response rate",
        "按时首次联系 ÷（按时 + 超时首次联系）= contact clocks met ÷ contact clocks decided "
        "(met + breached)",
    ),
    (
        "解决率 resolution rate",
        "回访接通且市民表示问题已解决 ÷ 回访接通 = reached callbacks (rating ≠ unreachable) "
        "where the citizen says the problem is resolved ÷ reached callbacks",
    ),
    (
        "满意率 satisfaction rate",
        "（满意 + 基本满意）÷ 回访接通 = (satisfied + basically satisfied) ÷ reached callbacks",
    ),
    (
        "综合得分 score",
        "有数据的各率的平均值，等权 = mean of the rates that have data, equal weights. "
        "分母为 0 的率无数据（—），不计入得分 = a rate with no denominator has no data (—) "
        "and is left out",
    ),
    (
        "排名 ranking",
        "得分从高到低，同分按工单量从多到少、再按部门代码；没有任何率的部门排在最后，按工单量 = "
        "score descending, then volume descending, then code; departments without any rate "
        "last, by volume",
    ),
    (
        "工单量 volume",
        "本月首次分拨、派单或改派到该部门的工单，每单每部门计一次；全市合计每单计一次 = tickets "
        "that first reached the department this month (routing, dispatch or reassignment), "
        "once per department; the city total counts each ticket once",
    ),
    (
        "超时 breaches · 逾期在办 overdue",
        "本月到期的超时时限（签收、首次联系、办结、回访）；月末仍在办且有时限已超期的工单，"
        "计入承办部门 = clocks past their deadline this month (sign, contact, resolve, "
        "callback); tickets open at the end of the month with a live clock past its "
        "deadline, at the department holding them",
    ),
)


def _csv_cell(value: Cell) -> int | str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value * 100:.1f}"
    return value


def write_csv(report: MonthlyReport, out_dir: Path) -> Path:
    """Write ``three-rates-YYYY-MM.csv`` (UTF-8 with a BOM, for Excel) into ``out_dir``: a
    header row, the ranked departments and the city total last; rates in percent."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{report_name(report.month)}.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow([header for header, _ in COLUMNS])
        for row in [*report.rows, report.total]:
            writer.writerow([_csv_cell(cell(row)) for _, cell in COLUMNS])
    return path


_STYLE = """
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; }
th { background: #f3f3f3; font-weight: normal; }
th small { color: #666; }
td { text-align: right; font-variant-numeric: tabular-nums; }
td.text { text-align: left; }
tfoot td { font-weight: bold; border-top: 2px solid #888; }
dt { font-weight: bold; margin-top: 0.6em; }
.note { color: #666; }
"""


def _html_cell(header: str, value: Cell) -> str:
    if value is None:
        text = "—"
    elif isinstance(value, float):
        text = f"{value * 100:.1f}"
    else:
        text = str(value)
    css = ' class="text"' if header in _TEXT_COLUMNS else ""
    return f"<td{css}>{escape(text)}</td>"


def _html_row(row: Row) -> str:
    return "<tr>" + "".join(_html_cell(header, cell(row)) for header, cell in COLUMNS) + "</tr>"


def _html_header(header: str) -> str:
    chinese, _, english = header.partition(" ")
    return f"<th>{escape(chinese)}<br><small>{escape(english)}</small></th>"


def render_html(report: MonthlyReport) -> str:
    """The report as one self-contained HTML page."""
    month = report.month
    title = f"12345热线 三率排名 {month.year}年{month.month:02d}月"
    stamp = "%Y-%m-%d %H:%M"
    period = f"统计期间 period: {month.start:{stamp}} – {month.end:{stamp}} ({month.start.tzinfo})"
    if report.as_of < month.end:
        period += f"；数据截至 data as of {report.as_of:{stamp}}"
    legend = "".join(f"<dt>{escape(term)}</dt><dd>{escape(text)}</dd>" for term, text in LEGEND)
    note = (
        f"生成于 generated {report.generated_at:{stamp}}；回放跳过 skipped in the replay: "
        f"本月被拒事件 {report.rejected} events of the month rejected, "
        f"无法读取的记录 {report.unreadable} unreadable records"
    )
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{escape(title)}</title>
<style>{_STYLE}</style>
</head>
<body>
<h1>{escape(title)}</h1>
<p>{escape(period)}</p>
<table>
<thead><tr>{"".join(_html_header(header) for header, _ in COLUMNS)}</tr></thead>
<tbody>
{"".join(_html_row(row) + chr(10) for row in report.rows)}</tbody>
<tfoot>{_html_row(report.total)}</tfoot>
</table>
<h2>口径 Definitions</h2>
<dl>{legend}</dl>
<p class="note">{escape(note)}</p>
</body>
</html>
"""


def write_html(report: MonthlyReport, out_dir: Path) -> Path:
    """Write ``three-rates-YYYY-MM.html`` (self-contained) into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{report_name(report.month)}.html"
    path.write_text(render_html(report), encoding="utf-8")
    return path
