"""`hotline report` against a real broker: routed tickets and lifecycle events of October 2026
on the topics, the command run as a user runs it, the CSV read back.

The module runs its own broker (no worker: the report replays the topics itself).
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from kafka import KafkaProducer

from router.embedded import EmbeddedServices, free_port
from tests.conftest import routed_ticket
from topics.admin import ensure_topics
from topics.catalogue import ROUTED
from topics.events import TicketEvent, publish_events
from topics.schemas import TZ, Ticket

pytestmark = pytest.mark.integration


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 10, day, hour, minute, tzinfo=TZ)


def ticket(ticket_id: str, department: str) -> Ticket:
    return routed_ticket(ticket_id, department, at(12, 9), channel="web")  # Monday 10-12 09:00


def event(ticket_id: str, kind: str, when: datetime, role: str, **fields: object) -> TicketEvent:
    return TicketEvent(
        ticket_id=ticket_id, type=kind, at=when, actor=f"{role}-1", role=role, **fields
    )


def handled(ticket_id: str, department: str, rating: str, resolved: bool) -> list[TicketEvent]:
    dept = {"department": department}
    return [
        event(ticket_id, "signed", at(12, 10, 30), "handler", **dept),
        event(ticket_id, "contacted", at(12, 11), "handler", **dept),
        event(ticket_id, "replied", at(13, 10), "handler", **dept, reply="已处理"),
        event(ticket_id, "callback", at(13, 15), "callback", rating=rating, resolved=resolved),
    ]


@pytest.fixture(scope="module")
def bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A broker holding October's tickets and events."""
    run_dir = tmp_path_factory.mktemp("report-services")
    with EmbeddedServices(run_dir=run_dir, broker_port=free_port(), redis_port=free_port()) as svc:
        assert svc.state is not None
        servers = svc.state.bootstrap_servers
        ensure_topics(servers, partitions=2)
        producer = KafkaProducer(bootstrap_servers=servers, acks="all")
        routed = [
            ticket("r-urban", "URBAN_MANAGEMENT"),
            ticket("r-urban", "HEALTH"),  # routed again: the first record holds
            ticket("r-market", "MARKET_REGULATION"),  # nobody signs
            ticket("r-triage", "TRIAGE"),
        ]
        for record in routed:
            producer.send(ROUTED, key=record.ticket_id.encode(), value=record.to_json()).get(30)
        producer.close()
        urban = handled("r-urban", "URBAN_MANAGEMENT", "满意", True)
        publish_events(
            servers,
            [
                *urban,
                urban[1],  # the same contact sent twice
                event("r-triage", "dispatched", at(12, 10), "dispatcher", to_department="HEALTH"),
                *handled("r-triage", "HEALTH", "不满意", False),
                event("r-nobody", "signed", at(12, 10), "handler", department="HEALTH"),
            ],
        )
        yield servers


def hotline(bootstrap: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "HOTLINE_HOME": str(cwd)}
    env.pop("REDIS_URL", None)  # the report needs the broker only
    return subprocess.run(
        [sys.executable, "-m", "router.cli", "report", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_report_writes_the_ranked_csv_and_html(bootstrap: str, tmp_path: Path) -> None:
    result = hotline(bootstrap, tmp_path, "--month", "2026-10")
    assert result.returncode == 0, result.stderr
    csv_path = tmp_path / "reports" / "three-rates-2026-10.csv"
    html_path = tmp_path / "reports" / "three-rates-2026-10.html"
    assert f"wrote {Path('reports') / csv_path.name}" in result.stdout
    assert html_path.name in result.stdout and html_path.is_file()
    with csv_path.open(encoding="utf-8-sig", newline="") as file:
        table = list(csv.DictReader(file))
    top = [
        (r["部门代码 code"], r["综合得分 score (%)"], r["响应率 response rate (%)"])
        for r in table[:4]
    ]
    assert top == [
        ("URBAN_MANAGEMENT", "100.0", "100.0"),
        ("HEALTH", "33.3", "100.0"),  # contacted in time, dissatisfied, not resolved
        ("MARKET_REGULATION", "0.0", "0.0"),  # nobody signed: a rate of 0, not "no data"
        ("TRIAGE", "", ""),
    ]
    market = table[2]
    assert (market["超时 breaches"], market["逾期在办 overdue"]) == ("3", "1")
    assert table[0]["按时联系 contacts on time"] == "1"  # the contact sent twice counts once
    total = table[-1]
    assert (total["部门代码 code"], total["工单量 volume"], total["响应率 response rate (%)"]) == (
        "ALL",
        "3",
        "66.7",
    )
    assert "12345热线 三率排名 2026年10月" in html_path.read_text(encoding="utf-8")


def test_report_prints_json_and_refuses_a_bad_month(bootstrap: str, tmp_path: Path) -> None:
    result = hotline(bootstrap, tmp_path, "--month", "2026-10", "--out", "out", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["month"] == "2026-10" and data["rejected"] == 1 and data["unreadable"] == 0
    assert data["files"] == ["out/three-rates-2026-10.csv", "out/three-rates-2026-10.html"]
    first = data["rows"][0]
    assert (first["code"], first["rank"], first["response_rate"]) == ("URBAN_MANAGEMENT", 1, 1.0)
    assert data["total"]["volume"] == 3
    bad = hotline(bootstrap, tmp_path, "--month", "2026-10-01")
    assert bad.returncode == 2 and "expected YYYY-MM" in bad.stderr
