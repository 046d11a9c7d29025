"""``hotline bench --console`` end to end on a tiny backlog: it fills Redis, serves the
console in a child process, logs in and returns its figures. No timing is asserted here:
performance belongs in the benchmark (docs/benchmarks.md), not in tests."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from router.console_bench import DEPARTMENT, console_bench
from router.settings import Settings

PAGES = ("queue", "queue_by_age", "ticket", "triage", "supervisor", "api_queue")
FIGURES = ("p50_ms", "p95_ms", "p99_ms", "max_ms", "mean_ms", "requests", "bytes")


@pytest.mark.integration
@pytest.mark.timeout(120)
def test_the_console_bench_measures_every_page_and_cleans_up(tmp_path: Path) -> None:
    before = set(Path(tempfile.gettempdir()).glob("hotline-console*"))
    result = console_bench(
        Settings(home=tmp_path),
        tickets=50,
        requests=5,
        others=60,
        triage=10,
        warmup=1,
        threads=2,
        concurrent_s=0.5,
    )

    assert result["department"] == DEPARTMENT
    assert result["department_open_tickets"] == 50
    assert set(result["pages"]) == set(PAGES)
    for name in PAGES:
        page = result["pages"][name]
        assert set(FIGURES) <= set(page)
        assert page["requests"] == 5
        assert page["bytes"] > 0
        assert 0 < page["p50_ms"] <= page["p95_ms"] <= page["p99_ms"] <= page["max_ms"]
        assert isinstance(page["meets_target"], bool)
    assert result["concurrent"]["threads"] == 2
    assert result["concurrent"]["requests"] > 0
    assert result["redis_used_memory_mb"] > 0
    assert result["console_rss_mb"] > 0
    assert {"machine", "measured_at", "target_p95_ms"} <= set(result)
    # servers stopped with the temporary directory that held their files
    assert set(Path(tempfile.gettempdir()).glob("hotline-console*")) == before
