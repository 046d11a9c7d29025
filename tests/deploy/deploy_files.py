"""What the deploy tests read: the files under deploy/, the PromQL in them, and the metric
names the code defines."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import CollectorRegistry

from router.metrics import Metrics

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
COMPOSE = DEPLOY / "docker-compose.yml"
PROMETHEUS_DIR = DEPLOY / "prometheus"
PROMETHEUS_CONFIG = PROMETHEUS_DIR / "prometheus.yml"
RULE_FILES = sorted((PROMETHEUS_DIR / "rules").glob("*.yml"))
RULE_TEST_FILES = sorted((PROMETHEUS_DIR / "tests").glob("*.yml"))
GRAFANA_DIR = DEPLOY / "grafana"
DASHBOARD_FILES = sorted((GRAFANA_DIR / "dashboards").glob("*.json"))

#: Metrics that come from elsewhere than the worker: Prometheus itself and kafka-exporter.
EXTERNAL_METRICS = frozenset({"up", "ALERTS", "ALERTS_FOR_STATE", "kafka_consumergroup_lag"})

#: Suffixes of the series each metric type exposes (prometheus_client names families
#: without them).
_SUFFIXES: dict[str, tuple[str, ...]] = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "summary": ("_sum", "_count", "_created"),
    "info": ("_info",),
    "gauge": (),
}


def load_yaml(path: Path) -> Any:
    """The parsed YAML document at ``path``."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def promtool_binary(name: str = "promtool") -> str:
    """Path of ``promtool`` (or ``prometheus``); the test fails, not skips, without it."""
    path = shutil.which(name) or (
        f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").is_file() else None
    )
    if path is None:
        pytest.fail(
            f"{name} is not installed: run `make install` (it installs Debian's prometheus "
            "package, which provides promtool and prometheus)"
        )
    return path


# ------------------------------------------------------------------------ metric names


def defined_metric_names() -> set[str]:
    """Every series name the worker's metrics can expose, suffixes included."""
    registry = CollectorRegistry()
    Metrics(registry=registry)
    names: set[str] = set()
    for family in registry.collect():
        names.add(family.name)
        names.update(family.name + suffix for suffix in _SUFFIXES.get(family.type, ()))
        names.update(sample.name for sample in family.samples)
    return names


def recording_rule_names() -> set[str]:
    """Names of the recording rules under deploy/prometheus/rules."""
    return {rule["record"] for rule in iter_rules() if "record" in rule}


def iter_rules() -> Iterator[dict[str, Any]]:
    """Every rule (recording and alerting) of every rule file."""
    for path in RULE_FILES:
        for group in load_yaml(path)["groups"]:
            yield from group["rules"]


# ------------------------------------------------------------------------------ PromQL

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_COMMENT = re.compile(r"#[^\n]*")
_VARIABLE = re.compile(r"\$(?:\{[^}]*\}|\w+)")
_BRACES = re.compile(r"\{[^{}]*\}")
_BRACKETS = re.compile(r"\[[^\[\]]*\]")
_LABEL_LIST = re.compile(
    r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)", re.IGNORECASE
)
# Numbers and durations first (1h, 0.95, 1e-3, 0x1f), so their letters are not names.
_TOKEN = re.compile(r"\d[\w.]*|[A-Za-z_:][\w:]*")
_KEYWORDS = frozenset(
    {
        "and",
        "or",
        "unless",
        "by",
        "without",
        "on",
        "ignoring",
        "group_left",
        "group_right",
        "bool",
        "offset",
        "inf",
        "nan",
    }
)
_LABEL_VALUES = re.compile(r"^\s*label_values\s*\((.*),\s*[A-Za-z_]\w*\s*\)\s*$", re.DOTALL)
_QUERY_RESULT = re.compile(r"^\s*query_result\s*\((.*)\)\s*$", re.DOTALL)


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression selects (Grafana variables allowed).

    Strings, comments, label matchers, range and subquery brackets, label lists of
    by/without/on/ignoring/group_left/group_right, keywords, numbers and durations are not
    names; an identifier followed by ``(`` is a function or an aggregation.
    """
    text = _STRING.sub('""', expr)
    text = _COMMENT.sub(" ", text)
    text = _VARIABLE.sub("0", text)
    text = _BRACES.sub(" ", text)
    text = _BRACKETS.sub(" ", text)
    text = _LABEL_LIST.sub(" ", text)
    names: set[str] = set()
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token[0].isdigit() or token.lower() in _KEYWORDS:
            continue
        if text[match.end() :].lstrip().startswith("("):
            continue  # a function or an aggregation
        names.add(token)
    return names


def variable_query_names(query: str) -> set[str]:
    """Metric names in a Grafana Prometheus variable query (label_values, query_result)."""
    if match := _LABEL_VALUES.match(query):
        return metric_names(match.group(1))
    if match := _QUERY_RESULT.match(query):
        return metric_names(match.group(1))
    if re.match(r"^\s*(label_names|metrics|label_values)\s*\(", query):
        return set()  # label_names(), metrics(regex), label_values(label): no selector
    return metric_names(query)


# ----------------------------------------------------------------------------- Grafana


def load_dashboard(path: Path) -> dict[str, Any]:
    """The dashboard JSON at ``path``."""
    return json.loads(path.read_text(encoding="utf-8"))


def iter_panels(panels: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every panel, those nested in collapsed rows included."""
    for panel in panels:
        yield panel
        yield from iter_panels(panel.get("panels", []))


def dashboard_queries(dashboard: dict[str, Any]) -> Iterator[tuple[str, str, bool]]:
    """(where, query, is_variable_query) for every PromQL query of a dashboard."""
    for panel in iter_panels(dashboard.get("panels", [])):
        for target in panel.get("targets", []):
            if target.get("expr"):
                yield f"panel {panel.get('title')!r}", target["expr"], False
    for variable in dashboard.get("templating", {}).get("list", []):
        if variable.get("type") != "query":
            continue
        query = variable.get("query")
        if isinstance(query, dict):
            query = query.get("query", "")
        if query:
            yield f"variable {variable.get('name')!r}", query, True


def all_expressions() -> Iterator[tuple[str, str, bool]]:
    """(where, query, is_variable_query) over every rule file and dashboard."""
    for path in RULE_FILES:
        for group in load_yaml(path)["groups"]:
            for rule in group["rules"]:
                name = rule.get("record") or rule.get("alert")
                yield f"{path.name}: {name}", str(rule["expr"]), False
    for path in DASHBOARD_FILES:
        for where, query, is_variable in dashboard_queries(load_dashboard(path)):
            yield f"{path.name}: {where}", query, is_variable


def unknown_names(expressions: list[tuple[str, str, bool]], known: set[str]) -> dict[str, set[str]]:
    """For each expression naming a metric that is not in ``known``: those names."""
    unknown: dict[str, set[str]] = {}
    for where, query, is_variable in expressions:
        names = variable_query_names(query) if is_variable else metric_names(query)
        if missing := names - known:
            unknown.setdefault(where, set()).update(missing)
    return unknown
