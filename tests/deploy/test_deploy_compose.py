"""Static checks of deploy/: the compose file, the Dockerfile, Prometheus' configuration and
Grafana's provisioning and dashboards (there is no Docker daemon to run them here)."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

import pytest

from router.settings import ENVIRONMENT
from tests.deploy.deploy_files import (
    COMPOSE,
    DASHBOARD_FILES,
    DEPLOY,
    GRAFANA_DIR,
    PROMETHEUS_CONFIG,
    REPO,
    iter_panels,
    load_dashboard,
    load_yaml,
)

WORKER_ENV = {
    "KAFKA_BOOTSTRAP_SERVERS": "kafka:9092",
    "REDIS_URL": "redis://redis:6379/0",
    "HOTLINE_HOME": "/var/lib/hotline",
    "HOTLINE_WEB_PORT": "6066",
}
DEPENDS_CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document = load_yaml(COMPOSE)
    assert isinstance(document, dict)
    return document


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


def environment(service: dict[str, Any]) -> dict[str, str]:
    """A service's environment as a dict (compose allows a mapping or a KEY=VALUE list)."""
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


def command(service: dict[str, Any]) -> list[str]:
    """A service's command as a list of words."""
    cmd = service.get("command", [])
    return cmd.split() if isinstance(cmd, str) else [str(word) for word in cmd]


def mounts(service: dict[str, Any]) -> dict[str, str]:
    """Container path → source (named volume or host path) of a service's volumes."""
    result = {}
    for volume in service.get("volumes", []):
        if isinstance(volume, dict):
            result[volume["target"]] = volume["source"]
        else:
            source, target = volume.split(":")[:2]
            result[target] = source
    return result


def is_host_path(source: str) -> bool:
    return source.startswith((".", "/", "~"))


def test_the_expected_services_are_there(services: dict[str, dict[str, Any]]) -> None:
    assert {
        "kafka",
        "redis",
        "prometheus",
        "grafana",
        "kafka-exporter",
        "worker",
        "console",
    } <= set(services)


def test_kafka_runs_in_kraft_mode(services: dict[str, dict[str, Any]]) -> None:
    kafka = services["kafka"]
    env = environment(kafka)
    assert kafka["image"].startswith("apache/kafka:")
    assert {"broker", "controller"} <= set(env["KAFKA_PROCESS_ROLES"].split(","))
    assert "KAFKA_ZOOKEEPER_CONNECT" not in env
    node_id = env["KAFKA_NODE_ID"]
    assert f"{node_id}@kafka:" in env["KAFKA_CONTROLLER_QUORUM_VOTERS"]
    controller = env["KAFKA_CONTROLLER_LISTENER_NAMES"]
    assert f"{controller}://" in env["KAFKA_LISTENERS"]
    assert f"{controller}:" in env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"]
    # the controller port of the quorum is the controller listener's
    voter_port = env["KAFKA_CONTROLLER_QUORUM_VOTERS"].rsplit(":", 1)[1]
    assert f"{controller}://:{voter_port}" in env["KAFKA_LISTENERS"]
    assert "PLAINTEXT://kafka:9092" in env["KAFKA_ADVERTISED_LISTENERS"]
    assert env.get("CLUSTER_ID")
    data = mounts(kafka)[env["KAFKA_LOG_DIRS"]]
    assert not is_host_path(data), "Kafka's log dirs must be on a named volume"


def test_redis_persists(services: dict[str, dict[str, Any]]) -> None:
    redis = services["redis"]
    words = command(redis)
    assert words[0] == "redis-server"
    assert words[words.index("--appendonly") + 1] == "yes"
    assert "/data" in mounts(redis)


def test_workers(services: dict[str, dict[str, Any]]) -> None:
    worker = services["worker"]
    assert command(worker) == ["hotline", "worker"]
    assert worker.get("deploy", {}).get("replicas", 1) >= 2
    assert "container_name" not in worker, "replicas cannot share a container name"
    env = environment(worker)
    assert WORKER_ENV.items() <= env.items()
    registry = env["HOTLINE_MODEL_REGISTRY"]
    assert registry in mounts(worker), "the model registry must be a shared volume"
    assert not is_host_path(mounts(worker)[registry])
    assert "6066" in [str(port) for port in worker.get("expose", [])]
    build = worker["build"]
    assert (COMPOSE.parent / build["context"] / build["dockerfile"]).is_file()


def test_the_console_runs_from_the_same_image(services: dict[str, dict[str, Any]]) -> None:
    console, worker = services["console"], services["worker"]
    assert command(console)[:2] == ["hotline", "console"]
    assert command(console)[command(console).index("--port") + 1] == "8080"
    assert console["image"] == worker["image"]
    assert WORKER_ENV["KAFKA_BOOTSTRAP_SERVERS"] == environment(console)["KAFKA_BOOTSTRAP_SERVERS"]
    assert WORKER_ENV["REDIS_URL"] == environment(console)["REDIS_URL"]


def test_the_console_keeps_its_accounts_on_a_volume(
    services: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from router.settings import Settings

    console = services["console"]
    for name, value in environment(console).items():
        if name.startswith("HOTLINE_") and name.endswith(("_HOME", "_DB")):
            monkeypatch.setenv(name, str(value))
    folder = str(PurePosixPath(Settings.from_env().accounts_db).parent)
    assert folder in mounts(console), "the accounts database must outlive the container"
    assert not is_host_path(mounts(console)[folder])


def test_hotline_variables_are_settings_the_code_reads(services: dict[str, Any]) -> None:
    for name, service in services.items():
        for variable in environment(service):
            if variable.startswith("HOTLINE_") or variable in {"KAFKA_BOOTSTRAP_SERVERS"}:
                assert variable in ENVIRONMENT, f"{name}: {variable} is not in router/settings.py"


def test_kafka_exporter_reads_the_broker(services: dict[str, dict[str, Any]]) -> None:
    exporter = services["kafka-exporter"]
    assert exporter["image"].startswith("danielqsj/kafka-exporter")
    assert "--kafka.server=kafka:9092" in command(exporter)


def test_services_restart_and_report_health(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        one_shot = service.get("restart") == "no"
        if one_shot:
            continue
        assert service.get("restart") in {"always", "unless-stopped", "on-failure"}, name
        assert "test" in service.get("healthcheck", {}), f"{name} has no healthcheck"


def test_depends_on_names_existing_services(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        depends = service.get("depends_on", {})
        if isinstance(depends, list):
            depends = {dependency: {} for dependency in depends}
        for dependency, options in depends.items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            assert options.get("condition", "service_started") in DEPENDS_CONDITIONS
            if options.get("condition") == "service_healthy":
                healthcheck = services[dependency].get("healthcheck", {})
                assert "test" in healthcheck, f"{dependency} has no healthcheck to wait for"
    for name in ("worker", "console"):
        conditions = {k: v["condition"] for k, v in services[name]["depends_on"].items()}
        assert conditions["kafka"] == conditions["redis"] == "service_healthy"


def test_volumes_are_declared_and_bind_mounts_exist(compose: dict[str, Any]) -> None:
    declared = set(compose.get("volumes") or {})
    used = set()
    for name, service in compose["services"].items():
        for target, source in mounts(service).items():
            assert PurePosixPath(target).is_absolute(), f"{name}: {target}"
            if is_host_path(source):
                assert (COMPOSE.parent / source).exists(), f"{name}: {source} does not exist"
            else:
                assert source in declared, f"{name}: volume {source} is not declared"
                used.add(source)
    assert used == declared, f"declared but unused: {declared - used}"


def test_the_grafana_password_has_no_default(services: dict[str, dict[str, Any]]) -> None:
    password = environment(services["grafana"])["GF_SECURITY_ADMIN_PASSWORD"]
    assert re.fullmatch(r"\$\{GRAFANA_ADMIN_PASSWORD(:?\?[^}]*)?\}", password), password


def test_prometheus_mounts_its_config_and_rules(services: dict[str, dict[str, Any]]) -> None:
    prometheus = services["prometheus"]
    volume_mounts = mounts(prometheus)
    config_arg = next(w for w in command(prometheus) if w.startswith("--config.file="))
    config_path = PurePosixPath(config_arg.split("=", 1)[1])
    host_dir = COMPOSE.parent / volume_mounts[str(config_path.parent)]
    assert host_dir.resolve() == PROMETHEUS_CONFIG.parent.resolve()
    config = load_yaml(PROMETHEUS_CONFIG)
    rule_globs = config["rule_files"]
    assert any(list(PROMETHEUS_CONFIG.parent.glob(pattern)) for pattern in rule_globs)
    retention = next(
        w for w in command(prometheus) if w.startswith("--storage.tsdb.retention.time=")
    )
    assert int(re.fullmatch(r".*=(\d+)d", retention).group(1)) > 30  # type: ignore[union-attr]
    assert not is_host_path(volume_mounts["/prometheus"])


def test_prometheus_scrapes_every_worker_replica(services: dict[str, dict[str, Any]]) -> None:
    jobs = {job["job_name"]: job for job in load_yaml(PROMETHEUS_CONFIG)["scrape_configs"]}
    worker_sd = jobs["hotline-worker"]["dns_sd_configs"][0]
    assert worker_sd["names"] == ["worker"] and worker_sd["type"] == "A"
    assert str(worker_sd["port"]) == environment(services["worker"])["HOTLINE_WEB_PORT"]
    targets = [
        t for job in jobs.values() for c in job.get("static_configs", []) for t in c["targets"]
    ]
    assert "kafka-exporter:9308" in targets
    assert "prometheus" in jobs


def test_grafana_provisioning_matches_the_mounts(services: dict[str, dict[str, Any]]) -> None:
    grafana = services["grafana"]
    volume_mounts = {target: source for target, source in mounts(grafana).items()}
    host_of = {
        target: (COMPOSE.parent / source).resolve()
        for target, source in volume_mounts.items()
        if is_host_path(source)
    }
    assert host_of["/etc/grafana/provisioning"] == (GRAFANA_DIR / "provisioning").resolve()
    providers = [
        provider
        for path in sorted((GRAFANA_DIR / "provisioning" / "dashboards").glob("*.yml"))
        for provider in load_yaml(path)["providers"]
    ]
    assert providers
    for provider in providers:
        path = provider["options"]["path"]
        assert path in host_of, f"dashboards are read from {path}, which is not mounted"
        assert sorted(host_of[path].glob("*.json")) == [p.resolve() for p in DASHBOARD_FILES]
    home = environment(grafana).get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH")
    if home:
        mounted = PurePosixPath(home)
        assert (host_of[str(mounted.parent)] / mounted.name).is_file()


def provisioned_datasources() -> list[dict[str, Any]]:
    return [
        source
        for path in sorted((GRAFANA_DIR / "provisioning" / "datasources").glob("*.yml"))
        for source in load_yaml(path)["datasources"]
    ]


def test_the_datasource_is_the_compose_prometheus(services: dict[str, dict[str, Any]]) -> None:
    (source,) = provisioned_datasources()
    assert source["type"] == "prometheus" and source["uid"]
    host, port = re.fullmatch(r"http://([\w-]+):(\d+)", source["url"]).groups()  # type: ignore[union-attr]
    assert host in services and port == "9090"


@pytest.mark.parametrize("path", DASHBOARD_FILES, ids=lambda p: p.name)
def test_dashboards_are_valid_and_use_the_provisioned_datasource(path) -> None:
    uid = provisioned_datasources()[0]["uid"]
    dashboard = load_dashboard(path)
    assert dashboard["uid"] and dashboard["title"]
    assert 36 <= dashboard["schemaVersion"] <= 41
    variables = {v["name"] for v in dashboard.get("templating", {}).get("list", [])}
    ids = []
    for panel in iter_panels(dashboard["panels"]):
        ids.append(panel["id"])
        grid = panel["gridPos"]
        assert grid["x"] >= 0 and grid["x"] + grid["w"] <= 24, panel["title"]
        if panel["type"] == "row":
            continue
        assert panel["datasource"]["uid"] == uid, panel["title"]
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == uid, panel["title"]
            assert target["expr"].strip(), panel["title"]
            for used in re.findall(r"\$(\w+)", target["expr"]):
                assert used.startswith("__") or used in variables, (panel["title"], used)
    assert len(ids) == len(set(ids)), "panel ids must be unique"
    for variable in dashboard["templating"]["list"]:
        if variable["type"] == "query":
            assert variable["datasource"]["uid"] == uid


def test_dashboard_uids_are_unique() -> None:
    uids = [load_dashboard(path)["uid"] for path in DASHBOARD_FILES]
    assert len(uids) == len(set(uids))


def test_the_dockerfile_copies_what_exists() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    copies = re.findall(r"^COPY (?!--from)(.+)$", dockerfile, flags=re.MULTILINE)
    assert copies
    for line in copies:
        for source in line.split()[:-1]:
            assert (REPO / source).exists(), source
    assert 'CMD ["hotline", "worker"]' in dockerfile


def test_the_topics_service_creates_fausts_topics_too(services: dict[str, Any]) -> None:
    topics = services["topics"]
    script = command(topics)[-1]
    assert (COMPOSE.parent / mounts(topics)[script]).resolve() == DEPLOY / "init_topics.py"
    assert "app_id=" in (DEPLOY / "init_topics.py").read_text()  # the app's own topics too
    kafka = environment(services["kafka"])
    assert kafka["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
