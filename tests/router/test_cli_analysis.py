"""The analysts' commands: ``hotline split``, ``crossval`` and ``evaluate --report``."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from classifiers.importer import EXAMPLE_COLUMNS, import_export
from classifiers.synthetic import generate
from router.cli import build_parser
from router.departments import Catalogue


def _hotline(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "router.cli", *args],
        capture_output=True,
        text=True,
        timeout=180,
    )


def _export(
    path: Path,
    n: int,
    *,
    seed: int,
    extra: Sequence[Sequence[str]] = (),
    catalogue: Catalogue | None = None,
) -> Path:
    """A raw export of synthetic requests: 编号, 时间 (one a day), 内容, 单位 (a code)."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["编号", "时间", "内容", "单位"])
        for i, r in enumerate(generate(n, seed=seed, catalogue=catalogue)):
            writer.writerow(
                [f"n{i}", f"2024/{1 + i // 28 % 12}/{1 + i % 28} 9:00", r.text, r.department]
            )
        writer.writerows(extra)
    return path


COLUMNS = ("--text-col", "内容", "--label-col", "单位", "--id-col", "编号", "--time-col", "时间")


@pytest.mark.parametrize("command", ["split", "crossval", "evaluate"])
def test_analysis_commands_have_help(command):
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args([command, "--help"])
    assert exit_info.value.code == 0


def test_split_writes_two_disjoint_files_in_the_import_format(tmp_path):
    data = _export(
        tmp_path / "export.csv", 200, seed=5, extra=[["solo", "2024/1/1 9:00", "只有一条", "SOLO"]]
    )
    outs = []
    for run in ("a", "b"):
        train, test = tmp_path / run / "train.csv", tmp_path / run / "test.csv"
        result = _hotline(
            "split", "--data", str(data), *COLUMNS, "--labels-as-is", "--test-share", "0.3",
            "--seed", "4", "--train-out", str(train), "--test-out", str(test),
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert str(test) in result.stdout
        outs.append((train.read_bytes(), test.read_bytes()))
    assert outs[0] == outs[1]  # deterministic for a seed
    train_set = import_export([train], columns=EXAMPLE_COLUMNS, catalogue=None).examples
    test_set = import_export([test], columns=EXAMPLE_COLUMNS, catalogue=None).examples
    assert {e.id for e in train_set}.isdisjoint(e.id for e in test_set)
    assert len(train_set) + len(test_set) == 201
    assert 0.25 < len(test_set) / 201 < 0.35
    assert "solo" in {e.id for e in train_set}
    assert all(e.time for e in test_set)


def test_split_by_time_tests_on_the_latest(tmp_path):
    data = _export(tmp_path / "export.csv", 100, seed=6)
    train, test = tmp_path / "train.csv", tmp_path / "test.csv"
    result = _hotline(
        "split", "--data", str(data), *COLUMNS, "--by-time", "--test-share", "0.25",
        "--train-out", str(train), "--test-out", str(test),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    both = import_export([train, test], columns=EXAMPLE_COLUMNS, catalogue=None)
    assert len(both.examples) == 100
    with test.open(encoding="utf-8-sig") as fh:
        test_months = {int(row["time"].split("/")[1]) for row in csv.DictReader(fh)}
    with train.open(encoding="utf-8-sig") as fh:
        train_months = {int(row["time"].split("/")[1]) for row in csv.DictReader(fh)}
    assert min(test_months) >= max(train_months)


def test_crossval_json(tmp_path, catalogue):
    four = ("GAS_SUPPLY", "PUBLIC_SECURITY", "EDUCATION", "WATER_SUPPLY")
    few = Catalogue(departments=[catalogue[code] for code in four])
    data = _export(tmp_path / "export.csv", 120, seed=8, catalogue=few)
    result = _hotline("crossval", "--data", str(data), *COLUMNS, "--folds", "3", "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert len(out["per_fold"]) == 3
    assert 0.5 < out["mean"]["accuracy"] <= 1.0
    assert {"std", "left_out_too_few", "skipped_unknown_labels"} <= set(out)


def test_labels_as_is_takes_categories_and_refuses_aliases(tmp_path):
    data = _export(
        tmp_path / "export.csv", 10, seed=9, extra=[["c1", "2024/1/1", "文本", "城乡建设"]]
    )
    args = ("--data", str(data), *COLUMNS, "--folds", "2")
    refused = _hotline("crossval", *args)
    assert refused.returncode == 2 and "城乡建设 (1)" in refused.stderr
    both = _hotline("crossval", *args, "--labels-as-is", "--aliases", str(data))
    assert both.returncode == 2 and "not with --labels-as-is" in both.stderr


def test_evaluate_writes_the_report_and_keeps_json(model_dir, tmp_path):
    data = _export(tmp_path / "holdout.csv", 120, seed=10)
    report = tmp_path / "report"
    result = _hotline(
        "evaluate", "--model", str(model_dir), "--data", str(data), *COLUMNS,
        "--report", str(report), "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["report"] == str(report / "report.html")
    assert {p.name for p in report.iterdir()} == {"report.html", "confusion.png", "coverage.png"}
    text = _hotline(
        "evaluate", "--model", str(model_dir), "--data", str(data), *COLUMNS,
        "--report", str(tmp_path / "again"),
    )  # fmt: skip
    assert text.returncode == 0, text.stderr
    assert text.stdout.strip().splitlines()[-1] == f"report: {tmp_path / 'again' / 'report.html'}"
