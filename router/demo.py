"""``hotline demo``: embedded services, the worker, the console with its demo accounts, the
simulator and the simulated staff who act on routed tickets, with a running summary.

Simulated staff leave the demo handler's department (:data:`HUMAN_DEPARTMENT`) and half of
the triaged tickets to the people logged in at the console."""

from __future__ import annotations

import threading
import time
import urllib.request

import redis
from prometheus_client.parser import text_string_to_metric_families

from classifiers.registry import serving_model
from router import simulator
from router.console.accounts import Accounts
from router.departments import TRIAGE, Catalogue
from router.embedded import resolved
from router.processes import start_console, start_worker, stop_process, worker_env
from router.queues import queue_depths
from router.settings import Settings
from router.staff_simulator import StaffSimulator
from topics.admin import ensure_topics
from topics.schemas import CHANNELS

SUMMARY_EVERY_S = 10.0
HUMAN_DEPARTMENT = "URBAN_MANAGEMENT"
DEMO_PASSWORD = "hotline-demo"
#: user name, role, department, display name: the README lists them
DEMO_ACCOUNTS: tuple[tuple[str, str, str | None, str], ...] = (
    ("dispatcher", "dispatcher", None, "派单员 Dispatcher"),
    ("handler", "handler", HUMAN_DEPARTMENT, "城管处理人 Handler"),
    ("callback", "callback", None, "回访员 Callback agent"),
    ("supervisor", "supervisor", None, "督办员 Supervisor"),
)
OPEN311_DEMO_KEY = "demo"


def seed_accounts(settings: Settings, catalogue: Catalogue) -> None:
    """Create the demo accounts and the Open311 key ``demo`` (app channel) if missing."""
    with Accounts.from_settings(settings, catalogue=catalogue) as accounts:
        for username, role, department, name in DEMO_ACCOUNTS:
            if accounts.get_user(username) is None:
                accounts.add_user(
                    username,
                    role=role,
                    password=DEMO_PASSWORD,
                    department=department,
                    display_name=name,
                )
        if accounts.check_api_key(OPEN311_DEMO_KEY) is None:
            accounts.add_api_key("demo-app", channel="app", key=OPEN311_DEMO_KEY)


def run_demo(
    settings: Settings, *, rate: float, duration_s: float | None, lifecycle: bool = True
) -> int:
    """Run everything until Ctrl-C (or ``duration_s``); returns the exit code. With
    ``lifecycle``, simulated staff sign, reply to, call back and close the routed tickets."""
    catalogue = Catalogue.load()
    print("loading the model (the first start trains the default one, about a minute) ...")
    model, _ = serving_model(settings, catalogue=catalogue)
    print(f"model {model.version}: holdout metrics {model.metadata.get('metrics')}")
    with resolved(settings) as settings:
        ensure_topics(
            settings.kafka_bootstrap_servers,
            partitions=settings.topic_partitions,
            app_id=settings.app_id,
        )
        log_path = settings.home / "logs" / "worker.log"
        env = worker_env(  # the embedded broker: short group timeouts make the join quick
            settings, HOTLINE_BROKER_SESSION_TIMEOUT_S="4", HOTLINE_BROKER_REBALANCE_TIMEOUT_S="4"
        )
        worker = start_worker(env, log_path=log_path)
        seed_accounts(settings, catalogue)
        console_log = settings.home / "logs" / "console.log"
        console = start_console(env, log_path=console_log, port=settings.console_port)
        stop = threading.Event()
        feeder = threading.Thread(
            target=_feed, args=(settings, rate, stop), name="simulator", daemon=True
        )
        feeder.start()
        threads = [feeder]
        staff = (
            StaffSimulator(
                seed=int(time.time()), humans=frozenset({HUMAN_DEPARTMENT}), human_triage=0.5
            )
            if lifecycle
            else None
        )
        if staff is not None:
            threads.append(
                threading.Thread(
                    target=staff.serve,
                    args=(settings.kafka_bootstrap_servers,),
                    kwargs={"should_stop": stop.is_set},
                    name="staff",
                    daemon=True,
                )
            )
            threads[-1].start()
        _banner(settings, rate, log_path)
        client = redis.Redis.from_url(settings.redis_url)
        queues = catalogue.queues()
        started = time.monotonic()
        try:
            while duration_s is None or time.monotonic() - started < duration_s:
                time.sleep(SUMMARY_EVERY_S)
                if worker.poll() is not None:
                    print(f"the worker exited with code {worker.returncode}: see {log_path}")
                    return 1
                if console.poll() is not None:
                    print(f"the console exited with code {console.returncode}: see {console_log}")
                    return 1
                _summary(
                    queue_depths(client, queues),
                    received_by_channel(settings.web_port),
                    time.monotonic() - started,
                )
                if staff is not None:
                    print(f"        {staff.summary()}", flush=True)
        except KeyboardInterrupt:
            print("\nstopping ...")
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=10)
            stop_process(console)
            stop_process(worker)
    return 0


def _feed(settings: Settings, rate: float, stop: threading.Event) -> None:
    producer = simulator.make_producer(settings.kafka_bootstrap_servers)
    try:
        stream = simulator.records(
            seed=int(time.time()),
            run_id=f"demo{int(time.time())}",
            bad_share=0.01,
            resend_share=0.02,
        )
        simulator.run(producer, stream, rate=rate, should_stop=stop.is_set)
    finally:
        producer.close()


def _banner(settings: Settings, rate: float, log_path: object) -> None:
    print(
        f"""
  12345 hotline routing demo: {rate:g} requests/s from seven channels
  broker    {settings.kafka_bootstrap_servers}
  redis     {settings.redis_url}
  metrics   http://127.0.0.1:{settings.web_port}/metrics
  worker    log in {log_path}
  console   http://127.0.0.1:{settings.console_port}/  (API docs /api/docs, Open311 /open311/v2/)
            log in as {", ".join(a[0] for a in DEMO_ACCOUNTS)}, password {DEMO_PASSWORD}
            (the handler works {HUMAN_DEPARTMENT}; simulated staff leave it to you)
  In another terminal:
    export KAFKA_BOOTSTRAP_SERVERS={settings.kafka_bootstrap_servers} REDIS_URL={settings.redis_url}
    .venv/bin/hotline queues              # tickets routed to each department so far
    .venv/bin/hotline deadletter list     # 1% of the simulated records are malformed on purpose
  Ctrl-C stops everything.
""",
        flush=True,
    )


def received_by_channel(web_port: int) -> dict[str, int]:
    """``hotline_tickets_received_total`` per channel, read from the worker's /metrics."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{web_port}/metrics", timeout=2) as page:
            text = page.read().decode()
    except OSError:  # the worker is still starting
        return {}
    return {
        sample.labels["channel"]: int(sample.value)
        for family in text_string_to_metric_families(text)
        if family.name == "hotline_tickets_received"
        for sample in family.samples
        if sample.name == "hotline_tickets_received_total"
    }


def _summary(depths: dict[str, int], received: dict[str, int], elapsed_s: float) -> None:
    channels = " · ".join(f"{channel} {received.get(channel, 0)}" for channel in CHANNELS)
    print(f"[{elapsed_s:5.0f}s] received {channels}", flush=True)
    departments = {code: depth for code, depth in depths.items() if code != TRIAGE and depth}
    busiest = sorted(departments.items(), key=lambda item: -item[1])[:5]
    top = ", ".join(f"{code} {depth}" for code, depth in busiest)
    print(
        f"        queued {sum(departments.values())} tickets in {len(departments)} "
        f"department queues, triage {depths[TRIAGE]} | busiest: {top}",
        flush=True,
    )
