"""The hotline command line, run as a user runs it."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest

from router.cli import build_parser


def _hotline(*args: str, stdin: str = "", env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "router.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_classify_reads_and_writes_json_lines(model_dir, catalogue):
    lines = [
        {"id": 1, "text": "公司拖欠我三个月工资，老板一直不给"},
        {"id": "b", "text": "楼道里闻到很浓的煤气味，怀疑燃气泄漏"},
    ]
    stdin = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n"
    result = _hotline("classify", "--model", str(model_dir), stdin=stdin)
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == [1, "b"]
    for o in out:
        assert set(o) == {"id", "department", "department_name", "confidence", "top"}
        assert len(o["top"]) == 3 and o["top"][0][0] == o["department"]
        assert o["confidence"] == o["top"][0][1]
    assert out[0]["department"] in {"LABOR_INSPECTION", "HUMAN_RESOURCES"}
    assert out[1]["department"] == "GAS_SUPPLY"
    assert out[1]["department_name"] == catalogue["GAS_SUPPLY"].name


def test_classify_reports_bad_lines_and_goes_on(model_dir):
    stdin = 'not json\n{"id": 2}\n{"id": 3, "text": "路灯坏了好几天了，晚上很黑"}\n'
    result = _hotline("classify", "--model", str(model_dir), stdin=stdin)
    assert result.returncode == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    errors = [o for o in out if "error" in o]
    assert [e["line"] for e in errors] == [1, 2]
    assert [o["id"] for o in out if "department" in o] == [3]


def test_services_on_a_busy_port_is_a_one_line_error(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = {"HOTLINE_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
        result = _hotline("services", "--broker-port", str(port), env=env)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"hotline: error: port {port} for the embedded broker is already in use"
    ]


def test_a_missing_model_is_a_one_line_error(tmp_path):
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "metadata.json").write_text("{}")
    result = _hotline("classify", "--model", str(tmp_path / "m"), stdin='{"id":1,"text":"x"}\n')
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "hotline: error:" in result.stderr


@pytest.mark.parametrize(
    "command",
    ["services", "worker", "simulate", "demo", "classify", "train", "queues", "bench"],
)
def test_every_command_has_help(command):
    parser = build_parser()
    with pytest.raises(SystemExit) as exit_info:
        parser.parse_args([command, "--help"])
    assert exit_info.value.code == 0


def test_a_missing_broker_binary_is_a_one_line_error(tmp_path):
    env = {
        "HOTLINE_HOME": str(tmp_path),
        "PATH": "/usr/bin:/bin",
        "CALF_TANSU_BIN": str(tmp_path / "no-such-broker"),
    }
    result = _hotline("services", env=env)
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("hotline: error: the embedded broker binary is missing")


def test_departments_resolve_prints_the_code_or_exits_1():
    result = _hotline("departments", "resolve", "工商行政管理局")
    assert (result.returncode, result.stdout.strip()) == (0, "MARKET_REGULATION")
    result = _hotline("departments", "resolve", "火星移民局")
    assert result.returncode == 1
    assert "unknown department '火星移民局'" in result.stderr
