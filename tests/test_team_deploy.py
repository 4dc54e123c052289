"""The team server's parts that need no hub: landing by role, the memory cap, the deploy files."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import yaml

from playbook.config import REPO_ROOT

DEPLOY = REPO_ROOT / "deploy"
sys.path.insert(0, str(DEPLOY))

import team_server  # noqa: E402  (deploy/ is not a package: after the sys.path line)

GROW = """
import sys, time
sys.path.insert(0, {deploy!r})
from team_server import limit_memory
limit_memory({limit})
try:
    block = bytearray({size})
except MemoryError:
    print("MemoryError")
    sys.exit(3)
print("allocated")
"""


def run(limit: int, size: int) -> subprocess.CompletedProcess:
    code = GROW.format(deploy=str(DEPLOY), limit=limit, size=size)
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )


def test_memory_cap_stops_one_process_not_its_neighbour() -> None:
    mib = 1 << 20
    capped = subprocess.Popen(
        [sys.executable, "-c", GROW.format(deploy=str(DEPLOY), limit=300 * mib, size=600 * mib)],
        stdout=subprocess.PIPE,
        text=True,
    )
    neighbour = run(0, 600 * mib)  # another user's server, at the same time, no cap reached
    out, _ = capped.communicate(timeout=60)
    assert (capped.returncode, out.strip()) == (3, "MemoryError")
    assert (neighbour.returncode, neighbour.stdout.strip()) == (0, "allocated")
    assert run(300 * mib, 100 * mib).stdout.strip() == "allocated"  # under the cap: fine


def test_landing_by_role() -> None:
    assert team_server.landing("analyst") == "lab"
    assert team_server.landing("analyst,staff") == "lab"
    assert team_server.landing("trainer") == "training"
    assert team_server.landing("staff,trainer") == "staff"
    assert team_server.landing("lead") == "staff"
    assert team_server.landing("") == "staff"  # no role: the staff page, which refuses all


def test_z2jh_values_and_image_use_the_project_files() -> None:
    values = yaml.safe_load((DEPLOY / "z2jh-values.yaml").read_text(encoding="utf-8"))
    profiles = {p["slug"] for p in values["singleuser"]["profileList"]}
    assert {"staff", "analyst"} <= profiles
    assert values["hub"]["db"]["type"] == "postgres"
    assert "PLAYBOOK_DB_URL" in values["singleuser"]["extraEnv"]
    assert values["singleuser"]["extraEnv"]["PLAYBOOK_POOL_REFILL"] in ("0", "1")  # said, not left
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert "environment.yml" in dockerfile


def test_page_servers_serve_their_own_folder_of_preheated_pages() -> None:
    for kind in ("staff", "training"):
        url, config, folder = team_server.LANDINGS[kind]
        assert (folder / url.rsplit("/", 1)[1]).is_file(), kind  # the landing page is there
        assert not (folder / "analyst.ipynb").exists()
        assert config == DEPLOY / "jupyter" / "pages"
    pages = (DEPLOY / "jupyter" / "pages" / "jupyter_server_config.py").read_text("utf-8")
    assert 'kernel_manager_class = "page_pool.PagePoolKernelManager"' in pages
    assert '"page_pool": True' in pages
    assert "c.VoilaKernelManager.fill_delay = FILL_DELAY_S\n" in pages  # as make serve's
    # A taken page is preheated again unless the hub's TEAM_POOL_REFILL says 0.
    assert 'refill = os.environ.get("PLAYBOOK_POOL_REFILL", "1") != "0"' in pages
    hub = (DEPLOY / "jupyterhub_config.py").read_text("utf-8")
    assert '"PLAYBOOK_POOL_REFILL": env.get("TEAM_POOL_REFILL", "1")' in hub


def test_a_page_server_preheats_a_taken_page_again_only_with_refill(tmp_path) -> None:
    """Filled when the server starts; after a page is taken, again only with ``refill``.

    The page server's own kernel manager on a server app that is not started: a kernel
    start is counted, not made (what is under test is when the pool fills, not Voilà's
    rendering, which the hub's browser tests cover).
    """
    import page_pool
    from jupyter_server.serverapp import ServerApp

    from playbook.ui.landing import pool_sizes

    (tmp_path / "staff.ipynb").write_text(
        '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}', "utf-8"
    )

    async def walk(refill: bool) -> tuple[list[int], int]:
        app = ServerApp(root_dir=str(tmp_path))
        manager = page_pool.PagePoolKernelManager(
            parent=app, kernel_pools_config=pool_sizes("staff=1"), refill=refill
        )
        started: list[str] = []

        async def start(notebook_name: str, kernel_id: object = None, **_: object) -> dict:
            started.append(notebook_name)
            return {"kernel_id": f"k{len(started)}"}

        manager._initialize = start  # counts the kernels the pool would start
        sizes = [manager.get_pool_size("staff.ipynb")]  # nothing before the web app is up
        manager.start_pools()
        sizes.append(manager.get_pool_size("staff.ipynb"))
        # What Voilà's render does with a pool page: take it, then ask for a refill.
        await manager._pools["staff.ipynb"].pop(0)
        manager.fill_if_needed(delay=0, notebook_name="staff.ipynb")
        sizes.append(manager.get_pool_size("staff.ipynb"))
        for task in manager._pools["staff.ipynb"]:
            await task
        return sizes, len(started)

    # In a thread of its own: a browser test in this process may have left an event loop
    # running in this one (Playwright's sync API).
    with ThreadPoolExecutor(1) as thread:
        assert thread.submit(asyncio.run, walk(True)).result() == ([0, 1, 1], 2)
        assert thread.submit(asyncio.run, walk(False)).result() == ([0, 1, 0], 1)
