"""The served pages: where a visitor lands, which pages their roles open, how many are preheated.

A Voilà server serving a folder of pages (``make serve``: notebooks/pages/; a team page
server: the same, or notebooks/training/) answers its root address with the playbook
template's landing page (share/jupyter/voila/templates/playbook/tree-lab.html) instead of a
file listing. ``landing_hook`` is Voilà's ``page_config_hook``: it tells that page which of
the served pages the visitor may open, in landing order (the first is where they are sent).
On a team server the server's own environment names the signed-in person and their roles
(``JUPYTERHUB_USER``, ``PLAYBOOK_ROLES``); on one machine there is no sign-in and every
served page is offered.

``pool_sizes`` reads ``PLAYBOOK_POOL`` (``staff=2,lessons=1``): how many kernels of each page
Voilà keeps preheated (config/jupyter/voila.py, deploy/jupyter/pages/); ``FILL_DELAY_S`` is
how long a taken page's pool waits before it starts the next one.

Light on purpose: the Voilà server process imports it (no widgets, no library).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from playbook.cases.roles import Identity, identity_from_env

# Every page a server may serve, in landing order, with the action its visitor needs
# (``playbook.cases.roles.GRANTS``).
PAGES: Mapping[str, str] = {
    "staff.ipynb": "open",
    "lessons.ipynb": "lessons",
    "training.ipynb": "training",
}


def may_open(page: str, identity: Identity | None) -> bool:
    """Whether ``identity`` may open ``page`` (one machine, no sign-in: every page)."""
    return identity is None or identity.may(PAGES[page])


def landing_pages(folder: Path, identity: Identity | None) -> list[str]:
    """The pages in ``folder`` that ``identity`` may open, in landing order."""
    return [name for name in PAGES if (folder / name).is_file() and may_open(name, identity)]


def landing_hook(page_config: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Voilà's ``page_config_hook``: add ``playbookPages`` (what the landing page offers).

    Called for the landing page and for every rendered page (the list is only page names).
    The served folder is the contents manager's root (``settings``).
    """
    settings = kwargs.get("settings") or {}
    manager = settings.get("contents_manager")
    root = Path(getattr(manager, "root_dir", "") or os.getcwd())
    page_config["playbookPages"] = landing_pages(root, identity_from_env(os.environ))
    return page_config


# Seconds between a preheated page being taken and its pool starting the next one. A new
# kernel runs the whole page (imports, library, widgets: about a second of one core); started
# at once it competes with the page being opened, which is drawn within about 1.5 s (on one
# 2-core machine serving the browser too, bench_page: from the pool 1.59-2.26 s at once,
# 1.43-1.50 s with this delay). The cost: a visitor arriving within the delay after the pool
# ran out waits for it.
FILL_DELAY_S = 1.5


def pool_sizes(spec: str) -> dict[str, dict[str, int]]:
    """Voilà's ``kernel_pools_config`` from ``staff=2,lessons=1``: no pool for other pages.

    Raises:
        ValueError: a part is not ``page=N`` with a page of ``PAGES`` and N ≥ 0.
    """
    pools = {"default": {"pool_size": 0}}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        page, _, size = item.partition("=")
        name = f"{page.strip()}.ipynb"
        if name not in PAGES or not size.strip().isdigit():
            pages = ", ".join(p[: -len(".ipynb")] for p in PAGES)
            raise ValueError(f"PLAYBOOK_POOL: {item!r} is not page=N (pages: {pages})")
        pools[name] = {"pool_size": int(size)}
    return pools
