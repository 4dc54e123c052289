"""Benchmark: a team opening the staff page at once. Prints pages usable / N and ratios.

Not a timed test. In the same run, twice: a Voilà server serving notebooks/pages/ as
``make serve`` does (project config and Jupyter dirs, a throw-away SQLite case store) with a
pool of preheated staff pages (``--pool``, default ``staff=2`` as ``make serve``), then one
without a pool (``staff=0``). For each:

* Idle pool: once the server is idle before any request, the RSS of its kernels (the pool).
* Baseline: one page opened alone: time until Start is usable, and its Next → next step times.
* Burst: ``--pages`` browser contexts (20) open the page ``--gap`` seconds apart (0.5 s); each
  waits until Start is usable (at most ``--usable-timeout`` s), fills the item-mismatch facts and
  walks to an outcome, first option at each question, timing every Next → next step title.
* Memory: RSS of the Voilà server plus all its kernels, sampled every 0.2 s; the peak.
* Leftovers: kernel processes of the pages still running 30 s after every tab closed (the
  pool's kernels, which wait for the next visitors, are counted and measured apart).
* Server log: "Timeout waiting for IOPub output" and "Address already in use" lines.

Usable means the dispute picker is on screen: the page was served with its widget (Start
stays disabled until a dispute is picked).

Typed facts: each staff member types every fact box of the form at human speed (a key every
60 ms) right after the form appears for the picked dispute, then compares every box with what
they typed and presses Start. A session whose boxes do not hold what was typed, or whose Start
is refused for a fact it typed, "lost typed facts" (18 of 20 did when the form was
rebuilt after each pick; the target is 0).

    .venv/bin/python bench/bench_load.py [--pages 20] [--gap 0.5] [--pool staff=2]
                                         [--voila-arg=--X=Y ...]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.bench_page import AGENT, FACTS, TIMED_CLICK, load_average, wait_idle  # noqa: E402  (after sys.path)  # noqa: E402
from playbook import load_library  # noqa: E402
from tests.browser.conftest import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    PAGES,
    VoilaServer,
    start_voila,
)

OUT = REPO / "bench" / "out"
KERNEL_ID = "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
LEFT_AFTER_S = 30.0
TARGETS = {"usable": 1.0, "kernels_left": 0, "mib_per_page": 120.0}
# The walk: item-mismatch on the page's default language (zh).
SCENARIO_TITLE = load_library().scenario("item-mismatch").title.get("zh")
KEY_DELAY_MS = 60  # a person typing about 16 keys a second
# every text box of item-mismatch's form that a person types (dates have their own format)
TYPED = {
    **{k: v for k, v in FACTS.items() if k != "currency"},
    "product_name": "Blue teapot 1.2 L",
    "tracking_number": "YT2411200012345",
    "carrier": "YunExpress",
    "buyer_says": "The colour is wrong",
}
CURRENCY_LABEL = "USD · 美元"
LOG_LINES = ("Timeout waiting for IOPub output", "Address already in use")


@dataclass
class PageRun:
    """What one simulated staff member saw."""

    usable_s: float | None = None  # None: never usable within the timeout
    kernel_id: str = ""
    steps_ms: list[float] = field(default_factory=list)
    lost_facts: bool | None = None  # None: never got as far as typing
    outcome: bool = False
    error: str = ""


class MemoryPeak:
    """Samples the RSS of the server and its kernels in a thread; keeps the peak.

    Also keeps the last CPU time seen of every server, kernel and browser process, to tell
    how the machine's two cores were shared between the server side and the browsers.
    """

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.peak = 0
        self.cpu: dict[str, dict[int, float]] = {"server": {}, "browser": {}}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.wait(0.2):
            total = 0
            server = [self.process, *self.process.children(recursive=True)]
            for proc in server:
                try:
                    total += proc.memory_info().rss
                    self._note_cpu("server", proc)
                except psutil.Error:
                    continue
            self.peak = max(self.peak, total)
            for proc in set(me.children(recursive=True)) - set(server):
                try:
                    self._note_cpu("browser", proc)
                except psutil.Error:
                    continue

    def _note_cpu(self, side: str, proc: psutil.Process) -> None:
        times = proc.cpu_times()
        self.cpu[side][proc.pid] = times.user + times.system

    def cpu_seconds(self, side: str) -> float:
        """CPU seconds used by the server side (server and kernels) or the browser."""
        return sum(self.cpu[side].values())

    def __enter__(self) -> MemoryPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def kernels(server: VoilaServer) -> dict[str, psutil.Process]:
    """The server's kernel processes by kernel id (their connection file's name)."""
    found = {}
    for child in psutil.Process(server.process.pid).children(recursive=True):
        try:
            cmd = " ".join(child.cmdline())
        except psutil.Error:
            continue
        if "ipykernel" in cmd:
            kid = cmd.split("kernel-", 1)[-1].split(".json", 1)[0]
            found[kid] = child
    return found


def rss_mib(processes: list[psutil.Process]) -> float:
    """Their RSS together, in MiB."""
    total = 0
    for proc in processes:
        try:
            total += proc.memory_info().rss
        except psutil.Error:
            continue
    return total / 2**20


async def type_facts(page: object, run: PageRun) -> None:
    """Type every fact of the form at human speed; note whether anything typed was lost."""
    typed = {}
    for fact, value in TYPED.items():
        box = page.locator(f".pb-facts .pb-fact-{fact}").locator("input, textarea")
        await box.click()
        await box.press_sequentially(value, delay=KEY_DELAY_MS)
        typed[fact] = value
    await page.locator(".pb-facts .pb-fact-currency select").select_option(label=CURRENCY_LABEL)
    shown = {}
    for fact in typed:
        box = page.locator(f".pb-facts .pb-fact-{fact}").locator("input, textarea")
        shown[fact] = await box.input_value()
    run.lost_facts = shown != typed


async def walk(page: object, run: PageRun, title: str) -> None:
    """Pick item-mismatch (``title``), type its facts, Start, first option + Next to the end."""
    actor = page.locator(".pb-actor input")
    if await actor.is_visible():
        await actor.fill(AGENT)
    await page.locator(".pb-disputes .widget-radio-box label").filter(has_text=title).click()
    # The form appears once the kernel has the pick; type as soon as it does.
    await page.locator(".pb-facts .pb-fact-order_id input").wait_for(state="visible")
    await type_facts(page, run)
    await page.locator(".pb-start").click()
    done = ".pb-restart:visible, .pb-next:visible, .pb-message .pb-error"
    await page.locator(done).first.wait_for()
    if await page.locator(".pb-message .pb-error").is_visible():
        run.lost_facts = True  # Start refused a fact that was typed
        raise RuntimeError("Start refused the typed facts")
    await page.locator(".pb-restart:visible, .pb-next:visible").first.wait_for()
    while await page.locator(".pb-restart").is_hidden():
        if await page.locator(".pb-options").is_visible():
            await page.locator(".pb-options .widget-radio-box label").first.click()
        await page.locator(".pb-next:not([disabled])").wait_for(state="visible")
        review = await page.locator(".pb-review").text_content()
        run.steps_ms.append(await page.evaluate(TIMED_CLICK, [".pb-next", ".pb-step"]))
        await page.wait_for_function(
            "(before) => document.querySelector('.pb-review').textContent !== before",
            arg=review,
        )
    run.outcome = True


async def staff_member(
    browser: object, url: str, delay: float, usable_timeout: float, pages: list
) -> PageRun:
    """Open the page after ``delay`` s, wait until usable, walk to an outcome."""
    await asyncio.sleep(delay)
    run = PageRun()
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(usable_timeout * 1000)
    pages.append((context, page))
    t0 = time.perf_counter()
    try:
        await page.goto(url, wait_until="commit")
        await page.locator(".pb-disputes .widget-radio-box label").first.wait_for(state="visible")
        run.usable_s = time.perf_counter() - t0
        run.kernel_id = await page.evaluate(KERNEL_ID)
        await walk(page, run, SCENARIO_TITLE)
    except Exception as err:  # a bench reports what went wrong and carries on
        run.error = f"{type(err).__name__}: {str(err).splitlines()[0][:120]}"
    return run


async def close_all(pages: list) -> None:
    """Close like visitors do, so Voilà's unload beacon shuts the kernels down."""
    for context, page in pages:
        try:
            await page.close(run_before_unload=True)
            await context.close()
        except Exception as err:  # a crashed page must not stop the others closing
            print(f"  close failed: {err}")


async def run_all(server: VoilaServer, args: argparse.Namespace) -> tuple[PageRun, list]:
    """The single page alone, then the burst."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        pages: list = []
        alone = await staff_member(browser, server.url, 0, args.usable_timeout, pages)
        await close_all(pages)
        await asyncio.to_thread(wait_idle, server)  # the pool refilled, the page shut down
        pages = []
        burst = await asyncio.gather(
            *(
                staff_member(browser, server.url, i * args.gap, args.usable_timeout, pages)
                for i in range(args.pages)
            )
        )
        await close_all(pages)
        await browser.close()
    return alone, list(burst)


def pct(values: list[float], q: int) -> float:
    """The q-th percentile (nearest rank; the max for small samples)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def report(args: argparse.Namespace, alone: PageRun, burst: list[PageRun], extra: dict) -> bool:
    """Print the figures of one server; True when every target is met."""
    n = len(burst)
    usable = [r.usable_s for r in burst if r.usable_s is not None]
    steps = [ms for r in burst for ms in r.steps_ms]
    base = alone.usable_s or float("nan")
    base_step = statistics.median(alone.steps_ms) if alone.steps_ms else float("nan")
    mib_per_page = extra["peak_mib"] / n
    ok = {
        "usable": len(usable) == n,
        "left": extra["left"] <= TARGETS["kernels_left"],
        "mem": mib_per_page <= TARGETS["mib_per_page"],
    }
    print()
    print(f"== {extra['label']}: {n} pages {args.gap} s apart, PLAYBOOK_POOL={extra['pool']}")
    print(f"  voila args: {' '.join(args.voila_arg) or '(project config only)'}")
    print(
        f"idle pool before the burst  {extra['pool_kernels']} kernel(s), "
        f"{extra['pool_mib']:.0f} MiB RSS"
    )
    print(f"pages usable              {len(usable)}/{n}   {'OK' if ok['usable'] else 'MISS'}")
    print(f"walked to an outcome      {sum(r.outcome for r in burst)}/{n}")
    typed = [r for r in burst if r.lost_facts is not None]
    lost = sum(bool(r.lost_facts) for r in typed)
    ok["lost"] = lost == 0 and len(typed) == n
    print(
        f"sessions that lost typed facts {lost}/{len(typed)} (typed at {KEY_DELAY_MS} ms a key; "
        f"alone: {'lost' if alone.lost_facts else 'none lost'})   {'OK' if ok['lost'] else 'MISS'}"
    )
    print(f"single page alone         usable {base:.2f} s, Next p50 {base_step:.0f} ms")
    print(
        f"time to usable            p50 {pct(usable, 50):.2f} s ({pct(usable, 50) / base:.1f}x), "
        f"p95 {pct(usable, 95):.2f} s ({pct(usable, 95) / base:.1f}x alone)"
    )
    print(
        f"click -> next step        p50 {pct(steps, 50):.0f} ms, p95 {pct(steps, 95):.0f} ms "
        f"({pct(steps, 95) / base_step:.1f}x alone p50; n={len(steps)})"
    )
    print(
        f"peak memory server+kernels {extra['peak_mib']:.0f} MiB = {mib_per_page:.0f} MiB per "
        f"open page (target <= {TARGETS['mib_per_page']:.0f})   {'OK' if ok['mem'] else 'MISS'}"
    )
    print(
        f"page kernels left {LEFT_AFTER_S:.0f} s after the tabs closed: {extra['left']}   "
        f"{'OK' if ok['left'] else 'MISS'}  (and the refilled pool: {extra['pool_after']} "
        f"kernel(s), {extra['pool_after_mib']:.0f} MiB)"
    )
    cpu = extra["cpu"]
    print(
        f"CPU seconds: server + kernels {cpu['server']:.0f} ({cpu['server'] / (n + 1):.1f} "
        f"per page), browsers {cpu['browser']:.0f}"
    )
    for line, count in extra["log"].items():
        print(f'server log "{line}": {count}')
    for i, r in enumerate(burst):
        if r.error:
            print(f"  page {i + 1}: {r.error}")
    print("  usable s:", " ".join(f"{r.usable_s:.1f}" if r.usable_s else "-" for r in burst))
    return all(ok.values())


def run_server(args: argparse.Namespace, label: str, pool: str) -> tuple[PageRun, list, dict]:
    """One server with ``pool``: the idle pool, the page alone, the burst, the leftovers."""
    log_path = OUT / f"voila-load-{label.replace(' ', '-')}.log"
    with tempfile.TemporaryDirectory(prefix="pb-load-") as tmp:
        env = {
            "PLAYBOOK_VAR_DIR": tmp,
            "PLAYBOOK_DB_URL": f"sqlite:///{tmp}/cases.sqlite3",
            "PLAYBOOK_POOL": pool,
        }
        server = start_voila(PAGES, log_path, tuple(args.voila_arg), extra_env=env)
        try:
            wait_idle(server)  # the pool has run its pages and waits
            idle = kernels(server)
            pool_mib = rss_mib(list(idle.values()))
            with MemoryPeak(server.process.pid) as memory:
                alone, burst = asyncio.run(run_all(server, args))
            time.sleep(LEFT_AFTER_S)
            after = kernels(server)
            after_mib = {kid: rss_mib([proc]) for kid, proc in after.items()}  # while running
        finally:
            server.stop()
    taken = {r.kernel_id for r in [alone, *burst] if r.kernel_id}
    left = [kid for kid in after if kid in taken]
    pooled = [kid for kid in after if kid not in taken]
    log = log_path.read_text(encoding="utf-8", errors="replace")
    extra = {
        "label": label,
        "pool": pool,
        "pool_kernels": len(idle),
        "pool_mib": pool_mib,
        "peak_mib": memory.peak / 2**20,
        "left": len(left),
        "pool_after": len(pooled),
        "pool_after_mib": sum(after_mib[kid] for kid in pooled),
        "log": {line: log.count(line) for line in LOG_LINES},
        "cpu": {side: memory.cpu_seconds(side) for side in ("server", "browser")},
    }
    return alone, burst, extra


def main() -> int:
    """Run the burst and print the report; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--gap", type=float, default=0.5)
    parser.add_argument("--usable-timeout", type=float, default=90.0)
    parser.add_argument("--pool", default="staff=2", help="PLAYBOOK_POOL of the pooled run")
    parser.add_argument("--voila-arg", action="append", default=[])
    args = parser.parse_args()
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} not found: run `make system` (or `apt-get install chromium`).")
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    started = dt.datetime.now(dt.UTC)
    load_before = load_average()
    results = [
        (label, *run_server(args, label, pool))
        for label, pool in (("with the pool", args.pool), ("without a pool", "staff=0"))
    ]
    print(f"Team burst, started {started:%Y-%m-%d %H:%M} UTC")
    print(f"  load before: {load_before}")
    print(f"  load after:  {load_average()}")
    ok = [report(args, alone, burst, extra) for _, alone, burst, extra in results]
    print()
    print("time to usable, p50 / p95 (s):")
    for label, _alone, burst, _extra in results:
        usable = [r.usable_s for r in burst if r.usable_s is not None]
        p50, p95 = pct(usable, 50), pct(usable, 95)
        print(f"  {label:<15} {p50:6.2f} / {p95:6.2f}   ({len(usable)}/{len(burst)} usable)")
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main())
