"""promtool on deploy/prometheus: the configuration, the rule files and their unit tests."""

from __future__ import annotations

import subprocess
from collections import defaultdict

from tests.deploy.deploy_files import (
    PROMETHEUS_CONFIG,
    RULE_FILES,
    RULE_TEST_FILES,
    iter_rules,
    load_yaml,
    promtool_binary,
)


def run_promtool(*args: str) -> subprocess.CompletedProcess[str]:
    """``promtool ARGS`` (fails the test when promtool is missing)."""
    return subprocess.run(
        [promtool_binary(), *args], capture_output=True, text=True, timeout=240, check=False
    )


def test_promtool_checks_the_config() -> None:
    result = run_promtool("check", "config", str(PROMETHEUS_CONFIG))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(RULE_FILES)} rule files found" in result.stdout


def test_promtool_checks_the_rules() -> None:
    result = run_promtool("check", "rules", *map(str, RULE_FILES))
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_rule_unit_tests_pass() -> None:
    assert RULE_TEST_FILES
    # one promtool per file, in parallel: each evaluates the rules over days of samples
    procs = {
        path.name: subprocess.Popen(
            [promtool_binary(), "test", "rules", str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for path in RULE_TEST_FILES
    }
    outputs = {name: proc.communicate(timeout=240)[0] for name, proc in procs.items()}
    failed = {name: outputs[name] for name, proc in procs.items() if proc.returncode != 0}
    assert not failed, "\n".join(failed.values())


def test_every_alert_has_a_severity_and_english_annotations() -> None:
    alerts = [rule for rule in iter_rules() if "alert" in rule]
    assert len(alerts) >= 8
    for rule in alerts:
        assert rule["labels"]["severity"] in {"critical", "warning"}, rule["alert"]
        summary, description = rule["annotations"]["summary"], rule["annotations"]["description"]
        assert summary.isascii(), rule["alert"]
        # English; a Chinese term may follow its English name, e.g. "urge (催办)"
        assert sum(c.isascii() for c in description) > 0.95 * len(description), rule["alert"]


def test_every_alert_is_unit_tested_firing_and_not_firing() -> None:
    cases: dict[str, set[bool]] = defaultdict(set)
    for path in RULE_TEST_FILES:
        for group in load_yaml(path)["tests"]:
            for case in group.get("alert_rule_test", []):
                cases[case["alertname"]].add(bool(case.get("exp_alerts")))
    for rule in iter_rules():
        if "alert" in rule:
            assert cases[rule["alert"]] == {True, False}, (
                f"{rule['alert']}: needs a promtool test where it fires and one where it does not"
            )
