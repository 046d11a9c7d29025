"""Learning from corrections end to end: tickets through a real worker, dispatchers' and
departments' events on ``tickets.events``, then ``hotline feedback export``."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
import redis
from kafka import KafkaProducer

from classifiers.importer import EXAMPLE_COLUMNS, import_export, read_table
from router.cli import main
from router.queues import DEDUP_PREFIX, TICKET_PREFIX
from tests.conftest import Running, wait_until
from topics.catalogue import intake_topic
from topics.events import (
    DISPATCHED,
    REASSIGNED,
    REPLIED,
    RETURNED,
    SIGNED,
    TicketEvent,
    publish_events,
)
from topics.schemas import TZ, Ticket, make_ticket_id

pytestmark = pytest.mark.integration

PHONE = "13987654321"
REQUESTS = {
    "gas": "东湖区幸福小区3栋楼道里闻到很重的煤气味，怀疑燃气泄漏，请赶紧派人来看看！",
    "wages": f"我在工地干了三个月，老板一直拖欠工资不给，我的电话{PHONE}，请帮忙处理。",
    "noise": "小区旁边的工地每天晚上十一点以后还在施工，噪音很大，影响休息。",
    "trees": "人民公园门口的行道树枝叶挡住了路灯，晚上很黑，希望修剪一下。",
    "card": "请问社保卡丢了怎么补办，需要带哪些材料？",
}


def wechat_record(source_id: str, content: str) -> bytes:
    return json.dumps(
        {
            "schema_version": 1,
            "channel": "wechat",
            "source": "official_account",
            "msg_id": source_id,
            "openid": f"o{source_id}",
            "create_time": int(datetime.now(TZ).timestamp()),
            "msg_type": "text",
            "content": content,
        },
        ensure_ascii=False,
    ).encode()


@pytest.fixture(scope="module")
def routed(running: Running) -> dict[str, Ticket]:
    """The five requests sent through the worker, as it routed them."""
    producer = KafkaProducer(bootstrap_servers=running.settings.kafka_bootstrap_servers)
    ids = {}
    for name, content in REQUESTS.items():
        source_id = f"it-feedback-{name}"
        producer.send(
            intake_topic("wechat"), key=source_id.encode(), value=wechat_record(source_id, content)
        )
        ids[name] = make_ticket_id("wechat", source_id)
    producer.flush()
    producer.close()
    client = redis.Redis.from_url(running.settings.redis_url)
    wait_until(
        lambda: all(client.get(DEDUP_PREFIX + tid) == b"published" for tid in ids.values()),
        what="the feedback tickets on tickets.routed",
    )
    return {name: Ticket.from_json(client.get(TICKET_PREFIX + tid)) for name, tid in ids.items()}


def export(monkeypatch, capsys, running: Running, path, *flags: str) -> str:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", running.settings.kafka_bootstrap_servers)
    monkeypatch.setenv("REDIS_URL", running.settings.redis_url)
    monkeypatch.setenv("HOTLINE_HOME", str(path.parent))
    capsys.readouterr()
    assert main(["feedback", "export", "--out", str(path), *flags]) == 0
    return capsys.readouterr().out


def test_feedback_export_holds_exactly_the_corrected_tickets(
    running: Running, routed, monkeypatch, capsys, tmp_path, catalogue
):
    t0 = datetime.now(TZ)

    def event(name: str, type: str, minute: int, **fields) -> TicketEvent:
        ticket = routed[name]
        return TicketEvent(
            ticket_id=ticket.ticket_id,
            type=type,
            at=t0 + timedelta(minutes=minute),
            actor="u7",
            role="dispatcher" if type in (DISPATCHED, REASSIGNED) else "handler",
            **fields,
        )

    def held_by(name: str) -> str:
        return routed[name].routing.department

    gas = routed["gas"]
    assert gas.routing.method == "rule" and gas.routing.department == "GAS_SUPPLY"
    events = [
        event("wages", DISPATCHED, 1, department="TRIAGE", to_department="LABOR_INSPECTION"),
        event("noise", RETURNED, 2, department=held_by("noise"), reason="非本单位职责"),
        event("noise", REASSIGNED, 3, to_department="URBAN_MANAGEMENT"),
        event(
            "trees",
            RETURNED,
            2,
            department=held_by("trees"),
            reason="行道树归园林部门",
            suggested_department="LANDSCAPING",
        ),
        event("card", SIGNED, 1, department=held_by("card")),
        event("gas", SIGNED, 1, department="GAS_SUPPLY"),
        event("gas", REPLIED, 30, department="GAS_SUPPLY", reply=f"已上门处理，回电{PHONE}"),
    ]
    bootstrap = running.settings.kafka_bootstrap_servers
    assert publish_events(bootstrap, events) == len(events)
    assert publish_events(bootstrap, events[:1]) == 1  # a re-sent event counts once

    path = tmp_path / "feedback.csv"
    out = export(monkeypatch, capsys, running, path)
    assert f"to {path}" in out and "suggested only" in out
    raw = path.read_bytes()
    assert PHONE.encode() not in raw and PHONE[-4:].encode() in raw  # masked, not gone
    rows, _ = read_table(path)
    mine = {t.ticket_id: name for name, t in routed.items()}
    labels = {mine[row["id"]]: row["department"] for row in rows if row["id"] in mine}
    assert labels == {
        "wages": "LABOR_INSPECTION",
        "noise": "URBAN_MANAGEMENT",
        "trees": "LANDSCAPING",
    }
    back = import_export([path], columns=EXAMPLE_COLUMNS, catalogue=catalogue)
    assert {e.id: e.department for e in back.examples if e.id in mine} == {
        routed[name].ticket_id: department for name, department in labels.items()
    }

    path = tmp_path / "with-confirmed.csv"
    summary = json.loads(
        export(monkeypatch, capsys, running, path, "--include-confirmed", "--json")
    )
    assert summary["kinds"]["confirmed"] >= 1
    assert routed["trees"].ticket_id in summary["suggested_only"]
    rows, _ = read_table(path)
    assert {mine[row["id"]] for row in rows if row["id"] in mine} == {
        "wages",
        "noise",
        "trees",
        "gas",
    }

    later = (t0 + timedelta(days=1)).date().isoformat()
    summary = json.loads(export(monkeypatch, capsys, running, path, "--since", later, "--json"))
    assert summary["examples"] == 0
