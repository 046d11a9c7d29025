"""Tickets driven through their lifecycle on a real broker and Redis, with the worker's
tracker raising alerts; and a worker restart in the middle that loses and doubles no clock.

The module runs its own broker and Redis so that it can count every alert. Its SLA policy
shrinks two categories to seconds of wall-clock time: urgent tickets (sign 3 s, contact
6 s, resolve 12 s) and the utility departments (sign 15 s, contact 60 s).
"""

from __future__ import annotations

import json
import random
import re
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import redis
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from classifiers.synthetic import generate
from router.departments import Catalogue
from router.embedded import EmbeddedServices, free_port
from router.processes import start_worker, stop_process, worker_env
from router.queues import TICKET_PREFIX
from router.settings import PACKAGE_DIR, Settings
from tests.conftest import routed_ticket, wait_until
from topics.adapters import render
from topics.admin import ensure_topics
from topics.alerts import ALERTS, SlaAlert
from topics.catalogue import DEADLETTER, ROUTED, intake_topic
from topics.events import TicketEvent, publish_events
from topics.schemas import TZ, DeadLetter, make_ticket_id

pytestmark = pytest.mark.integration

APP_ID = "hotline-lifecycle-test"
FAST = {
    "urgent": {"sign": "0.05m", "contact": "0.1m", "resolve": "0.2m", "callback": "0.2m"},
    "utility": {"sign": "0.25m", "contact": "1m", "resolve": "30m", "callback": "30m"},
}


def _policy(path: Path) -> Path:
    text = (PACKAGE_DIR / "sla_policy.toml").read_text(encoding="utf-8")
    for category, limits in FAST.items():
        block = f"[categories.{category}]\n" + "".join(f'{k} = "{v}"\n' for k, v in limits.items())
        text = re.sub(rf"\[categories\.{category}\]\n(?:\w+ = \"[^\"]+\"\n)+", block, text)
    path.write_text(text, encoding="utf-8")
    return path


class Watch:
    """Every record of some topics, read from the beginning as they arrive."""

    def __init__(self, bootstrap: str, *topics: str) -> None:
        self.consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
        parts = [
            TopicPartition(t, p)
            for t in topics
            for p in self.consumer.partitions_for_topic(t) or ()
        ]
        self.consumer.assign(parts)
        self.consumer.seek_to_beginning(*parts)
        self.records: dict[str, list[bytes]] = {t: [] for t in topics}

    def poll(self) -> None:
        for batch in self.consumer.poll(timeout_ms=200).values():
            for message in batch:
                self.records[message.topic].append(message.value)

    def alerts(self, ticket_id: str) -> list[SlaAlert]:
        self.poll()
        found = [SlaAlert.from_json(v) for v in self.records[ALERTS]]
        return [a for a in found if a.ticket_id == ticket_id]

    def letters(self, ticket_id: str) -> list[DeadLetter]:
        self.poll()
        found = [DeadLetter.from_json(v) for v in self.records[DEADLETTER]]
        return [d for d in found if d.key == ticket_id.encode()]


class Env:
    """Broker, Redis and a worker (restartable) with the fast SLA policy."""

    def __init__(self, services: EmbeddedServices, home: Path, model_dir: Path) -> None:
        assert services.state is not None
        self.bootstrap = services.state.bootstrap_servers
        self.web_port = free_port()
        settings = Settings(
            kafka_bootstrap_servers=self.bootstrap,
            redis_url=services.state.redis_url,
            home=home,
            model_dir=model_dir,
            model_pinned=True,
        )
        self.env = worker_env(
            settings,
            HOTLINE_APP_ID=APP_ID,
            HOTLINE_WEB_PORT=str(self.web_port),
            HOTLINE_TOPIC_PARTITIONS="2",
            HOTLINE_BROKER_SESSION_TIMEOUT_S="4",
            HOTLINE_BROKER_REBALANCE_TIMEOUT_S="4",
            HOTLINE_SLA_POLICY=str(_policy(home / "sla_policy.toml")),
            HOTLINE_SLA_TICK_S="0.5",
        )
        self.log_path = home / "worker.log"
        self.redis = redis.Redis.from_url(services.state.redis_url)
        self.producer = KafkaProducer(bootstrap_servers=self.bootstrap, acks="all")
        self.watch = Watch(self.bootstrap, ALERTS, DEADLETTER)
        self.worker = start_worker(self.env, log_path=self.log_path)

    def restart(self) -> None:
        assert stop_process(self.worker) == 0, self.log_path.read_text()[-3000:]
        self.worker = start_worker(self.env, log_path=self.log_path)

    def metrics(self) -> str:
        url = f"http://127.0.0.1:{self.web_port}/metrics"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode()
        except OSError:
            return ""

    def metric(self, name: str, **labels: str) -> float:
        wanted = [f'{k}="{v}"' for k, v in labels.items()]
        total = 0.0
        for line in self.metrics().splitlines():
            named = line.startswith(name + "{") or line.startswith(name + " ")
            if named and all(w in line for w in wanted):
                total += float(line.rsplit(" ", 1)[1])
        return total

    def route(self, ticket_id: str, department: str, *, urgency: str, at: datetime) -> None:
        """Put a routed ticket on tickets.routed, as the routing stage does."""
        ticket = routed_ticket(ticket_id, department, at, urgency=urgency)
        self.producer.send(ROUTED, key=ticket_id.encode(), value=ticket.to_json()).get(30)

    def events(self, *events: TicketEvent) -> None:
        publish_events(self.bootstrap, events)

    def tickets(self) -> float:
        """How many tickets the worker's tracker holds (its gauge, refreshed every tick)."""
        return self.metric("hotline_tracker_tickets")

    def wait_tracked(self, before: float, count: int) -> None:
        """Wait until the tracker holds ``count`` more tickets than ``before``: events sent
        earlier could overtake their routed records and be refused as unknown_ticket."""
        wait_until(lambda: self.tickets() >= before + count, what=f"{count} more tickets tracked")


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, model_dir: Path) -> Iterator[Env]:
    run_dir = tmp_path_factory.mktemp("lifecycle-services")
    with EmbeddedServices(run_dir=run_dir, broker_port=free_port(), redis_port=free_port()) as svc:
        assert svc.state is not None
        ensure_topics(svc.state.bootstrap_servers, partitions=2, app_id=APP_ID)
        environment = Env(svc, tmp_path_factory.mktemp("lifecycle-home"), model_dir)
        try:
            wait_until(lambda: environment.metrics(), timeout_s=90, what="the worker's metrics")
            yield environment
        finally:
            stop_process(environment.worker)
            environment.producer.close()


def _close(a: datetime, b: datetime) -> bool:
    return abs((a - b).total_seconds()) < 0.01


def ev(ticket_id: str, kind: str, role: str, **fields: object) -> TicketEvent:
    return TicketEvent(
        ticket_id=ticket_id,
        type=kind,
        at=datetime.now(TZ),
        actor=f"{role}-1",
        role=role,
        **fields,
    )


def test_a_ticket_from_intake_is_tracked_through_its_whole_lifecycle(
    env: Env, catalogue: Catalogue
) -> None:
    request = next(r for r in generate(40, seed=71, catalogue=catalogue) if not r.urgent)
    source_id = "lc-intake-1"
    raw = render("web", request, source_id=source_id, when=datetime.now(TZ), rng=random.Random(5))
    before = env.tickets()
    env.producer.send(intake_topic("web"), key=source_id.encode(), value=raw).get(30)
    ticket_id = make_ticket_id("web", source_id)
    stored = wait_until(
        lambda: env.redis.get(TICKET_PREFIX + ticket_id), timeout_s=60, what="the routed ticket"
    )
    department = json.loads(stored)["routing"]["department"]
    env.wait_tracked(before, 1)
    if department == "TRIAGE":
        env.events(ev(ticket_id, "dispatched", "dispatcher", to_department="URBAN_MANAGEMENT"))
        department = "URBAN_MANAGEMENT"
    handler = {"department": department}
    for kind, fields in (
        ("signed", {}),
        ("contacted", {}),
        ("replied", {"reply": "已安排人员处理，联系电话13912345678"}),
    ):
        time.sleep(0.01)  # distinct times, distinct event ids
        env.events(ev(ticket_id, kind, "handler", **handler, **fields))
    env.events(ev(ticket_id, "callback", "callback", rating="满意", resolved=True))
    env.events(ev(ticket_id, "closed", "callback"))
    labels = {"department": department, "channel": "web"}
    wait_until(
        lambda: (
            env.metric("hotline_callbacks_total", **labels, rating="satisfied", resolved="yes") == 1
        ),
        what="the callback counted",
    )
    assert env.metric("hotline_sla_outcomes_total", **labels, clock="sign", outcome="met") == 1
    assert env.metric("hotline_sla_outcomes_total", **labels, clock="resolve", outcome="met") == 1
    assert env.metric("hotline_tickets_replied_total", **labels) == 1
    assert env.metric("hotline_time_to_resolve_seconds_count", department=department) == 1
    wait_until(
        lambda: env.metric("hotline_tickets_open", department=department) == 0,
        what="the closed ticket to leave the open gauge",
    )
    assert env.watch.letters(ticket_id) == [] and env.watch.alerts(ticket_id) == []
    assert "13912345678" not in env.metrics()


def test_an_unattended_ticket_warns_breaches_and_escalates_once_each(env: Env) -> None:
    ticket_id = "lc-unattended"
    env.route(ticket_id, "URBAN_MANAGEMENT", urgency="urgent", at=datetime.now(TZ))
    # everything is due 12 s after routing: sign 3 s, contact 6 s, resolve 12 s
    wait_until(lambda: len(env.watch.alerts(ticket_id)) >= 7, timeout_s=40, what="seven alerts")
    time.sleep(2)  # a few more ticks: nothing else may come
    alerts = env.watch.alerts(ticket_id)
    assert sorted((a.level, a.clock) for a in alerts) == [
        ("breach", "contact"),
        ("breach", "resolve"),
        ("breach", "sign"),
        ("escalation", "breaches"),
        ("warning", "contact"),
        ("warning", "resolve"),
        ("warning", "sign"),
    ]
    sign = next(a for a in alerts if (a.level, a.clock) == ("breach", "sign"))
    routed = datetime.fromisoformat(sign.deadline) - timedelta(seconds=3)
    warning = next(a for a in alerts if (a.level, a.clock) == ("warning", "sign"))
    assert _close(datetime.fromisoformat(warning.due_at), routed + timedelta(seconds=2.4))
    assert all(a.department == "URBAN_MANAGEMENT" for a in alerts)
    assert env.metric("hotline_tickets_overdue", department="URBAN_MANAGEMENT") >= 1


def test_return_reassign_reopen_and_illegal_events(env: Env) -> None:
    tid = "lc-returned"
    before = env.tickets()
    env.route(tid, "URBAN_MANAGEMENT", urgency="urgent", at=datetime.now(TZ))
    env.wait_tracked(before, 1)
    env.events(ev(tid, "returned", "handler", department="URBAN_MANAGEMENT", reason="属市场监管"))
    env.events(ev(tid, "dispatched", "dispatcher", to_department="MARKET_REGULATION"))
    market = {"department": "MARKET_REGULATION"}
    env.events(ev(tid, "signed", "handler", **market))
    time.sleep(0.01)
    env.events(ev(tid, "signed", "handler", **market))  # signing twice
    env.events(ev(tid, "replied", "handler", **market, reply="已处理"))
    env.events(ev(tid, "callback", "callback", rating="不满意"))
    env.events(ev(tid, "reopened", "callback", reason="市民不满意"))
    env.events(ev("lc-nobody", "signed", "handler", **market))  # an unknown ticket
    wait_until(lambda: env.watch.letters("lc-nobody"), what="the unknown ticket's dead letter")
    (letter,) = env.watch.letters(tid)
    assert letter.reason == "illegal_transition" and letter.stage == "track"
    assert env.watch.letters("lc-nobody")[0].reason == "unknown_ticket"
    # the reopen escalates, and its new resolve clock (generation 2) runs out 12 s later
    wait_until(
        lambda: (
            {("breach", "resolve", 2), ("escalation", "reopen", 1)}
            <= {(a.level, a.clock, a.generation) for a in env.watch.alerts(tid)}
        ),
        timeout_s=30,
        what="the reopen escalation and the new resolve clock's breach",
    )
    alerts = env.watch.alerts(tid)
    # signed in time at both departments: no sign alert ever
    assert not [a for a in alerts if a.clock == "sign"]
    new_resolve = [a for a in alerts if a.clock == "resolve" and a.generation == 2]
    assert {a.department for a in new_resolve} == {"MARKET_REGULATION"}
    labels = {"department": "MARKET_REGULATION", "channel": "phone"}
    assert env.metric("hotline_callbacks_total", **labels, rating="dissatisfied") == 1
    assert env.metric("hotline_tickets_reopened_total", department="MARKET_REGULATION") == 1


def test_a_worker_restart_loses_and_doubles_no_clock(env: Env) -> None:
    """Ten utility tickets (sign 15 s: warning at 12 s; contact 60 s): warnings come before
    the restart, breaches during or after it; each exactly once, at the original times."""
    start = datetime.now(TZ)
    ids = [f"lc-restart-{i}" for i in range(10)]
    before = env.tickets()
    for tid in ids:
        env.route(tid, "POWER_SUPPLY", urgency="normal", at=start)
    env.wait_tracked(before, 10)
    env.events(ev(ids[0], "signed", "handler", department="POWER_SUPPLY"))
    wait_until(
        lambda: all(env.watch.alerts(t) for t in ids[1:]), timeout_s=40, what="sign warnings"
    )
    before = {t: [a.alert_id for a in env.watch.alerts(t)] for t in ids}
    env.restart()
    # contact's breach at 60 s: everything due has come by 65 s
    remaining = (start + timedelta(seconds=66) - datetime.now(TZ)).total_seconds()
    time.sleep(max(0.0, remaining))
    wait_until(lambda: env.metrics(), what="the restarted worker")
    for tid in ids:
        alerts = env.watch.alerts(tid)
        ids_seen = Counter(a.alert_id for a in alerts)
        doubled = [(a.level, a.clock, a.at) for a in alerts if ids_seen[a.alert_id] > 1]
        assert not doubled, f"{tid}: alerts came twice: {doubled}"
        assert set(before[tid]) <= set(ids_seen)
        kinds = sorted((a.level, a.clock) for a in alerts)
        if tid == ids[0]:  # signed in time before the restart: its sign clock stayed stopped
            assert kinds == [("breach", "contact"), ("warning", "contact")]
            continue
        assert kinds == [
            ("breach", "contact"),
            ("breach", "sign"),
            ("escalation", "breaches"),
            ("warning", "contact"),
            ("warning", "sign"),
        ]
        deadlines = {a.clock: datetime.fromisoformat(a.deadline) for a in alerts if a.deadline}
        assert _close(deadlines["sign"], start + timedelta(seconds=15))  # not from the restart
        assert _close(deadlines["contact"], start + timedelta(seconds=60))
