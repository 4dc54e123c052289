"""Benchmark of the lessons page on a big SQLite store (100k cases / 1M events by default).

Prints figures (medians) and ratios; it is not a test and asserts nothing. Targets: first
render of the page <= 2 s, a filter change <= 0.5 s, and the analytics query
(``playbook.lessons.analytics.read_cases``) ÷ a plain pandas read of the table it reads <= 1.5,
both measured in the same run. Peak memory of the process that builds the page (what one kernel
holds) is reported.

Each first render runs in a fresh Python process, as a Voilà kernel would: imports, library,
store, the case table and the first tab's charts, until the widget tree exists. Measured twice:
cold (no case-table snapshot under var/cache: the first view after an install or upgrade) and
the usual view (the snapshot left by the previous view, with 1% of the cases moved since by
real moves, so the page reads those again).

    .venv/bin/python bench/bench_lessons.py [--cases 100000] [--events-per-case 10]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

FIRST_RENDER = r"""
import json, resource, sys, time
from pathlib import Path
start = time.perf_counter()
from playbook.cases.sql_store import SqlStore as Store
from playbook.lessons.store import LessonsStore
from playbook.load import load_library
from playbook.ui.lessons_panel import LessonsPanel
lib = load_library()
lessons = LessonsStore(Store(sys.argv[1]), lib)
panel = LessonsPanel(lib, lessons, lang="zh", cache_dir=Path(sys.argv[2]))
first = time.perf_counter() - start
changes = []
for value in ["unfulfilled-order", "item-mismatch", ""] * 3:
    t = time.perf_counter()
    panel.filters.scenario.value = value
    changes.append(time.perf_counter() - t)
for who in ["amy", "li", ""]:
    t = time.perf_counter()
    panel.filters.assignee.value = who
    changes.append(time.perf_counter() - t)
assert not panel.message.value, panel.message.value
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"first": first, "changes": changes, "peak_mib": peak, "n": len(panel.table)}))
"""


def _median(xs: list[float]) -> float:
    return statistics.median(xs)


def render_once(url: str, cache: Path) -> dict:
    """First render and filter changes in a fresh interpreter, as a Voilà kernel runs them."""
    done = subprocess.run(
        [sys.executable, "-c", FIRST_RENDER, url, str(cache)],
        check=True,
        capture_output=True,
        text=True,
        cwd=REPO,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def move_cases(url: str, n: int, seed: int) -> None:
    """``n`` random cases get one real move (a note), as staff would make between views."""
    import random

    from sqlalchemy import select

    from playbook.cases.schema import cases
    from playbook.cases.sql_store import SqlStore as Store

    with Store(url) as store:
        with store.reading() as conn:
            ids = sorted(conn.execute(select(cases.c.id)).scalars())
        for case_id in random.Random(seed).sample(ids, n):
            store.add_note(store.get_case(case_id), "bench", actor="bench")


def query_ratio(url: str, repeat: int) -> tuple[float, float]:
    """Median seconds of read_cases (no snapshot) and of a plain pandas read of its table.

    The table it reads is ``cases``: the first reply and closing times are kept on the case row.
    """
    import pandas as pd

    from playbook.cases.sql_store import SqlStore as Store
    from playbook.lessons.analytics import read_cases
    from playbook.load import load_library

    config = load_library().lessons
    store = Store(url)
    ours, plain = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        read_cases(store, config)
        ours.append(time.perf_counter() - t)
        t = time.perf_counter()
        with store.reading() as conn:
            pd.read_sql("SELECT * FROM cases", conn)
        plain.append(time.perf_counter() - t)
    store.close()
    return _median(ours), _median(plain)


def main() -> None:
    """Build (or reuse) the big store, then measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--events-per-case", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "lessons.sqlite3")
    args = parser.parse_args()

    sys.path.insert(0, str(REPO / "scripts"))
    import make_cases

    from playbook.load import load_library

    args.out.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{args.out}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{args.out}"
    start = time.perf_counter()
    make_cases.build_big_store(url, load_library(), args.cases, args.events_per_case).close()
    print(
        f"loaded {args.cases:,} cases / {args.cases * args.events_per_case:,} events "
        f"in {time.perf_counter() - start:.1f} s"
    )

    ours, plain = query_ratio(url, args.runs)
    print(f"\nread_cases:                        median {ours:6.2f} s")
    print(f"pd.read_sql of the cases table:    median {plain:6.2f} s")
    print(f"ratio                                     {ours / plain:6.2f}   (target <= 1.5)")

    cache = args.out.parent / "lessons-cache"
    cold, warm = [], []
    for n in range(args.runs):
        shutil.rmtree(cache, ignore_errors=True)
        cold.append(render_once(url, cache))  # no snapshot: every case is read
        move_cases(url, args.cases // 100, seed=n)
        warm.append(render_once(url, cache))  # 1% of the cases moved since the last view
    runs = cold + warm
    change = _median([c for r in runs for c in r["changes"]])
    worst = max(c for r in runs for c in r["changes"])
    print(f"\npage, {runs[0]['n']:,} cases, fresh process each (n={args.runs} each):")
    usual, first = _median([r["first"] for r in warm]), _median([r["first"] for r in cold])
    print(f"first render, snapshot 1% behind:      median {usual:5.2f} s   (target <= 2 s)")
    print(f"first render, no snapshot (cold):      median {first:5.2f} s")
    print(f"filter change:                         median {change:5.2f} s, max {worst:.2f} s"
          "   (target <= 0.5 s)")  # fmt: skip
    print(f"peak memory of the page's process:     {max(r['peak_mib'] for r in runs):.0f} MiB")


if __name__ == "__main__":
    main()
