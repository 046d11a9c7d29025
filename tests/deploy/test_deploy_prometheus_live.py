"""A real Prometheus with the project's rule files scrapes a real worker: malformed intake
records raise hotline_tickets_deadlettered_total and the HotlineDeadLetters alert."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from kafka import KafkaAdminClient, KafkaProducer

from router.embedded import free_port
from router.simulator import BAD_RECORDS
from tests.conftest import Running, wait_until
from tests.deploy.deploy_files import DEPLOY, REPO, RULE_FILES, promtool_binary
from topics.catalogue import TOPICS, intake_topic

pytestmark = pytest.mark.integration


class PrometheusAPI:
    """The HTTP API of a Prometheus server."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}/api/v1"

    def get(self, path: str, **params: str) -> Any:
        """``data`` of a successful API answer; None while the server is not answering."""
        url = f"{self.base}/{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                body = json.load(response)
        except OSError:
            return None
        assert body["status"] == "success", body
        return body["data"]

    def query(self, expr: str) -> float:
        """Sum of the values of an instant query (0 when it returns nothing)."""
        data = self.get("query", query=expr)
        return sum(float(item["value"][1]) for item in (data or {}).get("result", []))

    def alert_states(self, name: str) -> set[str]:
        """States (pending, firing) of the active alerts called ``name``."""
        data = self.get("alerts") or {"alerts": []}
        return {a["state"] for a in data["alerts"] if a["labels"]["alertname"] == name}


@pytest.fixture
def prometheus(running: Running, tmp_path: Path) -> Iterator[PrometheusAPI]:
    """Prometheus on a free loopback port, scraping the worker every second with the
    project's rule files, evaluated every second."""
    binary = promtool_binary("prometheus")
    config = {
        "global": {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(path) for path in RULE_FILES],
        "scrape_configs": [
            {
                "job_name": "hotline-worker",  # the job name of deploy/prometheus/prometheus.yml
                "static_configs": [{"targets": [f"127.0.0.1:{running.web_port}"]}],
            }
        ],
    }
    config_path = tmp_path / "prometheus.yml"
    config_path.write_text(yaml.safe_dump(config))
    port = free_port()
    log_path = tmp_path / "prometheus.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [
                binary,
                f"--config.file={config_path}",
                f"--storage.tsdb.path={tmp_path / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--log.level=warn",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        api = PrometheusAPI(port)
        wait_until(
            lambda: proc.poll() is not None or api.get("status/buildinfo") is not None,
            timeout_s=20,
            what="Prometheus to answer",
        )
        assert proc.poll() is None, log_path.read_text()
        yield api
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_prometheus_scrapes_the_worker_and_raises_the_dead_letter_alert(
    running: Running, prometheus: PrometheusAPI
) -> None:
    def worker_target_up() -> bool:
        data = prometheus.get("targets") or {"activeTargets": []}
        return any(t["health"] == "up" for t in data["activeTargets"])

    # the worker may still be starting (loading its model) when the session begins with us
    wait_until(worker_target_up, timeout_s=60, what="the worker target to be up")
    assert prometheus.query('up{job="hotline-worker"}') == 1

    producer = KafkaProducer(bootstrap_servers=running.settings.kafka_bootstrap_servers)
    topic, bad = intake_topic("web"), BAD_RECORDS["not_json"]("web")
    run = time.time_ns()
    try:
        # one first, seen by Prometheus, so the counter's series has a sample before the rise
        producer.send(topic, key=f"prom-{run}-0".encode(), value=bad)
        producer.flush()
        wait_until(
            lambda: prometheus.query('hotline_tickets_deadlettered_total{reason="not_json"}') > 0,
            timeout_s=60,
            what="Prometheus to see a dead letter",
        )
        for i in range(1, 6):
            producer.send(topic, key=f"prom-{run}-{i}".encode(), value=bad)
        producer.flush()
    finally:
        producer.close()

    wait_until(
        lambda: prometheus.alert_states("HotlineDeadLetters") & {"pending", "firing"},
        timeout_s=30,
        what="the HotlineDeadLetters alert to be pending",
    )
    assert prometheus.query('ALERTS{alertname="HotlineDeadLetters", reason="not_json"}') == 1
    # the recording rules are evaluated too
    assert prometheus.query('hotline:tickets_deadlettered:rate5m{reason="not_json"}') > 0


def test_the_topics_init_script_creates_the_catalogue_and_fausts_topics(running: Running) -> None:
    bootstrap = running.settings.kafka_bootstrap_servers
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "HOTLINE_TOPIC_PARTITIONS": str(running.settings.topic_partitions),
        "HOTLINE_APP_ID": running.settings.app_id,
    }
    script = [sys.executable, str(DEPLOY / "init_topics.py")]
    for _ in range(2):  # idempotent
        result = subprocess.run(script, env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        existing = set(admin.list_topics())
    finally:
        admin.close()
    app_id = running.settings.app_id
    assert set(TOPICS) <= existing
    assert {f"{app_id}-ticket-lifecycle-changelog", f"{app_id}-__assignor-__leader"} <= existing
