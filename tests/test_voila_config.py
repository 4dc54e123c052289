"""The served Voilà config keeps Voilà's safe defaults (config/jupyter/voila.json).

Voilà hides notebook sources and tracebacks by default and never stops a kernel on its own;
the project config must keep the first two and add culling (stack.md §4, §7.1). The config is
resolved the way ``make serve`` resolves it: Voilà's own loader, the Makefile's
JUPYTER_CONFIG_DIR, the repository as the working directory.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from playbook.config import REPO_ROOT
from playbook.i18n import text
from playbook.ui.landing import FILL_DELAY_S

CONFIG_DIR = REPO_ROOT / "config" / "jupyter"
VOILA_JSON = CONFIG_DIR / "voila.json"
MAKEFILE = REPO_ROOT / "Makefile"
SHARE = REPO_ROOT / "share" / "jupyter"
TEMPLATE = SHARE / "voila" / "templates" / "playbook"


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> object:
    """Voilà's app config as it would load for ``make serve``."""
    from voila.app import Voila
    from voila.configuration import VoilaConfiguration

    monkeypatch.chdir(REPO_ROOT)  # voila also reads voila.(py|json) in the working directory
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(CONFIG_DIR))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    monkeypatch.setenv("JUPYTER_PATH", str(SHARE))
    app = Voila()
    app.load_config_file("voila", path=app.config_file_paths)
    app.voila_configuration = VoilaConfiguration(parent=app)
    app.setup_template_dirs()
    return app


def test_file_is_plain_json_with_known_sections() -> None:
    config = json.loads(VOILA_JSON.read_text(encoding="utf-8"))
    assert set(config) <= {
        "Voila",
        "VoilaConfiguration",
        "VoilaExecutor",
        "KernelManager",
        "MappingKernelManager",
    }


def test_sources_and_tracebacks_stay_hidden(served: object) -> None:
    assert served.voila_configuration.strip_sources is True
    assert served.voila_configuration.show_tracebacks is False


def test_idle_kernels_are_culled(served: object) -> None:
    # Every page view starts a kernel and Voilà's shutdown beacon is unreliable (voila#1458).
    kernels = served.config.MappingKernelManager
    assert 0 < kernels.cull_idle_timeout <= 3600
    assert 0 < kernels.cull_interval <= kernels.cull_idle_timeout
    assert kernels.get("cull_connected", False) is False  # an open tab keeps its kernel


def test_listens_on_loopback_only(served: object) -> None:
    # There is no login: exposing the page needs an authenticating proxy in front.
    assert served.ip in ("127.0.0.1", "localhost", "::1")


def test_no_config_in_working_directory_overrides_it() -> None:
    for name in ("voila.json", "voila.py"):
        assert not (REPO_ROOT / name).exists(), f"{name} at the repo root overrides {VOILA_JSON}"


def test_make_serve_does_not_switch_the_defaults_off() -> None:
    serve = re.search(r"^serve:.*?(?=^\S)", MAKEFILE.read_text(encoding="utf-8"), re.M | re.S)
    assert serve is not None, "no serve target in the Makefile"
    recipe = serve.group(0)
    assert "JUPYTER_CONFIG_DIR" in MAKEFILE.read_text(encoding="utf-8")
    for unsafe in ("strip_sources=False", "show_tracebacks=True", "Voila.ip=0.0.0.0"):
        assert unsafe not in recipe


def test_config_dir_is_the_one_the_makefile_exports() -> None:
    exported = re.search(
        r"^export JUPYTER_CONFIG_DIR\s*:?=\s*\$\(CURDIR\)/(\S+)", MAKEFILE.read_text("utf-8"), re.M
    )
    assert exported is not None
    assert Path(REPO_ROOT / exported.group(1)) == CONFIG_DIR


def test_a_slow_kernel_under_a_burst_still_gets_its_widget(served: object) -> None:
    # Voilà serves the page without the widget when the notebook's output takes longer than
    # VoilaExecutor.iopub_timeout (default 4 s): half the pages of a burst of 20 at the default.
    assert served.config.VoilaExecutor.iopub_timeout >= 30


def test_kernels_start_without_tcp_ports(served: object) -> None:
    # Kernels that start together could pick the same free TCP port ("Address already in
    # use"); unix sockets (one folder per kernel) cannot clash.
    assert served.config.KernelManager.transport == "ipc"


def test_the_page_uses_the_project_template(served: object) -> None:
    assert served.voila_configuration.template == "playbook"
    assert str(TEMPLATE) in served.template_paths
    assert served.template_paths.index(str(TEMPLATE)) == 0  # before lab's own files


def test_makefile_exports_the_template_folder() -> None:
    exported = re.search(
        r"^export JUPYTER_PATH\s*:?=\s*\$\(CURDIR\)/(\S+)", MAKEFILE.read_text("utf-8"), re.M
    )
    assert exported is not None
    assert Path(REPO_ROOT / exported.group(1)) == SHARE


@pytest.mark.parametrize("key", ["page.starting", "page.start_failed", "page.reload"])
def test_template_texts_are_the_catalogue_texts(key: str) -> None:
    # Shown before any Python runs, so the template carries them; they must not drift.
    page = (TEMPLATE / "index.html.j2").read_text(encoding="utf-8")
    assert f'["{text(key, "zh")}", "{text(key, "en")}"]' in page


def test_the_page_script_uses_no_other_server() -> None:
    assert not re.search(r"https?://", (TEMPLATE / "pb_page.js").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("page", "key"),
    [
        ("staff.ipynb", "lessons.to_staff"),
        ("lessons.ipynb", "lessons.to_lessons"),
        ("training.ipynb", "page.to_training"),
    ],
)
def test_landing_links_are_the_catalogue_texts(page: str, key: str) -> None:
    landing = (TEMPLATE / "tree-lab.html").read_text(encoding="utf-8")
    assert f'"{page}": ["{text(key, "zh")}", "{text(key, "en")}"]' in landing


@pytest.mark.parametrize("key", ["page.landing", "page.landing_none"])
def test_landing_texts_are_the_catalogue_texts(key: str) -> None:
    landing = (TEMPLATE / "tree-lab.html").read_text(encoding="utf-8")
    assert f"{text(key, 'zh')} / {text(key, 'en')}" in landing


def test_the_served_config_preheats_the_pages(served: object) -> None:
    # Preheated pages: kernels that already ran the page wait for its request, and the pool
    # refills FILL_DELAY_S after a page is taken, not while it is being opened.
    # prelaunch_hook cannot be combined with that (Voilà refuses).
    assert served.voila_configuration.preheat_kernel is True
    assert served.voila_configuration.prelaunch_hook is None
    pools = served.config.VoilaKernelManager.kernel_pools_config
    assert pools["default"]["pool_size"] == 0  # only the pages named in PLAYBOOK_POOL
    assert pools["staff.ipynb"]["pool_size"] >= 1
    assert served.config.VoilaKernelManager.fill_delay == FILL_DELAY_S > 0


def test_make_serve_serves_the_pages_folder() -> None:
    serve = re.search(r"^serve:.*?(?=^\S)", MAKEFILE.read_text(encoding="utf-8"), re.M | re.S)
    assert serve is not None
    assert re.search(r"voila .*notebooks/pages/\s*$", serve.group(0), re.M)
    assert "PLAYBOOK_POOL=$(POOL)" in serve.group(0)
