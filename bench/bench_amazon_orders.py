"""Benchmark: import + validate + triage of a 1M-row Amazon All Orders report vs read_csv.

The report is tab-delimited and read through its declared format; the baseline is plain
pandas.read_csv of the same file.

The same method as bench_orders.py (Wish's CSV): ratios, median of 3 runs each, one child
process per run, interleaved, in the same run; peak memory above a process that only imports
the modules. The target is the Wish import's: time ratio <= 1.5, memory ratio <= 2.

    python bench/bench_amazon_orders.py          # makes bench/out/amazon_orders_1m.txt if missing
    python bench/bench_amazon_orders.py --file other.txt --runs 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT = REPO / "bench" / "out" / "amazon_orders_1m.txt"
AS_OF = "2026-11-20T12:00:00Z"

_CHILD = """
import json, resource, sys, time
import pandas as pd
mode, path = sys.argv[1], sys.argv[2]
if mode != "baseline":  # imported before the clock starts, as pandas is for the baseline
    from playbook.orders.reader import read_orders
    from playbook.load import load_library
    from playbook.orders.triage import TriageSet, triage
t = time.perf_counter()
if mode == "baseline":
    df = pd.read_csv(path, sep="\\t", engine="pyarrow")
    nbytes, rows = int(df.memory_usage(deep=True).sum()), len(df)
else:
    lib = load_library()
    res = read_orders(path, formats=lib.order_formats)
    tri = triage(res.orders, sys.argv[3], TriageSet.from_library(lib))
    df = res.orders
    nbytes, rows = int(df.memory_usage(deep=True).sum()), res.rows_read
    assert res.rows_read == len(res.orders) + len(res.rejects)
secs = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"secs": secs, "peak": peak, "frame": nbytes, "rows": rows}))
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


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    ap = argparse.ArgumentParser(prog="python bench/bench_amazon_orders.py")
    ap.add_argument("--file", type=Path, default=DEFAULT)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    if not args.file.exists():
        script = REPO / "scripts" / "make_amazon_orders.py"
        subprocess.run(
            [sys.executable, str(script), "--rows", "1000000", "--out", str(args.file)],
            check=True,
        )
    size = args.file.stat().st_size
    base_rss = _run(_BASE)["peak"]
    base, ours = [], []
    for _ in range(args.runs):  # interleaved so both see the same machine state
        base.append(_run(_CHILD, "baseline", str(args.file)))
        ours.append(_run(_CHILD, "ours", str(args.file), AS_OF))
    b = statistics.median(r["secs"] for r in base)
    o = statistics.median(r["secs"] for r in ours)
    frame = ours[0]["frame"]
    peak = max(r["peak"] for r in ours) - base_rss
    print(f"file: {args.file} ({size / 1e6:.0f} MB, {ours[0]['rows']:,} rows)")
    runs_b = [round(r["secs"], 2) for r in base]
    runs_o = [round(r["secs"], 2) for r in ours]
    print(f"pandas.read_csv(sep='\\t', engine='pyarrow'): median {b:.2f} s  runs {runs_b}")
    print(f"import + validate + triage (Amazon):      median {o:.2f} s  runs {runs_o}")
    print(f"time ratio: {o / b:.2f}  (target <= 1.5)")
    print(
        f"order table: {frame / 1e6:.0f} MB; peak RSS above imports: {peak / 1e6:.0f} MB; "
        f"memory ratio: {peak / frame:.2f}  (target <= 2)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
