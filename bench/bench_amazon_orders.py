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

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.bench_orders import run  # noqa: E402  (after the sys.path line)

DEFAULT = REPO / "bench" / "out" / "amazon_orders_1m.txt"

_CHILD = """
import json, resource, sys, time
import pandas as pd
mode, path = sys.argv[1], sys.argv[2]
if mode != "baseline":  # imported before the clock starts, as pandas is for the baseline
    from playbook.orders.reader import read_orders
    from playbook.load import load_library
    from playbook.orders.triage import TriageSet, triage
r0 = resource.getrusage(resource.RUSAGE_SELF)
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
"""


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    return run(
        argv,
        "python bench/bench_amazon_orders.py",
        DEFAULT,
        "make_amazon_orders.py",
        _CHILD,
        (
            "pandas.read_csv(sep='\\t', engine='pyarrow'):",
            "import + validate + triage (Amazon):     ",
        ),
        ("target <= 1.5", "target <= 2"),
    )


if __name__ == "__main__":
    raise SystemExit(main())
