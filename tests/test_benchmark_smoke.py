"""The benchmark script runs end to end on a tiny corpus and writes JSON with the expected keys.

Not a timed test: no figure is checked, only that every measurement produced one.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"


@pytest.mark.timeout(120)
def test_benchmark_runs_end_to_end(tmp_path):
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [
            sys.executable, str(RUN), "--sizes", "50", "--repeat", "1", "--refresh-repeat", "1",
            "--parse-sample", "20", "--no-newsboat", "--quiet", "--json", str(out),
        ],
        capture_output=True,
        text=True,
        timeout=110,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "cold refresh" in result.stdout
    data = json.loads(out.read_text())
    assert {"machine", "settings", "parse", "sizes", "targets", "table"} <= set(data)
    assert data["parse"]["parser_issues_per_s"]["median"] > 0
    size = data["sizes"]["50"]
    assert size["issues"] == 50 and size["feeds"] == 1
    assert "50 new issues" in size["refresh_summary"]
    for key in ("refresh_cold_s", "refresh_304_s", "refresh_peak_rss_mb"):
        assert size[key]["median"] > 0 and size[key]["min"] <= size[key]["median"] <= size[key]["max"]
    assert size["search"]["queries"] == 50
    assert 0 < size["search"]["p50_ms"] <= size["search"]["p95_ms"]
    assert "newsboat" not in size
    if shutil.which("tmux"):
        assert size["first_screen_s"]["median"] > 0
        assert size["bare_first_screen_s"]["median"] > 0
        assert size["first_screen_vs_bare"] > 0
        assert size["reader_peak_rss_mb"]["median"] > 0
