"""A real team hub (deploy/jupyterhub_config.py) in a temporary folder, for tests and benches.

The hub runs as a subprocess on free loopback ports, with its state (hub database, cookie
secret, users' homes) and the case store in the folder given; it is stopped by PID. People
sign up and sign in through NativeAuthenticator's own pages; an admin approves them on its
``/hub/authorize`` page; groups are set through the hub's REST API with a token the test
config gives a service.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import requests

from playbook.config import REPO_ROOT

BIN = Path(sys.executable).parent
CHP = REPO_ROOT / "var" / "node" / "node_modules" / ".bin" / "configurable-http-proxy"
ADMIN = "admin"
ADMIN_PASSWORD = "Adm1n-not-common-8472"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0
SPAWN_MS = 120_000  # a person's first page in a browser: spawn the server, start a kernel, render

TEST_CONFIG = """\
load_subconfig({main!r})
c = get_config()
c.Spawner.poll_interval = 5  # notice a dead user server within seconds
# A service whose token lets the test set groups (the hub's REST API), nothing else.
c.JupyterHub.services.append({{"name": "team-test", "api_token": {token!r}}})
c.JupyterHub.load_roles.append(
    {{"name": "team-test", "scopes": ["admin:users", "admin:groups", "admin:servers", "tokens",
      "read:users:activity"], "services": ["team-test"]}}
)
"""


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def require_proxy() -> None:
    """configurable-http-proxy must be installed (``make team-setup``)."""
    if not CHP.exists():
        raise RuntimeError(f"{CHP} missing: run `make team-setup` (npm install under var/node)")


def xsrf(session: requests.Session, url: str) -> str:
    """GET a form page and return its ``_xsrf`` value (JupyterHub checks it on every POST)."""
    page = session.get(url, timeout=30)
    page.raise_for_status()
    found = re.search(r'name="_xsrf" value="([^"]+)"', page.text)
    return found.group(1) if found else session.cookies.get("_xsrf", "")


@dataclass
class TeamHub:
    """A running hub; ``url`` is the public address (the proxy)."""

    root: Path
    env_extra: dict[str, str] = field(default_factory=dict)
    port: int = 0
    token: str = field(default_factory=lambda: secrets.token_hex(16))
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """The hub's public address."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        """The hub's log (proxy, hub, services and user servers write here)."""
        return self.root / "hub.log"

    def start(self) -> TeamHub:
        """Start the hub and wait until it answers (bounded)."""
        require_proxy()
        self.root.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        config = self.root / "test_jupyterhub_config.py"
        main = str(REPO_ROOT / "deploy" / "jupyterhub_config.py")
        config.write_text(TEST_CONFIG.format(main=main, token=self.token), encoding="utf-8")
        env = {
            **os.environ,
            "TEAM_STATE": str(self.root / "state"),
            "TEAM_PORT": str(self.port),
            "TEAM_HUB_PORT": str(free_port()),
            "TEAM_PROXY_API_PORT": str(free_port()),
            "TEAM_ADMINS": ADMIN,
            "PLAYBOOK_DB_URL": f"sqlite:///{self.root / 'cases.sqlite3'}",
            "PYTHONPATH": str(REPO_ROOT),
            **self.env_extra,
        }
        with self.log_path.open("w", encoding="utf-8") as log:
            self.process = subprocess.Popen(
                [str(BIN / "jupyterhub"), "-f", str(config)],
                cwd=self.root,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"hub exited early; see {self.log_path}:\n{self.log_tail()}")
            try:
                if requests.get(f"{self.url}/hub/api/", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"hub not up in {START_TIMEOUT:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """Stop the hub by PID (it stops the proxy and the user servers), bounded."""
        if self.process is None or self.process.poll() is not None:
            return
        try:  # the culler service takes the hub's whole stop grace period: end it first
            for child in psutil.Process(self.process.pid).children():
                if "jupyterhub_idle_culler" in " ".join(child.cmdline()):
                    child.terminate()
        except psutil.Error:
            pass
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(STOP_TIMEOUT)

    def log_tail(self, lines: int = 40) -> str:
        """The end of the hub log."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    # --- the hub's REST API (as the test service) ---------------------------------------

    def api(self, method: str, path: str, **json: object) -> requests.Response:
        """Call ``/hub/api/<path>`` with the test service's token."""
        return requests.request(
            method,
            f"{self.url}/hub/api/{path}",
            headers={"Authorization": f"token {self.token}"},
            json=json or None,
            timeout=60,
        )

    def put_in_group(self, user: str, group: str) -> None:
        """Give ``user`` the role ``group`` (a hub group), creating the hub user if needed."""
        if self.api("GET", f"users/{user}").status_code == 404:
            self.api("POST", f"users/{user}").raise_for_status()
        self.api("POST", f"groups/{group}/users", users=[user]).raise_for_status()

    # --- NativeAuthenticator's pages ------------------------------------------------------

    def sign_up(self, user: str, password: str) -> str:
        """Fill in the sign-up form; returns the page's message."""
        s = requests.Session()
        token = xsrf(s, f"{self.url}/hub/signup")
        page = s.post(
            f"{self.url}/hub/signup",
            data={
                "_xsrf": token,
                "username": user,
                "signup_password": password,
                "signup_password_confirmation": password,
            },
            timeout=30,
        )
        page.raise_for_status()
        found = re.search(r'class="alert[^"]*"[^>]*>(.*?)</div>', page.text, re.S)
        if not found:
            return ""
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip()

    def sign_in(self, user: str, password: str) -> requests.Session:
        """Sign in through the login form; the session carries the hub cookie.

        Raises:
            PermissionError: the hub refused (its message in the error).
        """
        s = requests.Session()
        token = xsrf(s, f"{self.url}/hub/login")
        page = s.post(
            f"{self.url}/hub/login?next=",
            data={"_xsrf": token, "username": user, "password": password},
            timeout=120,
            allow_redirects=False,
        )
        if page.status_code != 302:
            found = re.search(r'class="login_error">(.*?)</p>', page.text, re.S)
            message = re.sub(r"\s+", " ", found.group(1)).strip() if found else ""
            raise PermissionError(message or f"HTTP {page.status_code}")
        return s

    def admin_session(self) -> requests.Session:
        """The admin, signed up (admins need no approval) and signed in."""
        if not getattr(self, "_admin", None):
            self.sign_up(ADMIN, ADMIN_PASSWORD)
            self._admin = self.sign_in(ADMIN, ADMIN_PASSWORD)
        return self._admin

    def approve(self, user: str) -> None:
        """The admin approves ``user`` on NativeAuthenticator's authorization page."""
        admin = self.admin_session()
        area = admin.get(f"{self.url}/hub/authorize", timeout=30)
        area.raise_for_status()
        assert f"/authorize/{user}" in area.text, f"{user} is not waiting for approval"
        admin.get(f"{self.url}/hub/authorize/{user}", timeout=30).raise_for_status()

    def add_person(self, user: str, password: str, group: str) -> None:
        """Sign up, approval by the admin, and the role group."""
        self.sign_up(user, password)
        self.approve(user)
        self.put_in_group(user, group)


def sign_in(context: object, hub: TeamHub, user: str, password: str) -> object:
    """The hub's sign-in form, in a fresh browser context (``context``: the fixture's maker)."""
    page = context().new_page()
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", password)
    page.click("#login_submit")
    return page
