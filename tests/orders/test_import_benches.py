"""The two import benchmarks run end to end on small files and print every figure they promise.

Benchmarks are not timed tests (their figures go in the README); this only checks that
``bench/bench_orders.py`` and ``bench/bench_amazon_orders.py`` still run the way the README
says, as the commands a person types: their children import, read every row and report.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
WISH_SAMPLE = REPO / "data" / "sample" / "wish_orders_sample.csv"


def _bench(script: str, path: Path) -> str:
    out = subprocess.run(
        [sys.executable, f"bench/{script}", "--file", str(path), "--runs", "1"],
        check=True,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    return out.stdout


def _amazon_file(tmp_path: Path) -> Path:
    path = tmp_path / "amazon.txt"
    subprocess.run(
        [sys.executable, "scripts/make_amazon_orders.py", "--rows", "3000", "--out", str(path)],
        check=True,
        cwd=REPO,
        timeout=120,
    )
    return path


@pytest.mark.parametrize("script", ["bench_orders.py", "bench_amazon_orders.py"])
def test_an_import_bench_reports_time_cpu_faults_and_memory(script, tmp_path):
    path = WISH_SAMPLE if script == "bench_orders.py" else _amazon_file(tmp_path)
    with path.open(encoding="utf-8") as fh:
        rows = sum(1 for _ in fh) - 1  # the header line
    out = _bench(script, path)

    assert f"{rows:,} rows)" in out  # every row read, by both sides
    assert re.search(r"^time ratio: \d+\.\d\d ", out, re.M), out
    assert re.search(r"memory ratio: \d+\.\d\d ", out), out
    # Each side's CPU and how its memory came: two lines each, the baseline's first.
    cpu = re.findall(r"CPU user median (\d+\.\d\d) s; system \[([\d., ]+)\]", out)
    faults = re.findall(r"page faults median ([\d,]+) \(4 KiB each\)(.*)$", out, re.M)
    assert len(cpu) == 2, out
    assert len(faults) == 2, out
    assert all(int(n.replace(",", "")) > 0 for n, _ in faults), out  # both touched new memory
    if Path("/proc/self/smaps_rollup").exists():
        assert all(re.fullmatch(r"; in huge pages at the end \d+ MB", rest) for _, rest in faults)
