"""Every metric a rule or a dashboard queries exists: defined by the worker's code
(router/metrics.py), recorded by a rule in deploy/prometheus/rules, or external."""

from __future__ import annotations

import pytest

from tests.deploy.deploy_files import (
    DASHBOARD_FILES,
    EXTERNAL_METRICS,
    RULE_FILES,
    all_expressions,
    defined_metric_names,
    metric_names,
    recording_rule_names,
    unknown_names,
    variable_query_names,
)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("up", {"up"}),
        (
            'sum by (department) (rate(hotline_bogus_total{department=~"$department"}'
            "[$__rate_interval]))",
            {"hotline_bogus_total"},
        ),
        (
            "histogram_quantile(0.95, sum by (le) (rate(a_seconds_bucket[5m:1m])))"
            " > on (job) group_left (version) b_info offset 1h",
            {"a_seconds_bucket", "b_info"},
        ),
        (
            "sum without (instance) (c_total) / ignoring (reason) group_left d:e:rate5m"
            ' or vector(0) and bool 1e-3 unless label_replace(f, "dst", "$1", "src", "(.*)")',
            {"c_total", "d:e:rate5m", "f"},
        ),
        ('absent(up{job="w"} == 1) or count(count by (version) (g)) > Inf', {"up", "g"}),
        ("sum(h) by (x) # a comment naming not_a_metric\n + i @ start()", {"h", "i"}),
        ('{__name__="ignored"}', set()),
    ],
)
def test_the_extractor_finds_exactly_the_metric_names(expr: str, expected: set[str]) -> None:
    assert metric_names(expr) == expected


def test_the_extractor_reads_grafana_variable_queries() -> None:
    assert variable_query_names("label_values(hotline_tickets_open, department)") == {
        "hotline_tickets_open"
    }
    assert variable_query_names('label_values(x_total{job="w"}, reason)') == {"x_total"}
    assert variable_query_names("query_result(topk(5, y))") == {"y"}
    assert variable_query_names("label_names()") == set()


def test_the_check_reports_a_name_nobody_defines() -> None:
    known = defined_metric_names() | EXTERNAL_METRICS
    bogus = [("sample", "sum(rate(hotline_tickets_bogus_total[5m])) / sum(up)", False)]
    assert unknown_names(bogus, known) == {"sample": {"hotline_tickets_bogus_total"}}


def test_the_code_defines_the_names_with_their_suffixes() -> None:
    names = defined_metric_names()
    assert {
        "hotline_tickets_received_total",
        "hotline_routing_latency_seconds_bucket",
        "hotline_routing_latency_seconds_count",
        "hotline_model_info",
        "hotline_queue_depth",
        "hotline_sla_outcomes_total",
        "hotline_callbacks_total",
        "hotline_time_to_resolve_seconds_bucket",
    } <= names
    assert "hotline_queue_depth_total" not in names


def test_rules_and_dashboards_exist() -> None:
    assert len(RULE_FILES) >= 2
    assert len(DASHBOARD_FILES) >= 2
    assert len(list(all_expressions())) > 50


def test_every_queried_metric_is_defined_recorded_or_external() -> None:
    known = defined_metric_names() | recording_rule_names() | EXTERNAL_METRICS
    unknown = unknown_names(list(all_expressions()), known)
    assert not unknown, "metrics nobody defines:\n" + "\n".join(
        f"  {where}: {', '.join(sorted(names))}" for where, names in sorted(unknown.items())
    )


def test_the_three_rates_are_recorded_by_department_and_by_channel() -> None:
    names = recording_rule_names()
    for rate in ("response_rate", "resolution_rate", "satisfaction_rate"):
        for level in ("", "_by_channel", "_overall"):
            for window in ("1d", "30d"):
                assert f"hotline:{rate}{level}:ratio_{window}" in names
