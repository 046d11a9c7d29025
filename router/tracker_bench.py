"""``hotline bench --tracker``: the SLA tracker's load, throughput, memory and recovery.

One worker process on a real broker (4 partitions):

1. Load: N routed tickets (open, in departments, clocks running) produced straight onto
   ``tickets.routed``; the clock runs until the tracker holds all N in its table.
2. Throughput: M lifecycle events (signed, contacted, replied in turn, for M/3 of those
   tickets) produced as fast as the client can; the clock runs from the first event sent
   until the worker has applied all M (``hotline_lifecycle_events_total``).
3. The worker's peak RSS (VmHWM) with the N tickets in its table.
4. Recovery: the worker is stopped, one more event is sent, and the worker is started
   again; the clock runs from the start of the new process until it applies that event,
   which it does only once its table is recovered (process start, model load, group join
   and the changelog read back, together). Then all N tickets must be in the table.
"""

from __future__ import annotations

import json
import random
import time
import urllib.request
from collections.abc import Callable
from contextlib import ExitStack
from datetime import datetime

from kafka import KafkaProducer

from router.bench import bench_endpoints, machine
from router.departments import Catalogue
from router.embedded import free_port
from router.exceptions import ServiceError
from router.processes import peak_rss_mb, start_worker, stop_process, worker_env
from router.settings import Settings
from topics.admin import ensure_topics
from topics.catalogue import ROUTED
from topics.events import EVENTS, TicketEvent
from topics.schemas import TZ, Routing, Ticket

TIMEOUT_S = 900.0
STEPS = ("signed", "contacted", "replied")


def _metric(port: int, name: str) -> float:
    """The sum of a metric's samples on the worker's /metrics (0 if not reachable yet)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as resp:
            text = resp.read().decode()
    except OSError:
        return 0.0
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith((name + "{", name + " "))
    )


def _wait(condition: Callable[[], bool], what: str) -> float:
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        if condition():
            return time.monotonic()
        time.sleep(0.2)
    raise ServiceError(f"timed out waiting for {what}")


def _routed(ticket_id: str, department: str, at: datetime) -> bytes:
    return Ticket(
        ticket_id=ticket_id,
        channel="phone",
        source_id=ticket_id,
        received_at=at.isoformat(),
        text="路灯不亮，晚上出行不便",
        request_type="投诉",
        routing=Routing(
            department=department,
            queue=f"hotline:queue:{department}",
            confidence=0.9,
            method="model",
            model_version="bench",
            routed_at=at.isoformat(),
        ),
    ).to_json()


def run_tracker_bench(settings: Settings, *, tickets: int, events: int, as_json: bool) -> int:
    """Run the tracker measurements and print them (one JSON object with ``as_json``)."""
    say = (lambda *_: None) if as_json else (lambda msg: print(msg, flush=True))
    codes = Catalogue.load().codes
    rng = random.Random(7)
    with ExitStack() as stack:
        settings = bench_endpoints(stack, settings)
        run = f"trackerbench{int(time.time())}"
        app_id = f"hotline-{run}"
        ensure_topics(
            settings.kafka_bootstrap_servers, partitions=settings.topic_partitions, app_id=app_id
        )
        port = free_port()
        env = worker_env(
            settings,
            HOTLINE_APP_ID=app_id,
            HOTLINE_WEB_PORT=str(port),
            HOTLINE_BROKER_SESSION_TIMEOUT_S="4",
            HOTLINE_BROKER_REBALANCE_TIMEOUT_S="4",
            HOTLINE_SLA_TICK_S="1",
            HOTLINE_LOG_LEVEL="warning",
        )
        log_path = settings.home / "logs" / f"{run}-worker.log"
        workers = [start_worker(env, log_path=log_path)]
        stack.callback(lambda: stop_process(workers[-1]))
        producer = KafkaProducer(
            bootstrap_servers=settings.kafka_bootstrap_servers, linger_ms=5, acks="all"
        )
        stack.callback(producer.close)
        _wait(lambda: _up(port), "the worker")

        say(f"load: {tickets:,} routed tickets ...")
        now = datetime.now(TZ)
        department_of = {f"{run}-{i}": rng.choice(codes) for i in range(tickets)}
        started = time.monotonic()
        for ticket_id, department in department_of.items():
            producer.send(ROUTED, key=ticket_id.encode(), value=_routed(ticket_id, department, now))
        producer.flush()
        loaded = _wait(lambda: _metric(port, "hotline_tracker_tickets") >= tickets, "the load")
        load_per_s = tickets / (loaded - started)
        say(f"load: {load_per_s:,.0f} routed tickets/s into the table")

        say(f"throughput: {events:,} lifecycle events ...")
        chosen = list(department_of)[: events // len(STEPS)]
        records = []
        for step in STEPS:
            at = datetime.now(TZ)
            for ticket_id in chosen:
                event = TicketEvent(
                    ticket_id=ticket_id,
                    type=step,
                    at=at,
                    actor="h-bench",
                    role="handler",
                    department=department_of[ticket_id],
                    reply="已处理" if step == "replied" else None,
                )
                records.append(event)
        sent = len(records)
        base = _metric(port, "hotline_lifecycle_events_total")
        started = time.monotonic()
        for event in records:
            producer.send(EVENTS, key=event.ticket_id.encode(), value=event.to_json())
        producer.flush()
        applied = _wait(
            lambda: _metric(port, "hotline_lifecycle_events_total") - base >= sent, "the events"
        )
        events_per_s = sent / (applied - started)
        say(f"throughput: {events_per_s:,.0f} events/s")
        rss = peak_rss_mb(workers[-1].pid)
        letters = _metric(port, "hotline_tickets_deadlettered_total")

        say("recovery: restarting the worker ...")
        stop_process(workers[-1])
        probe = TicketEvent(
            ticket_id=chosen[0],
            type="urged",
            at=datetime.now(TZ),
            actor="sup-bench",
            role="supervisor",
        )
        producer.send(EVENTS, key=probe.ticket_id.encode(), value=probe.to_json())
        producer.flush()
        started = time.monotonic()
        workers.append(start_worker(env, log_path=log_path))
        # the agent applies the probe only once the table is recovered
        recovered = _wait(
            lambda: _metric(port, "hotline_lifecycle_events_total") >= 1, "the table's recovery"
        )
        recovery_s = recovered - started
        _wait(lambda: _metric(port, "hotline_tracker_tickets") >= tickets, "all tickets back")
        say(f"recovery: {recovery_s:.1f} s from the new process's start to its first event")

    result = {
        "open_tickets": tickets,
        "load_tickets_per_s": round(load_per_s, 1),
        "events": sent,
        "events_per_s": round(events_per_s, 1),
        "dead_letters": letters,
        "peak_rss_mb": round(rss, 1),
        "recovery_s": round(recovery_s, 1),
        "machine": machine(),
        "measured_at": datetime.now().astimezone().isoformat(timespec="seconds"),
    }
    print(json.dumps(result) if as_json else json.dumps(result, indent=2))
    return 0


def _up(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10):
            return True
    except OSError:
        return False
