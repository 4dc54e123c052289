"""Benchmark: the staff page against a trivial one-button Voilà notebook. Prints a table.

Not a timed test. Two Voilà servers are started the same way as the browser tests and
``make serve`` (project config and Jupyter dirs, a throw-away case store), each serving a
folder holding the staff page (notebooks/pages/staff.ipynb) and the trivial notebook
(bench/trivial.ipynb, never pooled): one with a pool of preheated staff pages
(``PLAYBOOK_POOL=staff=2``), one without (``staff=0``: every staff page is built for its
request, as for the visitor past the pool). Everything is measured in the same run; ratios
are against the trivial notebook served by the same server.

* Time to interactive: ``goto`` until the page's first control is visible and enabled
  (staff: the picker's first dispute, ``STAFF_READY``; trivial: ``.bench-button``),
  n=``--loads`` (median) after one discarded warm-up load each. Loads alternate between the
  notebooks, and each starts once the server's kernels are idle (the pool refilled, closed
  pages shut down), so every pooled load finds a preheated page. Twice: each load in a fresh
  browser context (a first visit: nothing cached), and each in a new page of one context (the
  page's scripts cached, as for staff who open it every day).
* Phases of each load, timed inside the page from the navigation's start (medians): the HTML
  received, the page's scripts loaded, the kernel's websocket open, the first widget drawn.
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
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from playbook import load_library  # noqa: E402
from playbook.ui.landing import FILL_DELAY_S, pool_sizes  # noqa: E402
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
STAFF_READY = ".pb-disputes .widget-radio-box input"  # the page's first control: the picker
FLOOR = "trivial-pooled"  # the trivial notebook from a pool (the pooled server only)
TARGETS = {"tti_pool": 0.5, "tti": 1.15, "step": 1.2, "handler_ms": 20.0, "rss_mib": 120.0}
POOL = "staff=2"
IDLE_CPU_S = 0.05  # server + kernels used less CPU than this in IDLE_WINDOW_S: idle
IDLE_WINDOW_S = 1.0

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
# Where a load's time goes, in ms from the navigation's start: the HTML received, the page's
# scripts loaded (the load event), the kernel's websocket open, the first widget drawn.
PHASES_INIT = """
window.__pbBench = {};
const NativeSocket = window.WebSocket;
window.WebSocket = function (url, protocols) {
  const ws = protocols === undefined ? new NativeSocket(url) : new NativeSocket(url, protocols);
  if (/\\/api\\/kernels\\/[^/]+\\/channels/.test(String(url)) && !window.__pbBench.socket) {
    ws.addEventListener("open", () => { window.__pbBench.socket = performance.now(); });
  }
  return ws;
};
window.WebSocket.prototype = NativeSocket.prototype;
for (const k of ["CONNECTING", "OPEN", "CLOSING", "CLOSED"]) window.WebSocket[k] = NativeSocket[k];
new MutationObserver((_, observer) => {
  if (document.querySelector(".jupyter-widgets")) {
    window.__pbBench.widgets = performance.now();
    observer.disconnect();
  }
}).observe(document, {subtree: true, childList: true});
"""
PHASES = ("html", "scripts", "socket", "widgets")
READ_PHASES = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  return {html: nav.responseEnd, scripts: nav.loadEventEnd, ...window.__pbBench};
}"""


def median(values: list[float]) -> float:
    """Median (the figure every target is stated in)."""
    return statistics.median(values)


# --- browser measurements -----------------------------------------------------------------------


def load(
    browser: object, url: str, ready: str, context: object | None = None
) -> tuple[object, object, float]:
    """Open ``url`` in a new page; seconds until ``ready`` is visible and enabled.

    A new page of ``context`` (a browser that has the page's scripts cached), or of a fresh
    context (nothing cached) when None.
    """
    context = context or browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.add_init_script(PHASES_INIT)
    t0 = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.locator(f"{ready}:not([disabled])").first.wait_for(state="visible")
    return context, page, time.perf_counter() - t0


def close(context: object, page: object) -> None:
    """Close like a visitor does, so Voilà's beacon shuts the kernel down."""
    page.close(run_before_unload=True)
    context.close()


def cpu_seconds(server: VoilaServer) -> dict[int, float]:
    """CPU seconds used so far by the server and by each of its kernels, by process id."""
    used = {}
    root = psutil.Process(server.process.pid)
    for proc in [root, *root.children(recursive=True)]:
        try:
            times = proc.cpu_times()
        except psutil.Error:
            continue
        used[proc.pid] = times.user + times.system
    return used


def cpu_since(before: dict[int, float], now: dict[int, float]) -> float:
    """CPU seconds used between two ``cpu_seconds`` readings by the processes still there.

    A process gone in between (a closed page's kernel) takes its seconds with it: summing
    totals instead would hide the work of the others (a refill) behind its exit.
    """
    return sum(secs - before.get(pid, 0.0) for pid, secs in now.items())


def wait_idle(server: VoilaServer, timeout: float = 120.0) -> None:
    """Wait until the server and its kernels are idle (pool refilled, closed pages gone).

    A taken page's pool starts its next kernel ``FILL_DELAY_S`` after the take: idleness is
    judged only once that time has passed.
    """
    time.sleep(FILL_DELAY_S)
    deadline = time.monotonic() + timeout
    before = cpu_seconds(server)
    while time.monotonic() < deadline:
        time.sleep(IDLE_WINDOW_S)
        now = cpu_seconds(server)
        if cpu_since(before, now) < IDLE_CPU_S:
            return
        before = now


def time_to_interactive(
    browser: object, server: VoilaServer, loads: int, warm: bool, floor: bool
) -> tuple[dict, dict]:
    """Alternate loads of the notebooks; the first of each is a discarded warm-up.

    ``warm``: every load in a new page of one browser context (scripts cached, as for staff
    who open the page every day); else each in a fresh context (a first visit). ``floor``:
    the trivial notebook from its pool (``FLOOR``) too. Returns the seconds of each load, and
    each load's ``PHASES`` (ms), per notebook.
    """
    notebooks = [("trivial", ".bench-button"), ("staff", STAFF_READY)]
    if floor:
        notebooks.append((FLOOR, ".bench-button"))
    times: dict[str, list[float]] = {name: [] for name, _ in notebooks}
    phases: dict[str, list[dict]] = {name: [] for name, _ in notebooks}
    shared = browser.new_context(viewport={"width": 1100, "height": 900}) if warm else None
    for i in range(loads + 1):
        for name, ready in notebooks:
            wait_idle(server)
            context, page, secs = load(browser, server.page_url(f"{name}.ipynb"), ready, shared)
            seen = page.evaluate(READ_PHASES)
            page.close(run_before_unload=True)
            if shared is None:
                context.close()
            if i:
                times[name].append(secs)
                phases[name].append(seen)
    if shared is not None:
        shared.close()
    return times, phases


def phase_line(seen: list[dict]) -> str:
    """Median ms of each phase over the loads ('-' where a load did not see it)."""
    parts = []
    for phase in PHASES:
        values = [s[phase] for s in seen if s.get(phase)]
        parts.append(f"{phase} {median(values):.0f}" if values else f"{phase} -")
    return ", ".join(parts)


def trivial_round_trips(
    browser: object, server: VoilaServer, clicks: int
) -> tuple[list[float], float]:
    """Button → HTML counter round trips (ms), and the trivial kernel's RSS (MiB)."""
    context, page, _ = load(browser, server.page_url("trivial.ipynb"), ".bench-button")
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
    context, page, _ = load(browser, server.page_url("staff.ipynb"), STAFF_READY)
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
    out: list[float] = []
    while len(out) < samples:
        if panel.walk is None:  # a new dispute starts from an empty form
            panel.start_view.scenario.value = SCENARIO
            for fact, value in FACTS.items():
                panel.start_view.fact_inputs[fact].value = value
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


def load_average() -> str:
    """The machine's load as ``uptime`` prints it (the benches share the machine)."""
    out = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout
    return out.strip() or " ".join(f"{x:.2f}" for x in psutil.getloadavg())


def serve_folder(
    folder: Path, name: str, pool: str, env: dict[str, str], floor: bool = False
) -> VoilaServer:
    """A Voilà server on ``folder`` (the staff page and the trivial notebook) with ``pool``.

    ``floor``: ``FLOOR`` gets a pool of one as well (the pools ``make serve`` computes from
    ``pool``, with that one added on the command line, which overrides the config file's).
    """
    args: tuple[str, ...] = ()
    if floor:
        pools = {**pool_sizes(pool), f"{FLOOR}.ipynb": {"pool_size": 1}}
        args = (f"--VoilaKernelManager.kernel_pools_config={json.dumps(pools)}",)
    return start_voila(
        folder, OUT / f"voila-{name}.log", args, extra_env={**env, "PLAYBOOK_POOL": pool}
    )


def ratio_row(label: str, staff: float, base: float, target: float) -> str:
    """One time-to-interactive line."""
    ok = staff / base <= target
    return row(label, f"{staff:.2f} s", f"{base:.2f} s", f"{staff / base:.2f}", f"<= {target}", ok)


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
    started = dt.datetime.now(dt.UTC)
    load_before = load_average()
    rss: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="pb-bench-") as tmp:
        folder = Path(tmp) / "pages"
        folder.mkdir()
        shutil.copy(NOTEBOOK, folder / "staff.ipynb")
        shutil.copy(TRIVIAL, folder / "trivial.ipynb")
        shutil.copy(TRIVIAL, folder / f"{FLOOR}.ipynb")
        env = {"PLAYBOOK_VAR_DIR": tmp, "PLAYBOOK_DB_URL": f"sqlite:///{tmp}/cases.sqlite3"}
        handler_store = handler_times(args.handler_samples, f"sqlite:///{tmp}/handler.sqlite3")
        handler_plain = handler_times(args.handler_samples, None)
        pooled = serve_folder(folder, "pooled", POOL, env, floor=True)
        unpooled = serve_folder(folder, "unpooled", "staff=0", env)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                measured = {
                    (pool, warm): time_to_interactive(
                        browser, server, args.loads, warm, floor=server is pooled
                    )
                    for pool, server in (("pool", pooled), ("no pool", unpooled))
                    for warm in (False, True)
                }
                tti = {key: times for key, (times, _) in measured.items()}
                base_ms, rss["trivial"] = trivial_round_trips(browser, unpooled, args.clicks)
                step_ms, rss["staff"], walks = staff_steps(browser, unpooled, args.clicks)
                browser.close()
            rss["server"] = psutil.Process(unpooled.process.pid).memory_info().rss / 2**20
        finally:
            pooled.stop()
            unpooled.stop()

    step, base = median(step_ms), median(base_ms)
    handler = median(handler_store)
    print(f"Staff page vs trivial notebook, started {started:%Y-%m-%d %H:%M} UTC")
    print(f"  load before: {load_before}")
    print(f"  load after:  {load_average()}")
    print(row("measure", "staff", "trivial", "ratio", "target", None))
    for (pool, warm), runs in tti.items():
        label = f"TTI, {pool}, {'cached' if warm else 'first visit'}"
        target = TARGETS["tti_pool"] if pool == "pool" else TARGETS["tti"]
        print(ratio_row(label, median(runs["staff"]), median(runs["trivial"]), target))
        if FLOOR in runs:
            floor, trivial = median(runs[FLOOR]), median(runs["trivial"])
            ratio = f"{floor / trivial:.2f}"
            print(
                row(
                    "  floor: trivial from pool",
                    f"{floor:.2f} s",
                    f"{trivial:.2f} s",
                    ratio,
                    "",
                    None,
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
    print("details (trivial: always the same server's notebook without a pool):")
    for (pool, warm), runs in tti.items():
        name = f"{pool}, {'cached' if warm else 'first visit'}"
        print(f"  TTI staff s   ({name}):", " ".join(f"{x:.2f}" for x in runs["staff"]))
        print(f"  TTI trivial s ({name}):", " ".join(f"{x:.2f}" for x in runs["trivial"]))
        seen = measured[(pool, warm)][1]
        print(f"  phases ms, median, staff   ({name}): {phase_line(seen['staff'])}")
        print(f"  phases ms, median, trivial ({name}): {phase_line(seen['trivial'])}")
        if FLOOR in runs:
            print(
                f"  TTI trivial from its pool s ({name}):",
                " ".join(f"{x:.2f}" for x in runs[FLOOR]),
            )
            print(
                f"  phases ms, median, trivial from its pool ({name}): {phase_line(seen[FLOOR])}"
            )
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
        f"{rss['trivial']:.0f} MiB; Voila server {rss['server']:.0f} MiB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
