"""Browser-test fixtures: one real Voilà server per session, Debian's Chromium, a page per test.

The server serves notebooks/pages/ with the project's Jupyter config and directories, as
``make serve`` does (preheated staff pages, the landing page at its root address), on a free
loopback port; it is stopped by PID. A failing test leaves a screenshot and the server log in
test-artifacts/. Under pytest-xdist each worker process has its own server and browser.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from playbook.config import REPO_ROOT

pytest.register_assert_rewrite("tests.browser.helpers")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VOILA = REPO_ROOT / ".venv" / "bin" / "voila"
PAGES = REPO_ROOT / "notebooks" / "pages"  # what `make serve` serves
NOTEBOOK = PAGES / "staff.ipynb"
# The session server's pools: two staff pages preheated (as `make serve`), no lessons pool
# (the lessons tests run their own server on their own store).
SESSION_POOL = "staff=2"
ARTIFACTS = REPO_ROOT / "test-artifacts"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
# Generous because the first page view waits for a fresh kernel; passing tests never wait it.
UI_TIMEOUT_MS = 30_000
# A page past the pool waits for a kernel to start; with both test workers and other work on
# the machine's two cores that has taken 47 s. A wait for the page, never a sleep.
PAGE_LOAD_MS = 90_000


def jupyter_env(root: Path = REPO_ROOT) -> dict[str, str]:
    """The environment ``make serve`` gives Voilà: project config, state kept under var/."""
    env = dict(os.environ)
    env.update(
        JUPYTER_PLATFORM_DIRS="1",
        JUPYTER_CONFIG_DIR=str(root / "config" / "jupyter"),
        JUPYTER_PATH=str(root / "share" / "jupyter"),  # the page template (playbook)
        JUPYTER_RUNTIME_DIR=str(root / "var" / "jupyter" / "runtime"),
        JUPYTER_DATA_DIR=str(root / "var" / "jupyter" / "data"),
        IPYTHONDIR=str(root / "var" / "ipython"),
    )
    return env


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class VoilaServer:
    """A running Voilà process (stop it with :meth:`stop`); ``env`` is what it was given."""

    process: subprocess.Popen
    port: int
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    url: str = field(init=False)

    def __post_init__(self) -> None:
        self.url = f"http://127.0.0.1:{self.port}/"

    def page_url(self, notebook: str = "staff.ipynb", query: str = "") -> str:
        """The address of a served page (folder servers), with ``query`` (``a=1&b=2``)."""
        return f"{self.url}voila/render/{notebook}" + (f"?{query}" if query else "")

    def preheated(self, kernel_id: str) -> bool:
        """Whether the page of ``kernel_id`` was taken from Voilà's pool (the server's log)."""
        log = self.log_path.read_text(encoding="utf-8", errors="replace")
        return f"Using pre-heated kernel: {kernel_id}" in log

    def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        """Wait until the port accepts a TCP connection.

        Never probe "/" for readiness: every GET of the page starts a kernel.
        """
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"voila exited with {self.process.returncode} before listening; "
                    f"see {self.log_path}:\n{self.log_tail()}"
                )
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"voila did not listen on port {self.port} within {timeout:.0f} s; "
                        f"see {self.log_path}:\n{self.log_tail()}"
                    ) from None
                time.sleep(0.05)

    def stop(self) -> None:
        """SIGTERM (Voilà then shuts its kernels down), wait; kill the process group if stuck."""
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(STOP_TIMEOUT)

    def log_tail(self, lines: int = 30) -> str:
        """The end of the server log, for error messages."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def start_voila(
    notebook: Path,
    log_path: Path,
    extra_args: tuple[str, ...] = (),
    extra_env: dict[str, str] | None = None,
    root: Path = REPO_ROOT,
) -> VoilaServer:
    """Start Voilà on ``notebook`` like ``make serve`` does, on a free loopback port."""
    port = free_port()
    env = jupyter_env(root)
    env.update(extra_env or {})
    for key in ("JUPYTER_RUNTIME_DIR", "JUPYTER_DATA_DIR", "IPYTHONDIR"):
        Path(env[key]).mkdir(parents=True, exist_ok=True)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    cmd = [
        str(VOILA),
        "--no-browser",
        "--Voila.ip=127.0.0.1",
        f"--port={port}",
        *extra_args,
        str(notebook),
    ]
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            cmd,
            cwd=root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = VoilaServer(process, port, log_path, dict(extra_env or {}))
    try:
        server.wait_ready()
    except BaseException:
        server.stop()
        raise
    return server


def worker_suffix() -> str:
    """``-gw0`` under pytest-xdist (each worker's logs apart), else nothing."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return f"-{worker}" if worker else ""


def require_chromium() -> None:
    """Skip (locally) or fail (CI) when Debian's Chromium is not installed."""
    if CHROMIUM.exists():
        return
    message = (
        f"{CHROMIUM} not found: run `make system` (or `apt-get install chromium`) "
        "to run the browser tests"
    )
    if os.environ.get("CI") or os.environ.get("PLAYBOOK_REQUIRE_ALL_TESTS"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def voila_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VoilaServer]:
    """The served pages (notebooks/pages/) on a real Voilà for the whole session.

    Tracebacks are shown (house style for browser tests), so a broken cell is visible in the
    failure screenshot, and the case store is a fresh SQLite file, so the project's own
    var/cases.sqlite3 is never touched; everything else is the project's served config.
    """
    require_chromium()
    var = tmp_path_factory.mktemp("playbook-var")
    server = start_voila(
        PAGES,
        ARTIFACTS / f"voila{worker_suffix()}.log",
        extra_args=("--VoilaConfiguration.show_tracebacks=True",),
        extra_env={
            "PLAYBOOK_VAR_DIR": str(var),
            "PLAYBOOK_DB_URL": f"sqlite:///{var / 'cases.sqlite3'}",
            "PLAYBOOK_POOL": SESSION_POOL,
        },
    )
    # A CI timeout sends SIGTERM: turn it into KeyboardInterrupt so this teardown still runs
    # and the server (in its own session) is not orphaned.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield server
    finally:
        server.stop()
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@pytest.fixture(scope="session")
def team_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A real team hub (deploy/jupyterhub_config.py) for the whole session (per xdist worker).

    Test modules add their own people (``TeamHub.add_person``) with names of their own.
    """
    from tests.team_hub import TeamHub

    require_chromium()
    team = TeamHub(tmp_path_factory.mktemp("team-hub")).start()
    try:
        yield team
    finally:
        team.stop()
        ARTIFACTS.mkdir(exist_ok=True)
        log = team.log_path.read_text(errors="replace")
        (ARTIFACTS / f"team-hub{worker_suffix()}.log").write_text(log)


@pytest.fixture
def context(browser: object) -> Iterator[Callable[[], object]]:
    """New browser contexts (one per person: each holds one hub sign-in), closed after.

    Timeouts are a first page's on the hub (``SPAWN_MS``: spawn the server, start a kernel).
    """
    from playwright.sync_api import expect

    from tests.team_hub import SPAWN_MS

    made = []

    def new() -> object:
        ctx = browser.new_context(viewport={"width": 1100, "height": 900})
        ctx.set_default_timeout(SPAWN_MS)
        made.append(ctx)
        return ctx

    expect.set_options(timeout=SPAWN_MS)
    try:
        yield new
    finally:
        for ctx in made:
            ctx.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium driven by Playwright (never ``playwright install``)."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class StaffPage:
    """A fresh browser page on the staff app, with the dialogs it raised."""

    page: object
    url: str
    dialogs: list[str] = field(default_factory=list)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> object:
    """Keep each phase's report on the item so fixtures can see whether the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def staff(
    request: pytest.FixtureRequest, voila_server: VoilaServer, browser: object
) -> Iterator[StaffPage]:
    """A new browser context and page, loaded until the start button is visible."""
    from playwright.sync_api import expect

    expect.set_options(timeout=UI_TIMEOUT_MS)
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.set_default_timeout(UI_TIMEOUT_MS)
    staff_page = StaffPage(page, voila_server.url)

    def on_dialog(dialog: object) -> None:
        staff_page.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    try:
        page.goto(voila_server.url, wait_until="commit")
        page.locator(".pb-start").wait_for(state="visible", timeout=PAGE_LOAD_MS)
        yield staff_page
    finally:
        failed = any(
            getattr(request.node, f"rep_{when}", None) is not None
            and getattr(request.node, f"rep_{when}").failed
            for when in ("setup", "call")
        )
        if failed:
            save_artifacts(request.node.nodeid, page, voila_server)
        page.close(run_before_unload=True)  # fires Voilà's kernel-shutdown beacon
        context.close()


# Accessibility results (axe-core) of the browser tests, printed at the end of the run.
AXE_SUMMARY: list[str] = []


def pytest_terminal_summary(terminalreporter: object) -> None:
    """The axe-core counts per page (test-artifacts/axe/ has each violation)."""
    if AXE_SUMMARY:
        terminalreporter.section("axe-core: violations by impact (nodes)")
        for line in AXE_SUMMARY:
            terminalreporter.write_line(line)


def save_artifacts(nodeid: str, page: object, server: VoilaServer) -> None:
    """Screenshot and HTML of the failing page, plus a copy of the server log so far."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid)
    try:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        (ARTIFACTS / f"{name}.html").write_text(page.content(), encoding="utf-8")
    except Exception as err:  # a crashed page must not hide the test's own failure
        (ARTIFACTS / f"{name}.screenshot-error.txt").write_text(str(err), encoding="utf-8")
    if server.log_path.exists():
        shutil.copyfile(server.log_path, ARTIFACTS / f"{name}.voila.log")
