"""The team server's parts that need no hub: landing by role, the memory cap, the deploy files."""

from __future__ import annotations

import subprocess
import sys

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
