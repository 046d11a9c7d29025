"""``hotline bench --console``: how fast the console serves its pages over a big backlog.

1. Fresh embedded services (Redis and a broker, on free ports; never the configured ones,
   which would fill a real Redis with invented tickets).
2. The fill: N open tickets (default 10,000) in one department (``URBAN_MANAGEMENT``), 20,000
   more spread over the other departments and 300 at the dispatchers' desk; synthetic Chinese
   requests (:mod:`classifiers.synthetic`), received over the past days (a backlog: many are
   overdue), some signed, contacted, urged, paused or waiting on an extension, with the
   alerts the tracker would have sent. They are written as production writes them — the
   routed ticket by :class:`~router.queues.QueueWriter` (stream entry and
   ``hotline:ticket:<id>``), its state, lists and history by
   :class:`~router.readmodel.ReadModelWriter` from :class:`~router.lifecycle.Lifecycle` states —
   but straight into Redis, not through Kafka and a worker: this measures the console's
   pages, not the pipeline (``hotline bench`` and ``hotline bench --tracker`` do that).
3. The real console, ``hotline console``, in its own process (so the client and the server
   do not share a GIL), with an accounts database in a temporary directory: a handler of the
   department, a dispatcher and a supervisor log in through ``/login``, and a department
   token calls the JSON API.
4. Latency: after a warm-up, R requests (default 500) one after the other on one keep-alive
   connection, per page: the handler's ``/queue`` (most urgent first) and
   ``/queue?order=age``, ``/tickets/<id>`` (random tickets of the department), the
   dispatcher's ``/triage``, the supervisor's ``/supervisor`` and ``GET /api/queue``.
5. Throughput: 8 client threads (a connection each) on the handler's ``/queue`` for 10 s.
6. Redis's ``used_memory`` and the console process's RSS.

Everything (Redis, broker, console and this client) runs on the same machine.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, suppress
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import redis
import redis.asyncio as aioredis

from classifiers.synthetic import SyntheticRequest, iter_requests
from router.bench import machine
from router.console.accounts import Accounts
from router.console.claims import Claims
from router.departments import TRIAGE, TRIAGE_QUEUE, Catalogue
from router.embedded import EmbeddedServices, free_port
from router.exceptions import ServiceError
from router.lifecycle import WORKING, Lifecycle, TicketState
from router.processes import stop_process, worker_env
from router.queues import QueueWriter
from router.readmodel import Change, ReadModelWriter, alert_entry, event_entry, routed_entry
from router.settings import Settings
from router.simulator import CHANNEL_MIX
from topics.catalogue import ROUTED
from topics.events import TicketEvent
from topics.schemas import TZ, Contact, Location, Routing, Ticket, make_ticket_id

DEPARTMENT = "URBAN_MANAGEMENT"
OTHER_TICKETS = 20_000
TRIAGE_TICKETS = 300
TARGET_P95_MS = 100.0
WARMUP = 20
THREADS = 8
CONCURRENT_S = 10.0
CLAIMED_SHARE = 0.03
STARTUP_TIMEOUT_S = 120.0
_FILL_CHUNK = 2000
_PASSWORD = "bench-pass-2026"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


# ---------------------------------------------------------------- the fill


@dataclass(frozen=True, kw_only=True)
class Filled:
    """A ticket as production leaves it in Redis: routed ticket, state and history."""

    ticket: Ticket
    state: dict
    history: list[dict]


class Backlog:
    """Builds realistic open tickets and their states (deterministic for a seed)."""

    def __init__(self, *, lifecycle: Lifecycle, catalogue: Catalogue, seed: int, now: datetime):
        self.lifecycle = lifecycle
        self.codes = catalogue.codes
        self.catalogue = catalogue
        self.rng = random.Random(seed)
        self.now = now
        self.run = f"consolebench{int(now.timestamp())}"
        self._count = 0
        self._channels = list(CHANNEL_MIX)
        self._weights = list(CHANNEL_MIX.values())

    def requests(self, codes: list[str], seed: int) -> Iterator[SyntheticRequest]:
        """Synthetic requests of ``codes``' departments, balanced over them."""
        # parents left out of the subset: the generator only needs the codes
        subset = Catalogue(departments=[replace(self.catalogue[c], parent="") for c in codes])
        return iter_requests(seed=seed, catalogue=subset)

    def ticket(self, request: SyntheticRequest, *, department: str, mean_age_days: float) -> Filled:
        """An open ticket of ``request`` held by ``department`` (or at the desk), received
        some time ago, with the events and alerts it would have had by now."""
        rng = self.rng
        self._count += 1
        channel = rng.choices(self._channels, self._weights)[0]
        source_id = f"{self.run}-{self._count}"
        age = min(rng.expovariate(1 / mean_age_days), 20.0)
        received = self.now - timedelta(days=age, seconds=30)
        routed_at = received + timedelta(seconds=rng.uniform(0.05, 2.0))
        best = request.department if department == TRIAGE else department
        confidence = rng.uniform(0.2, 0.45) if department == TRIAGE else rng.uniform(0.5, 0.99)
        others = rng.sample([c for c in self.codes if c != best], 2)
        rest = 1 - confidence
        ticket = Ticket(
            ticket_id=make_ticket_id(channel, source_id),
            channel=channel,
            source_id=source_id,
            received_at=received.isoformat(),
            text=request.text,
            title=request.title,
            contact=Contact(
                name=request.citizen_name,
                phones=[request.phone],
                id_numbers=[request.id_number] if request.id_number else [],
            ),
            location=Location(
                district=request.district,
                street=request.street,
                community=request.community,
                address=request.address,
                lat=request.lat,
                lon=request.lon,
            ),
            request_type=request.request_type,
            urgency="urgent" if request.urgent else "normal",
            category_hint=request.category_hint,
            intake_ts_ms=int(received.timestamp() * 1000),
            routing=Routing(
                department=department,
                queue=TRIAGE_QUEUE if department == TRIAGE else self.catalogue[department].queue,
                confidence=round(confidence, 4),
                method="model",
                model_version="bench",
                top=[
                    (best, round(confidence, 4)),
                    (others[0], round(rest * 0.6, 4)),
                    (others[1], round(rest * 0.25, 4)),
                ],
                routed_at=routed_at.isoformat(),
            ),
        )
        state = self.lifecycle.open(ticket, partition=rng.randrange(4))
        state.offsets[ROUTED] = self._count
        history = [routed_entry(ticket)]
        if department != TRIAGE:
            history += self._work(state, department, routed_at)
        history += self._alerts(state)
        return Filled(ticket=ticket, state=state.to_dict(), history=history)

    def _work(self, state: TicketState, department: str, routed_at: datetime) -> list[dict]:
        """What the department did so far: nothing (a third), or signed, then maybe
        contacted; a few urged by a supervisor, paused or waiting on an extension."""
        rng = self.rng
        latest = self.now - timedelta(minutes=1)
        handler = f"h-{department.lower()[:12]}-{rng.randrange(1, 9)}"
        events: list[TicketEvent] = []
        at = routed_at + timedelta(hours=rng.uniform(0.1, 6.0))

        def add(kind: str, **fields: Any) -> None:
            events.append(TicketEvent(ticket_id=state.ticket_id, type=kind, at=at, **fields))

        if rng.random() < 0.65 and at < latest:
            add("signed", actor=handler, role="handler", department=department)
            at += timedelta(hours=rng.uniform(0.5, 30.0))
            if rng.random() < 0.55 and at < latest:
                add("contacted", actor=handler, role="handler", department=department)
                at += timedelta(hours=rng.uniform(1.0, 48.0))
        roll = rng.random()
        if roll < 0.06 and at < latest:
            add("urged", actor="sup-1", role="supervisor", reason="请尽快处理")
        elif roll < 0.09 and at < latest and events:
            add(
                "extension_requested",
                actor=handler,
                role="handler",
                department=department,
                extension_until=self.now + timedelta(days=rng.uniform(3, 15)),
                reason="需协调多个部门现场核查",
            )
        elif roll < 0.11 and at < latest and events:
            add(
                "paused",
                actor=handler,
                role="handler",
                department=department,
                reason="等待市民补充材料",
            )
        entries = []
        for event in events:
            if state.status not in WORKING and event.type in ("extension_requested", "paused"):
                continue
            self.lifecycle.apply(state, event)
            entries.append(event_entry(event))
        return entries

    def _alerts(self, state: TicketState) -> list[dict]:
        """The warnings, breaches and escalations the tracker would have sent by now."""
        alerts = self.lifecycle.due_alerts(state, self.now.timestamp())
        if not alerts:
            return []
        self.lifecycle.mark(state, alerts)
        return [alert_entry(alert) for alert in alerts]


async def _write(settings: Settings, batches: Iterator[list[Filled]]) -> None:
    client = aioredis.Redis.from_url(settings.redis_url)
    try:
        queues = QueueWriter(client=client, dedup_ttl_s=settings.dedup_ttl_s)
        read_model = ReadModelWriter(
            client=client, closed_ttl_s=settings.closed_retention_days * 86400
        )
        for batch in batches:
            await queues.enqueue([(f.ticket, f.ticket.to_json()) for f in batch])
            await read_model.write(
                [
                    Change(ticket_id=f.ticket.ticket_id, old=None, new=f.state, history=f.history)
                    for f in batch
                ]
            )
    finally:
        await client.aclose()


def fill(
    settings: Settings,
    *,
    catalogue: Catalogue,
    tickets: int,
    others: int,
    triage: int,
    seed: int = 12345,
) -> list[str]:
    """Write the backlog into Redis; returns the ids of ``DEPARTMENT``'s tickets."""
    backlog = Backlog(
        lifecycle=Lifecycle.from_settings(settings, catalogue=catalogue),
        catalogue=catalogue,
        seed=seed,
        now=datetime.now(TZ),
    )
    other_codes = [c for c in catalogue.codes if c != DEPARTMENT]
    ids: list[str] = []

    def batches() -> Iterator[list[Filled]]:
        plan: list[tuple[Iterator[SyntheticRequest], int, str | None, float]] = [
            (backlog.requests([DEPARTMENT], seed), tickets, DEPARTMENT, 3.0),
            (backlog.requests(other_codes, seed + 1), others, None, 3.0),
            (backlog.requests(list(catalogue.codes), seed + 2), triage, TRIAGE, 0.3),
        ]
        batch: list[Filled] = []
        for requests, count, department, mean_age in plan:
            for _ in range(count):
                request = next(requests)
                held_by = department or request.department
                filled = backlog.ticket(request, department=held_by, mean_age_days=mean_age)
                if held_by == DEPARTMENT:
                    ids.append(filled.ticket.ticket_id)
                batch.append(filled)
                if len(batch) >= _FILL_CHUNK:
                    yield batch
                    batch = []
        if batch:
            yield batch

    asyncio.run(_write(settings, batches()))
    client = redis.Redis.from_url(settings.redis_url)
    try:  # a few tickets are being worked on: the queue shows who holds them
        claims = Claims(client=client, timeout_s=settings.claim_timeout_s)
        for ticket_id in backlog.rng.sample(ids, int(len(ids) * CLAIMED_SHARE)):
            claims.claim(ticket_id, f"h-{DEPARTMENT.lower()[:12]}-{backlog.rng.randrange(1, 9)}")
    finally:
        client.close()
    return ids


# ---------------------------------------------------------------- the console


def start_console(settings: Settings, *, port: int, log_path: Path) -> subprocess.Popen[bytes]:
    """``hotline console`` on loopback ``port`` in a child process, on ``settings``' Redis,
    broker, home and accounts database."""
    env = worker_env(
        settings,
        HOTLINE_ACCOUNTS_DB=str(settings.accounts_db),
        HOTLINE_LOG_LEVEL="warning",
        HOTLINE_COOKIE_SECURE="0",  # the client talks plain HTTP to loopback
    )
    argv = [sys.executable, "-m", "router.cli", "console", "--host", "127.0.0.1"]
    with log_path.open("ab") as log_file:
        return subprocess.Popen(
            [*argv, "--port", str(port)],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def _wait_up(httpx: Any, url: str, proc: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log_path.read_text(errors="replace")[-800:]
            raise ServiceError(f"the console exited with code {proc.returncode}: {tail}")
        try:
            if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise ServiceError(f"the console did not answer in {STARTUP_TIMEOUT_S:.0f} s")


def login(client: Any, username: str, password: str) -> None:
    """Log ``client`` (keep-alive, with a cookie jar) in as ``username`` through the form."""
    form = client.get("/login")
    found = _CSRF.search(form.text)
    if form.status_code != 200 or found is None:
        raise ServiceError(f"GET /login answered {form.status_code} without a CSRF token")
    answer = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": found.group(1)},
    )
    if answer.status_code != 303:
        raise ServiceError(f"logging in as {username} answered {answer.status_code}")


def _status(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM of a process, in MiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0]) / 1024
    return values


# ---------------------------------------------------------------- measuring


def percentiles(values: list[float]) -> dict[str, float]:
    """p50, p95, p99, max and mean of latencies in ms, rounded to 0.1 ms."""
    if len(values) > 1:
        cuts = statistics.quantiles(values, n=100, method="inclusive")
        p50, p95, p99 = cuts[49], cuts[94], cuts[98]
    else:
        p50 = p95 = p99 = values[0]
    return {
        "p50_ms": round(p50, 1),
        "p95_ms": round(p95, 1),
        "p99_ms": round(p99, 1),
        "max_ms": round(max(values), 1),
        "mean_ms": round(statistics.fmean(values), 1),
    }


def _timed_get(client: Any, path: str) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.get(path)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise ServiceError(f"GET {path} answered {response.status_code}: {response.text[:300]}")
    return elapsed, len(response.content)


def sequential(client: Any, path: Callable[[], str], *, requests: int, warmup: int) -> dict:
    """Latencies of ``requests`` GETs one after the other (after ``warmup`` untimed ones)."""
    for _ in range(warmup):
        _timed_get(client, path())
    latencies, size = [], 0
    for _ in range(requests):
        elapsed, size = _timed_get(client, path())
        latencies.append(elapsed)
    return {**percentiles(latencies), "requests": requests, "bytes": size}


def concurrent(
    httpx: Any, url: str, cookies: Any, path: str, *, threads: int, seconds: float
) -> dict:
    """``threads`` clients (a connection each) GET ``path`` in a loop for ``seconds``."""
    results: list[list[float]] = [[] for _ in range(threads)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads + 1)

    def loop(latencies: list[float]) -> None:
        with httpx.Client(base_url=url, cookies=cookies, timeout=60) as client:
            try:
                _timed_get(client, path)  # connect before the clock starts
                barrier.wait()
                deadline = time.perf_counter() + seconds
                while time.perf_counter() < deadline:
                    latencies.append(_timed_get(client, path)[0])
            except BaseException as exc:
                errors.append(exc)
                barrier.abort()

    workers = [threading.Thread(target=loop, args=(r,), daemon=True) for r in results]
    for worker in workers:
        worker.start()
    with suppress(threading.BrokenBarrierError):  # a client failed: reported below
        barrier.wait()
    started = time.perf_counter()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise ServiceError(f"the concurrent run failed: {errors[0]}")
    latencies = [value for r in results for value in r]
    return {
        "path": path,
        "threads": threads,
        "seconds": round(elapsed, 1),
        "requests": len(latencies),
        "requests_per_s": round(len(latencies) / elapsed, 1),
        **percentiles(latencies),
    }


def console_bench(
    settings: Settings,
    *,
    tickets: int,
    requests: int,
    others: int = OTHER_TICKETS,
    triage: int = TRIAGE_TICKETS,
    warmup: int = WARMUP,
    threads: int = THREADS,
    concurrent_s: float = CONCURRENT_S,
    say: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Fill, serve, log in and measure; returns the figures (servers stopped, temporary
    files removed when it returns or raises)."""
    try:
        import httpx
    except ImportError as exc:
        raise ServiceError("the console bench needs httpx: pip install -e '.[dev]'") from exc
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request otherwise
    catalogue = Catalogue.load()
    rng = random.Random(5)
    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="hotline-console")))
        services = stack.enter_context(
            EmbeddedServices(
                run_dir=work / "services", broker_port=free_port(), redis_port=free_port()
            )
        )
        assert services.state is not None
        settings = replace(
            settings.with_endpoints(
                kafka_bootstrap_servers=services.state.bootstrap_servers,
                redis_url=services.state.redis_url,
            ),
            home=work / "home",
            accounts_db=work / "console" / "accounts.sqlite3",
            cookie_secure=False,
        )
        settings.accounts_db.parent.mkdir(parents=True)

        total = tickets + others + triage
        say(
            f"fill: {tickets:,} open tickets in {DEPARTMENT}, {others:,} elsewhere, "
            f"{triage:,} at the desk ..."
        )
        started = time.perf_counter()
        ids = fill(settings, catalogue=catalogue, tickets=tickets, others=others, triage=triage)
        fill_s = time.perf_counter() - started
        say(f"fill: {total:,} tickets in {fill_s:.1f} s")

        with Accounts.from_settings(settings, catalogue=catalogue) as accounts:
            accounts.add_user(
                "bench-handler", role="handler", password=_PASSWORD, department=DEPARTMENT
            )
            accounts.add_user("bench-dispatcher", role="dispatcher", password=_PASSWORD)
            accounts.add_user("bench-supervisor", role="supervisor", password=_PASSWORD)
            token = accounts.add_department_token("bench-system", department=DEPARTMENT)

        port = free_port()
        url = f"http://127.0.0.1:{port}"
        log_path = work / "console.log"
        say("starting hotline console ...")
        proc = start_console(settings, port=port, log_path=log_path)
        stack.callback(stop_process, proc)
        _wait_up(httpx, url, proc, log_path)

        clients = {}
        for role in ("handler", "dispatcher", "supervisor"):
            clients[role] = stack.enter_context(httpx.Client(base_url=url, timeout=60))
            login(clients[role], f"bench-{role}", _PASSWORD)
        handler, dispatcher, supervisor = clients.values()
        api = stack.enter_context(
            httpx.Client(base_url=url, timeout=60, headers={"Authorization": f"Bearer {token}"})
        )
        seen = api.get("/api/queue", params={"order": "age", "count": 1}).json()["total"]
        if seen != tickets:
            raise ServiceError(f"the console sees {seen} open tickets of {tickets}")

        pages: dict[str, tuple[Any, Callable[[], str]]] = {
            "queue": (handler, lambda: "/queue"),
            "queue_by_age": (handler, lambda: "/queue?order=age"),
            "ticket": (handler, lambda: f"/tickets/{rng.choice(ids)}"),
            "triage": (dispatcher, lambda: "/triage"),
            "supervisor": (supervisor, lambda: "/supervisor"),
            "api_queue": (api, lambda: "/api/queue"),
        }
        figures: dict[str, dict] = {}
        for name, (client, path) in pages.items():
            say(f"latency: {requests} x {path()} ...")
            figures[name] = sequential(client, path, requests=requests, warmup=warmup)
            figures[name]["meets_target"] = figures[name]["p95_ms"] < TARGET_P95_MS
            say(f"  {name}: p50 {figures[name]['p50_ms']} ms, p95 {figures[name]['p95_ms']} ms")

        say(f"throughput: {threads} threads on /queue for {concurrent_s:g} s ...")
        loaded = concurrent(
            httpx, url, handler.cookies, "/queue", threads=threads, seconds=concurrent_s
        )
        say(f"  {loaded['requests_per_s']} req/s, p95 {loaded['p95_ms']} ms")

        memory = redis.Redis.from_url(settings.redis_url)
        try:
            used_memory = memory.info("memory")["used_memory"]
        finally:
            memory.close()
        rss = _status(proc.pid)

    return {
        "department": DEPARTMENT,
        "department_open_tickets": tickets,
        "other_open_tickets": others,
        "triage_tickets": triage,
        "fill_s": round(fill_s, 1),
        "target_p95_ms": TARGET_P95_MS,
        "pages": figures,
        "concurrent": loaded,
        "redis_used_memory_mb": round(used_memory / 2**20, 1),
        "console_rss_mb": round(rss["VmRSS"], 1),
        "console_peak_rss_mb": round(rss["VmHWM"], 1),
        "machine": machine(),
        "measured_at": datetime.now().astimezone().isoformat(timespec="seconds"),
    }


def run_console_bench(settings: Settings, *, tickets: int, requests: int, as_json: bool) -> int:
    """Run the console measurements and print them (one JSON object with ``as_json``)."""
    say = (lambda _: None) if as_json else (lambda msg: print(msg, flush=True))
    result = console_bench(settings, tickets=tickets, requests=requests, say=say)
    print(json.dumps(result) if as_json else json.dumps(result, indent=2))
    return 0
