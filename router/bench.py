"""``hotline bench``: throughput, latency, memory and classification speed, measured for real.

1. Classification alone: the default model on synthetic tickets, batches of 256, one thread.
2. Throughput: N tickets (mixed channels, realistic lengths) produced as fast as the client
   can into the intake topics of a real broker while one worker process routes them; the
   clock runs from the first record sent to the last ticket queued in Redis.
3. Latency: tickets at a steady rate; for each, broker timestamp of the intake record to
   broker timestamp of its ``tickets.routed`` record (written after the Redis queue entry).
4. The worker's peak RSS (VmHWM) after both runs.

``hotline bench --training`` measures the analysts' side instead: ``hotline train`` on N
synthetic work orders in the import format (wall time and peak RSS of the command), the size
of the artefact it writes, and ``hotline classify`` on that model.
"""

from __future__ import annotations

import itertools
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

import redis

from classifiers.artefacts import load_model
from classifiers.importer import Example, write_examples
from classifiers.model import DepartmentModel
from classifiers.registry import serving_model
from classifiers.synthetic import generate
from classifiers.train import synthetic_texts
from router import simulator
from router.departments import Catalogue
from router.embedded import EmbeddedServices, free_port
from router.exceptions import ServiceError
from router.processes import peak_rss_mb, start_worker, stop_process, worker_env
from router.queues import queue_depths
from router.settings import Settings
from topics.admin import ensure_topics
from topics.catalogue import ROUTED
from topics.reading import read_topic

WARMUP = 200
CLASSIFY_N = 20_000
LATENCY_SECONDS = 20.0
DRAIN_TIMEOUT_S = 300.0


def classify_speed(model: DepartmentModel, *, n: int = CLASSIFY_N, batch: int = 256) -> float:
    """Tickets per second through the model alone (segmentation included)."""
    texts, _, _ = synthetic_texts(generate(n, seed=99), seed=99)
    model.predict(texts[:batch])  # warm-up: loads the segmenter's dictionary
    started = time.perf_counter()
    for i in range(0, len(texts), batch):
        model.predict(texts[i : i + batch])
    return len(texts) / (time.perf_counter() - started)


def _queued(client: redis.Redis, queues: dict[str, str]) -> int:
    return sum(queue_depths(client, queues).values())


def _wait_queued(
    client: redis.Redis, queues: dict[str, str], target: int, worker: subprocess.Popen[bytes]
) -> float:
    deadline = time.monotonic() + DRAIN_TIMEOUT_S
    while time.monotonic() < deadline:
        if _queued(client, queues) >= target:
            return time.monotonic()
        if worker.poll() is not None:
            raise ServiceError(f"the worker exited with code {worker.returncode} during the bench")
        time.sleep(0.05)
    raise ServiceError(f"the worker did not queue {target} tickets in {DRAIN_TIMEOUT_S:.0f} s")


def _latencies_ms(bootstrap: str, run_id: str) -> list[float]:
    latencies = []
    for message in read_topic(bootstrap, ROUTED, idle_ms=3000):
        ticket = json.loads(message.value)
        if run_id in ticket["source_id"]:
            latencies.append(message.timestamp - ticket["intake_ts_ms"])
    return latencies


def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=1000, method="inclusive")[int(q * 1000) - 1]


def _records(run_id: str, count: int) -> list[simulator.IntakeRecord]:
    stream: Iterator[simulator.IntakeRecord] = simulator.records(seed=11, run_id=run_id)
    return list(itertools.islice(stream, count))


def bench_endpoints(stack: ExitStack, settings: Settings) -> Settings:
    """``settings`` with a broker and Redis: the configured ones, or fresh embedded ones
    (on random ports, stopped when ``stack`` closes)."""
    if settings.kafka_bootstrap_servers and settings.redis_url:
        return settings
    run_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="hotline-bench")))
    services = stack.enter_context(
        EmbeddedServices(run_dir=run_dir, broker_port=free_port(), redis_port=free_port())
    )
    assert services.state is not None
    return settings.with_endpoints(
        kafka_bootstrap_servers=services.state.bootstrap_servers,
        redis_url=services.state.redis_url,
    )


def machine() -> str:
    """The machine the figures were measured on."""
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def run_bench(settings: Settings, *, n: int, rate: float, as_json: bool) -> int:
    """Run all measurements and print them (one JSON object with ``as_json``)."""
    catalogue = Catalogue.load()
    model, _ = serving_model(settings, catalogue=catalogue)
    say = (lambda *_: None) if as_json else (lambda msg: print(msg, flush=True))
    say(f"model {model.version}; measuring classification alone ...")
    classify_per_s = classify_speed(model)
    say(f"classification alone: {classify_per_s:,.0f} tickets/s")

    with ExitStack() as stack:
        settings = bench_endpoints(stack, settings)
        ensure_topics(
            settings.kafka_bootstrap_servers,
            partitions=settings.topic_partitions,
            app_id=settings.app_id,
        )
        client = redis.Redis.from_url(settings.redis_url)
        queues = catalogue.queues()
        base = _queued(client, queues)
        run = f"bench{int(time.time())}"
        warmup = _records(f"{run}w", WARMUP)
        load = _records(f"{run}t", n)
        paced = _records(f"{run}l", int(rate * LATENCY_SECONDS))
        env = worker_env(
            settings,
            HOTLINE_APP_ID=f"hotline-{run}",
            HOTLINE_WEB_PORT=str(free_port()),
            HOTLINE_BROKER_SESSION_TIMEOUT_S="4",
            HOTLINE_BROKER_REBALANCE_TIMEOUT_S="4",
            HOTLINE_LOG_LEVEL="warning",
        )
        log_path = settings.home / "logs" / f"{run}-worker.log"
        worker = start_worker(env, log_path=log_path)
        stack.callback(stop_process, worker)
        producer = simulator.make_producer(settings.kafka_bootstrap_servers)
        stack.callback(producer.close)

        say("starting the worker and warming up ...")
        simulator.run(producer, iter(warmup), rate=1e9)
        _wait_queued(client, queues, base + WARMUP, worker)

        say(f"throughput: {n} tickets as fast as they can be produced ...")
        started = time.monotonic()
        simulator.run(producer, iter(load), rate=1e9)
        finished = _wait_queued(client, queues, base + WARMUP + n, worker)
        tickets_per_s = n / (finished - started)
        say(f"throughput: {tickets_per_s:,.0f} tickets/s")

        say(f"latency: {len(paced)} tickets at {rate:g}/s ...")
        simulator.run(producer, iter(paced), rate=rate)
        _wait_queued(client, queues, base + WARMUP + n + len(paced), worker)
        latencies = _latencies_ms(settings.kafka_bootstrap_servers, f"{run}l-")
        rss = peak_rss_mb(worker.pid)

    result = {
        "tickets_per_s": round(tickets_per_s, 1),
        "p50_ms": round(_percentile(latencies, 0.50), 1),
        "p99_ms": round(_percentile(latencies, 0.99), 1),
        "peak_rss_mb": round(rss, 1),
        "classify_tickets_per_s": round(classify_per_s, 1),
        "n": n,
        "latency_rate_per_s": rate,
        "latency_samples": len(latencies),
        "model_version": model.version,
        "machine": machine(),
        "measured_at": datetime.now().astimezone().isoformat(timespec="seconds"),
    }
    print(json.dumps(result) if as_json else json.dumps(result, indent=2))
    return 0


def _timed_command(argv: list[str], *, stdin: Path | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB, of the child) of a ``hotline`` command run to the end."""
    started = time.perf_counter()
    with open(stdin or os.devnull, "rb") as feed:
        child = subprocess.Popen(
            [sys.executable, "-m", "router.cli", *argv],
            stdin=feed,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        _, err = child.communicate()
    seconds = time.perf_counter() - started
    if child.returncode:
        raise ServiceError(f"hotline {argv[0]} failed: {err.decode(errors='replace')[-500:]}")
    return seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def run_training_bench(*, n: int, folds: int, as_json: bool) -> int:
    """Time ``hotline train`` on ``n`` synthetic work orders and ``hotline classify`` on the
    model it writes; print the figures (one JSON object with ``as_json``)."""
    say = (lambda *_: None) if as_json else (lambda msg: print(msg, flush=True))
    with tempfile.TemporaryDirectory(prefix="hotline-train-bench") as tmp:
        work = Path(tmp)
        say(f"writing {n:,} synthetic work orders in the import format ...")
        texts, labels, _ = synthetic_texts(generate(n, seed=2026), seed=2026)
        data = work / "orders.csv"
        write_examples(
            data,
            (
                Example(id=f"b{i}", text=text, department=label, raw_label=label)
                for i, (text, label) in enumerate(zip(texts, labels, strict=True))
            ),
        )
        model_dir = work / "model"
        say("hotline train ...")
        train_s, train_rss = _timed_command(
            ["train", "--data", str(data), "--out", str(model_dir), "--folds", str(folds)]
        )
        size_mb = sum(f.stat().st_size for f in model_dir.iterdir()) / 2**20
        lines = work / "classify.jsonl"
        sample = texts[:CLASSIFY_N]
        with lines.open("w") as fh:
            for i, text in enumerate(sample):
                fh.write(json.dumps({"id": i, "text": text}, ensure_ascii=False) + "\n")
        say(f"hotline classify on {len(sample):,} tickets ...")
        classify_s, _ = _timed_command(["classify", "--model", str(model_dir)], stdin=lines)
        in_process = classify_speed(load_model(model_dir))
    result = {
        "train_examples": n,
        "train_folds": folds,
        "train_seconds": round(train_s, 1),
        "train_peak_rss_mb": round(train_rss, 1),
        "artefact_mb": round(size_mb, 1),
        "classify_command_tickets_per_s": round(len(sample) / classify_s, 1),
        "classify_in_process_tickets_per_s": round(in_process, 1),
        "machine": machine(),
        "measured_at": datetime.now().astimezone().isoformat(timespec="seconds"),
    }
    print(json.dumps(result) if as_json else json.dumps(result, indent=2))
    return 0
