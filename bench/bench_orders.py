"""Benchmark: import + validate + triage of a large Wish CSV export against plain read_csv.

Prints ratios (median of 3 runs each, one child process per run), each side's CPU time (user
median, system per run: a side's system time shows when the kernel slowed it) and how its
memory came (4 KiB page faults, memory in huge pages); not a timed test. Peak memory is the
child's peak RSS (Linux ru_maxrss, which also sees Arrow's allocations) minus the peak RSS of
a process that only imports pandas, pyarrow and playbook. Both children import their modules
before the clock starts (pandas for the baseline; pandas and playbook for ours); loading the
triage rules (data/*.yaml) is timed.

    python bench/bench_orders.py                 # makes bench/out/orders_1m.csv if missing
    python bench/bench_orders.py --file other.csv --runs 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT = REPO / "bench" / "out" / "orders_1m.csv"
AS_OF = "2026-11-20T12:00:00Z"

# The end of every child (``measure`` adds it): the clock, CPU seconds, page faults and huge
# pages of the timed part. Small-page faults come from getrusage; the memory in huge pages is
# the process's at the end (Arrow's default allocator asks for them, so pandas' read holds
# most of its frame in them).
TAIL = """
secs = time.perf_counter() - t
r1 = resource.getrusage(resource.RUSAGE_SELF)
peak = r1.ru_maxrss * 1024
cpu = {"user": r1.ru_utime - r0.ru_utime, "sys": r1.ru_stime - r0.ru_stime}
faults = r1.ru_minflt - r0.ru_minflt
try:
    with open("/proc/self/smaps_rollup") as fh:
        huge = next(int(x.split()[1]) * 1024 for x in fh if x.startswith("AnonHugePages:"))
except (OSError, StopIteration):  # not Linux
    huge = None
out = {"secs": secs, "peak": peak, "frame": nbytes, "rows": rows, "faults": faults, "huge": huge}
print(json.dumps({**out, **cpu}))
"""
_CHILD = """
import json, resource, sys, time
import pandas as pd
mode, path = sys.argv[1], sys.argv[2]
if mode != "baseline":  # imported before the clock starts, as pandas is for the baseline
    from playbook.orders.reader import read_orders
    from playbook.load import load_library
    from playbook.orders.triage import Triage, triage
r0 = resource.getrusage(resource.RUSAGE_SELF)
t = time.perf_counter()
if mode == "baseline":
    df = pd.read_csv(path, engine="pyarrow")
    nbytes, rows = int(df.memory_usage(deep=True).sum()), len(df)
else:
    res = read_orders(path)
    tri = triage(res.orders, sys.argv[3], Triage.from_library(load_library()))
    df = res.orders
    nbytes, rows = int(df.memory_usage(deep=True).sum()), res.rows_read
"""
_BASE = """
import json, resource
import pandas, pyarrow, playbook.orders, playbook.orders.triage
print(json.dumps({"peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""


def _run(code: str, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", code, *args], check=True, capture_output=True, text=True, cwd=REPO
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(child: str, path: Path, runs: int) -> tuple[list[dict], list[dict], int]:
    """``runs`` baseline and import runs of ``child`` on ``path``, and the imports' own RSS.

    The runs are interleaved so both see the same machine state; the RSS is the peak of a
    process that only imports the modules.
    """
    base_rss = _run(_BASE)["peak"]
    code = child + TAIL
    base, ours = [], []
    for _ in range(runs):
        base.append(_run(code, "baseline", str(path)))
        ours.append(_run(code, "ours", str(path), AS_OF))
    return base, ours, base_rss


def report(
    path: Path,
    measured: tuple[list[dict], list[dict], int],
    labels: tuple[str, str],
    targets: tuple[str, str],
) -> None:
    """Print the medians, the time ratio and the memory ratio of ``measure``'s runs.

    ``labels``: the baseline's and the import's (padded to line up); ``targets``: the time and
    memory targets as printed after each ratio.
    """
    base, ours, base_rss = measured
    time_target, memory_target = targets
    b = statistics.median(r["secs"] for r in base)
    o = statistics.median(r["secs"] for r in ours)
    frame = ours[0]["frame"]
    peak = max(r["peak"] for r in ours) - base_rss
    print(f"file: {path} ({path.stat().st_size / 1e6:.0f} MB, {ours[0]['rows']:,} rows)")
    runs_b = [round(r["secs"], 2) for r in base]
    runs_o = [round(r["secs"], 2) for r in ours]
    print(f"{labels[0]} median {b:.2f} s  runs {runs_b}")
    print(f"{labels[1]} median {o:.2f} s  runs {runs_o}")
    print(f"time ratio: {o / b:.2f}  ({time_target})")
    # CPU seconds of the timed part (all threads): a side slowed by the kernel (first touch of
    # fresh memory, which on a virtual machine may need the host too) shows as system time.
    # The page faults and huge pages say how each side's memory came.
    for label, rs in ((labels[0], base), (labels[1], ours)):
        user = statistics.median(r["user"] for r in rs)
        system = [round(r["sys"], 2) for r in rs]
        print(f"{label} CPU user median {user:.2f} s; system {system}")
    for label, rs in ((labels[0], base), (labels[1], ours)):
        faults = statistics.median(r["faults"] for r in rs)
        huge = [r["huge"] for r in rs if r["huge"] is not None]
        held = f"; in huge pages at the end {statistics.median(huge) / 1e6:.0f} MB" if huge else ""
        print(f"{label} page faults median {faults:,.0f} (4 KiB each){held}")
    print(
        f"order table: {frame / 1e6:.0f} MB; peak RSS above imports: {peak / 1e6:.0f} MB; "
        f"memory ratio: {peak / frame:.2f}  ({memory_target})"
    )


def run(
    argv: list[str] | None,
    prog: str,
    default: Path,
    maker: str,
    child: str,
    labels: tuple[str, str],
    targets: tuple[str, str],
) -> int:
    """A benchmark's command line: measure ``child`` on ``--file`` ``--runs`` times, report.

    The default file is made by ``scripts/<maker>`` (1M rows) when it is missing.
    """
    ap = argparse.ArgumentParser(prog=prog)
    ap.add_argument("--file", type=Path, default=default)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    if not args.file.exists():
        script = REPO / "scripts" / maker
        subprocess.run(
            [sys.executable, str(script), "--rows", "1000000", "--out", str(args.file)],
            check=True,
        )
    report(args.file, measure(child, args.file, args.runs), labels, targets)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    return run(
        argv,
        "python bench/bench_orders.py",
        DEFAULT,
        "make_orders.py",
        _CHILD,
        ("pandas.read_csv(engine='pyarrow'):", "import + validate + triage:      "),
        ("target <= 1.0, issue 22", "target <= 1.6, issue 22"),
    )


if __name__ == "__main__":
    raise SystemExit(main())
