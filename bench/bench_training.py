"""Benchmark: scenario maps and the trainee page. Prints a table with ratios.

Not a timed test.

* Map render: ``render_svg`` of the scenario with the most steps (Graphviz ``dot`` included),
  median of ``--renders``; target <= 0.3 s. The baseline in the same run is rendering a
  two-node graph, to show what starting ``dot`` alone costs on this machine.
* Trainee page time to interactive ÷ the one-widget notebook (bench/trivial.ipynb), served by
  two Voilà processes started like the browser tests (the trainee page with its pool of one
  preheated page, as ``make train``; the notebook without), loaded alternately in fresh
  contexts, each once both servers are idle (the pool refilled; see bench_page.py): until
  ``.pb-join`` is visible and enabled; median of ``--loads``.

    .venv/bin/python bench/bench_training.py [--loads 5] [--renders 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import graphviz

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from bench_page import TRIVIAL, close, load, wait_idle  # noqa: E402  (after the sys.path lines)

from playbook.load import load_library  # noqa: E402
from playbook.scenarios.diagram import render_svg  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, start_voila  # noqa: E402

TRAINING = REPO / "notebooks" / "training" / "training.ipynb"
OUT = REPO / "bench" / "out"
TARGETS = {"map_s": 0.3, "tti": 1.15}


def map_times(renders: int) -> tuple[str, list[float], list[float]]:
    """Seconds per map of the largest scenario, and per trivial two-node graph."""
    lib = load_library()
    largest = max(lib.scenarios.values(), key=lambda s: len(s.steps))
    render_svg(largest, "zh")  # warm-up (fonts, page cache)
    maps, trivial = [], []
    for _ in range(renders):
        t0 = time.perf_counter()
        render_svg(largest, "zh", path=[largest.start])
        maps.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        graphviz.Source("digraph { a -> b }").pipe(format="svg")
        trivial.append(time.perf_counter() - t0)
    return f"{largest.id} ({len(largest.steps)} steps)", maps, trivial


def tti(loads: int) -> dict[str, list[float]]:
    """Alternate fresh loads of the trainee page and the trivial notebook (first discarded)."""
    from playwright.sync_api import sync_playwright

    times: dict[str, list[float]] = {"training": [], "trivial": []}
    with tempfile.TemporaryDirectory(prefix="pb-bench-") as tmp:
        env = {"PLAYBOOK_VAR_DIR": tmp, "PLAYBOOK_DB_URL": f"sqlite:///{tmp}/cases.sqlite3"}
        training = start_voila(TRAINING, OUT / "voila-training.log", extra_env=env)
        trivial = start_voila(TRIVIAL, OUT / "voila-trivial-2.log", extra_env=env)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                for i in range(loads + 1):
                    for name, url, ready in (
                        ("trivial", trivial.url, ".bench-button"),
                        ("training", training.url, ".pb-join"),
                    ):
                        for server in (training, trivial):
                            wait_idle(server)
                        context, page, secs = load(browser, url, ready)
                        close(context, page)
                        if i:
                            times[name].append(secs)
                browser.close()
        finally:
            training.stop()
            trivial.stop()
    return times


def main() -> int:
    """Run both and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument("--renders", type=int, default=20)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    name, maps, trivial_maps = map_times(args.renders)
    m, base = statistics.median(maps), statistics.median(trivial_maps)
    print(f"{'measure':<34} {'value':>10} {'baseline':>10} {'ratio':>7} {'target':>8}")
    ok = "OK" if m <= TARGETS["map_s"] else "MISS"
    print(f"{'map ' + name:<34} {m:>8.3f} s {base:>8.3f} s {m / base:>7.2f} {'<= 0.3 s':>8}  {ok}")
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} not found: trainee page not measured (run `make system`).")
        return 2
    times = tti(args.loads)
    t, b = statistics.median(times["training"]), statistics.median(times["trivial"])
    ok = "OK" if t / b <= TARGETS["tti"] else "MISS"
    print(
        f"{f'trainee page TTI (n={args.loads})':<34} {t:>8.2f} s {b:>8.2f} s {t / b:>7.2f} "
        f"{'<= 1.15':>8}  {ok}"
    )
    print("  map s      ", " ".join(f"{x:.3f}" for x in maps))
    print("  TTI train s", " ".join(f"{x:.2f}" for x in times["training"]))
    print("  TTI triv s ", " ".join(f"{x:.2f}" for x in times["trivial"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
