"""Benchmark: the staff page against a trivial one-button Voilà notebook. Prints a table.

Not a timed test. Both notebooks are served by two Voilà processes started the same way as
the browser tests (project config and Jupyter dirs, a throw-away case store), in the same run,
and loaded alternately so both see the same warm/cold state.

* Time to interactive: ``goto`` until the page's first control is visible and enabled
  (staff: ``.pb-start``; trivial: ``.bench-button``). Fresh browser context per load, one
  discarded warm-up load each, then the median of ``--loads``.
* Step latency: timed inside the page (``performance.now``), from the click until the watched
  widget's text changes (staff: Next → the step title; trivial: button → its HTML counter).
  Median of ``--clicks``.
* Handler time: ``WalkView._on_next_click`` run in this process through ``Button.click()``,
  with an SQLite case store as served (and on an in-memory store, for comparison).
* Memory: RSS of the staff page's kernel process after the click-through (several full walks).

    .venv/bin/python bench/bench_page.py [--loads 5] [--clicks 20]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from playbook import load_library  # noqa: E402
from tests.browser.conftest import (  # noqa: E402  (after the sys.path line above)
    CHROMIUM,
    CHROMIUM_ARGS,
    NOTEBOOK,
    VoilaServer,
    start_voila,
)
from tests.browser.helpers import fill_fact, pick_dispute  # noqa: E402

TRIVIAL = REPO / "bench" / "trivial.ipynb"
OUT = REPO / "bench" / "out"
TIMEOUT_MS = 120_000
AGENT = "Bench Agent"
FACTS = {
    "order_id": "5f1e2d3c4b5a69788796a5b4",
    "buyer_name": "Maria Lopez",
    "store_name": "Sunny Home Store",
    "order_total": "24.99",
    "currency": "USD",
}
SCENARIO = "item-mismatch"
SCENARIO_TITLE_ZH = "买家称货不对板或拒绝付款"
TARGETS = {"tti": 1.15, "step": 1.2, "handler_ms": 20.0, "rss_mib": 120.0}

# Click, then resolve with the milliseconds until the watched element's text changes.
TIMED_CLICK = """
async ([button, watched]) => {
  const target = document.querySelector(watched);
  const before = target.textContent;
  return await new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      if (target.textContent !== before) {
        observer.disconnect();
        resolve(performance.now() - t0);
      }
    });
    observer.observe(target, {subtree: true, childList: true, characterData: true});
    const t0 = performance.now();
    document.querySelector(button).click();
  });
}
"""
KERNEL_ID = "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"


def median(values: list[float]) -> float:
    """Median (the figure every target is stated in)."""
    return statistics.median(values)


# --- browser measurements -----------------------------------------------------------------------


def load(browser: object, url: str, ready: str) -> tuple[object, object, float]:
    """Open ``url`` in a fresh context; seconds until ``ready`` is visible and enabled."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    t0 = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.locator(f"{ready}:not([disabled])").wait_for(state="visible")
    return context, page, time.perf_counter() - t0


def close(context: object, page: object) -> None:
    """Close like a visitor does, so Voilà's beacon shuts the kernel down."""
    page.close(run_before_unload=True)
    context.close()


def time_to_interactive(browser: object, staff: str, trivial: str, loads: int) -> dict:
    """Alternate fresh loads of both pages; the first of each is a discarded warm-up."""
    times: dict[str, list[float]] = {"staff": [], "trivial": []}
    for i in range(loads + 1):
        for name, url, ready in (
            ("trivial", trivial, ".bench-button"),
            ("staff", staff, ".pb-start"),
        ):
            context, page, secs = load(browser, url, ready)
            close(context, page)
            if i:
                times[name].append(secs)
    return times


def trivial_round_trips(
    browser: object, server: VoilaServer, clicks: int
) -> tuple[list[float], float]:
    """Button → HTML counter round trips (ms), and the trivial kernel's RSS (MiB)."""
    context, page, _ = load(browser, server.url, ".bench-button")
    try:
        page.evaluate(TIMED_CLICK, [".bench-button", ".bench-out"])  # warm-up
        ms = [page.evaluate(TIMED_CLICK, [".bench-button", ".bench-out"]) for _ in range(clicks)]
        return ms, kernel_rss_mib(server, page.evaluate(KERNEL_ID))
    finally:
        close(context, page)


def staff_steps(
    browser: object, server: VoilaServer, clicks: int
) -> tuple[list[float], float, int]:
    """Walk item-mismatch (first option at each question) for ``clicks`` Next presses.

    Restarts after each outcome and always ends a walk, so the kernel has made several full
    walks. Returns the step latencies (ms), the kernel's RSS (MiB) and the walks made.
    """
    context, page, _ = load(browser, server.url, ".pb-start")
    ms: list[float] = []
    walks = 0
    try:
        actor = page.locator(".pb-actor input")
        if actor.is_visible():
            actor.fill(AGENT)
        lib = load_library()
        while True:
            # a new dispute starts from an empty form: pick and fill it for every walk
            pick_dispute(page, SCENARIO_TITLE_ZH)  # the page opens in 中文
            page.locator(".pb-fact-buyer_name input").wait_for()
            for fact, value in FACTS.items():
                fill_fact(page, lib, fact, value, "zh")
            page.locator(".pb-start").click()
            page.locator(".pb-restart:visible, .pb-next:visible").first.wait_for()
            walks += 1
            while page.locator(".pb-restart").is_hidden():
                if page.locator(".pb-options").is_visible():
                    page.locator(".pb-options .widget-radio-box label").first.click()
                page.locator(".pb-next:not([disabled])").wait_for(state="visible")
                review = page.locator(".pb-review").text_content()
                ms.append(page.evaluate(TIMED_CLICK, [".pb-next", ".pb-step"]))
                # The review is redrawn last: once it changed, the whole step is in place.
                page.wait_for_function(
                    "(before) => document.querySelector('.pb-review').textContent !== before",
                    arg=review,
                )
            if len(ms) >= clicks:
                break
            page.locator(".pb-restart").click()
            page.locator(".pb-disputes").wait_for(state="visible")
        return ms[:clicks], kernel_rss_mib(server, page.evaluate(KERNEL_ID)), walks
    finally:
        close(context, page)


def kernel_rss_mib(server: VoilaServer, kernel_id: str) -> float:
    """RSS of the kernel process serving ``kernel_id`` (a child of the Voilà server)."""
    for child in psutil.Process(server.process.pid).children(recursive=True):
        try:
            if any(kernel_id in part for part in child.cmdline()):
                return child.memory_info().rss / 2**20
        except psutil.NoSuchProcess:
            continue
    raise RuntimeError(f"no kernel process for {kernel_id}")


# --- in-process handler time ----------------------------------------------------------------


def handler_times(samples: int, db_url: str | None) -> list[float]:
    """Milliseconds per ``next_button.click()`` on a StaffPanel built here (no kernel)."""
    from playbook.cases.memory_store import MemoryStore
    from playbook.cases.sql_store import SqlStore
    from playbook.load import load_library
    from playbook.ui.staff_panel import StaffPanel

    store = SqlStore(db_url) if db_url else MemoryStore()
    panel = StaffPanel(load_library(), store=store, user=AGENT, lang="en")
    panel.start_view.scenario.value = SCENARIO
    for fact, value in FACTS.items():
        panel.start_view.fact_inputs[fact].value = value
    out: list[float] = []
    while len(out) < samples:
        if panel.walk is None:
            panel.start_view.start_button.click()
        elif panel.walk.finished:
            panel.walk_view.restart_button.click()
            continue
        if panel.walk.current.kind == "question":
            panel.walk_view.options.value = panel.walk_view.options.options[0][1]
        before = panel.walk.current.id
        t0 = time.perf_counter()
        panel.walk_view.next_button.click()
        out.append((time.perf_counter() - t0) * 1000)
        if panel.walk.current.id == before:
            raise RuntimeError(f"Next did not move from {before}: {panel.message.value}")
    store.close()
    return out


# --- report ---------------------------------------------------------------------------------


def row(name: str, staff: str, base: str, ratio: str, target: str, ok: bool | None) -> str:
    """One table line."""
    verdict = "" if ok is None else ("OK" if ok else "MISS")
    return f"{name:<26} {staff:>12} {base:>12} {ratio:>8} {target:>9}  {verdict}"


def main() -> int:
    """Run everything and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument("--clicks", type=int, default=20)
    parser.add_argument("--handler-samples", type=int, default=100)
    args = parser.parse_args()
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} not found: run `make system` (or `apt-get install chromium`).")
        return 2
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    rss: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="pb-bench-") as tmp:
        env = {"PLAYBOOK_VAR_DIR": tmp, "PLAYBOOK_DB_URL": f"sqlite:///{tmp}/cases.sqlite3"}
        handler_store = handler_times(args.handler_samples, f"sqlite:///{tmp}/handler.sqlite3")
        handler_plain = handler_times(args.handler_samples, None)
        staff = start_voila(NOTEBOOK, OUT / "voila-staff.log", extra_env=env)
        trivial = start_voila(TRIVIAL, OUT / "voila-trivial.log", extra_env=env)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                tti = time_to_interactive(browser, staff.url, trivial.url, args.loads)
                base_ms, rss["trivial"] = trivial_round_trips(browser, trivial, args.clicks)
                step_ms, rss["staff"], walks = staff_steps(browser, staff, args.clicks)
                browser.close()
            rss["server"] = psutil.Process(staff.process.pid).memory_info().rss / 2**20
        finally:
            staff.stop()
            trivial.stop()

    tti_staff, tti_base = median(tti["staff"]), median(tti["trivial"])
    step, base = median(step_ms), median(base_ms)
    handler = median(handler_store)
    print(f"Staff page vs trivial notebook, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    print(row("measure", "staff", "trivial", "ratio", "target", None))
    print(
        row(
            f"time to interactive (n={args.loads})",
            f"{tti_staff:.2f} s",
            f"{tti_base:.2f} s",
            f"{tti_staff / tti_base:.2f}",
            f"<= {TARGETS['tti']}",
            tti_staff / tti_base <= TARGETS["tti"],
        )
    )
    print(
        row(
            f"step latency (n={args.clicks})",
            f"{step:.0f} ms",
            f"{base:.0f} ms",
            f"{step / base:.2f}",
            f"<= {TARGETS['step']}",
            step / base <= TARGETS["step"],
        )
    )
    print(
        row(
            f"Next handler (n={len(handler_store)})",
            f"{handler:.1f} ms",
            "",
            "",
            f"< {TARGETS['handler_ms']:.0f} ms",
            handler < TARGETS["handler_ms"],
        )
    )
    print(
        row(
            "staff kernel RSS",
            f"{rss['staff']:.0f} MiB",
            "",
            "",
            f"<= {TARGETS['rss_mib']:.0f} MiB",
            rss["staff"] <= TARGETS["rss_mib"],
        )
    )
    print()
    print("details:")
    print("  TTI staff s   ", " ".join(f"{x:.2f}" for x in tti["staff"]))
    print("  TTI trivial s ", " ".join(f"{x:.2f}" for x in tti["trivial"]))
    print("  step staff ms ", " ".join(f"{x:.0f}" for x in step_ms))
    print("  step trivial  ", " ".join(f"{x:.0f}" for x in base_ms))
    q = statistics.quantiles(handler_store, n=10)
    print(
        f"  Next handler with SQLite store: median {handler:.1f} ms, p90 {q[-1]:.1f} ms, "
        f"max {max(handler_store):.1f} ms; in-memory store: median "
        f"{median(handler_plain):.1f} ms"
    )
    print(
        f"  kernel RSS: staff {rss['staff']:.0f} MiB after {walks} full walks, trivial "
        f"{rss['trivial']:.0f} MiB; staff Voila server {rss['server']:.0f} MiB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
