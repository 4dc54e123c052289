"""Preheated pages on the team hub's page servers: Voilà's kernel pool inside jupyter_server.

Standalone Voilà (``make serve``) keeps a pool of kernels per page that have already run the
page's notebook and wait for a request (``preheat_kernel``). Voilà's server extension, which
the hub's page servers run (voila 0.5), has no pool. This module gives them the same one:

- ``PagePoolKernelManager`` (``ServerApp.kernel_manager_class``) is Voilà's own pooling kernel
  manager, given what it reads from Voilà's app (``PoolHost``: the template, the served
  folder, the server's addresses) by jupyter_server's app. Its pools start once the web app
  is up (the renderer needs its settings).
- The server extension ``page_pool`` adds Voilà's request-info websocket
  (``/voila/query/<kernel id>``): a pool kernel learns there the request that took it.

Voilà's render handler (its extension's ``/voila/render/...``) already serves a page from
the kernel manager's pool when there is one, and starts a kernel for the request otherwise.
Pool sizes: ``PLAYBOOK_POOL`` (``playbook.ui.landing.pool_sizes``), as for ``make serve``.

A page server belongs to one person. Its pool is filled when the server starts and again
after each page is taken (a second tab, a reload or a case link opened later is preheated
too), unless ``refill`` is off (``PLAYBOOK_POOL_REFILL=0``, the hub's ``TEAM_POOL_REFILL=0``):
then each person keeps no second page's kernel (about 90 MiB each) and a shift signing in at
once starts one kernel per person, not two (``bench_team.py``; the README's sizing, under
*Past one machine*).
"""

from __future__ import annotations

import logging
from typing import Any

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from jupyter_server.utils import url_path_join
from traitlets import Bool
from traitlets.config import Configurable
from voila.configuration import VoilaConfiguration
from voila.paths import collect_template_paths
from voila.request_info_handler import RequestInfoSocketHandler
from voila.server_extension import load_config_file
from voila.voila_kernel_manager import voila_kernel_manager_factory

from playbook.ui.landing import landing_hook

log = logging.getLogger("playbook.team")
KERNEL_ID = r"(?P<kernel_id>\w+-\w+-\w+-\w+-\w+)"


class PoolHost(Configurable):
    """What Voilà's pooling kernel manager reads from its app, answered by a jupyter_server.

    Anything not defined here (``root_dir``, ``base_url``, ``port``, the contents, config and
    kernel-spec managers, ``event_logger``) is the server app's own.
    """

    notebook_path = None  # a folder of pages is served, not one notebook

    def __init__(self, server_app: Configurable) -> None:
        """Stand between the server app and the kernel manager.

        Args:
            server_app: the page server's ``ServerApp``.
        """
        super().__init__(parent=server_app)
        self._server = server_app
        self._voila: VoilaConfiguration | None = None

    def __getattr__(self, name: str) -> Any:
        """The server app's attribute ``name``."""
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._server, name)

    @property
    def server_url(self) -> str:
        """Where the server is reached (its base URL, e.g. ``/user/amy/``)."""
        return self._server.base_url

    @property
    def app(self) -> Any:
        """The tornado application (the renderer reads its settings)."""
        return self._server.web_app

    @property
    def voila_configuration(self) -> VoilaConfiguration:
        """Voilà's settings, loaded as Voilà's server extension loads them."""
        if self._voila is None:
            self._voila = VoilaConfiguration(parent=self._server)
            local = load_config_file()
            if local is not None:
                self._voila.update_config(local)
        return self._voila

    @property
    def template_paths(self) -> list[str]:
        """The page template's folders (the playbook template, then the ones it extends)."""
        return collect_template_paths(["voila", "nbconvert"], self.voila_configuration.template)


_VoilaPool = voila_kernel_manager_factory(
    AsyncMappingKernelManager, True, 0, page_config_hook=landing_hook
)


class PagePoolKernelManager(_VoilaPool):
    """Voilà's pooling kernel manager on a jupyter_server (the hub's page servers)."""

    refill = Bool(
        True,
        config=True,
        help="Preheat a page again once one is taken (else only when the server starts).",
    )

    def __init__(self, **kwargs: Any) -> None:
        """Create the manager; the pools wait for ``start_pools`` (the web app must be up).

        Args:
            **kwargs: jupyter_server's arguments (``parent`` is the ``ServerApp``).
        """
        self._held: list[str] = []
        self._ready = False
        kwargs["parent"] = PoolHost(kwargs["parent"])
        super().__init__(**kwargs)

    def fill_if_needed(self, delay: float | None = None, notebook_name: str | None = None, **kw):
        """Voilà's fill, held back until ``start_pools``; after it only refills come here."""
        if not self._ready:
            self._held.append(notebook_name)
            return None
        if not self.refill:
            return None
        return super().fill_if_needed(delay=delay, notebook_name=notebook_name, **kw)

    async def get_rendered_notebook(self, notebook_name: str, *args: Any, **kwargs: Any) -> Any:
        """Voilà's page from the pool; the log says how many stay preheated after it."""
        taken = await super().get_rendered_notebook(notebook_name, *args, **kwargs)
        self.log.info(
            "page_pool: %s taken (kernel %s); %d preheated kept",
            notebook_name,
            taken[2],
            self.get_pool_size(notebook_name),
        )
        return taken

    def start_pools(self) -> None:
        """Fill every page's pool (called once the web app exists)."""
        self._ready = True
        for name in self._held:
            super().fill_if_needed(delay=0, notebook_name=name)
        self._held = []


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "page_pool"}]


def _load_jupyter_server_extension(server_app: Any) -> None:
    """Add Voilà's request-info websocket and start the pools."""
    manager = server_app.kernel_manager
    if not isinstance(manager, PagePoolKernelManager):
        log.warning("page_pool: the kernel manager is not PagePoolKernelManager; no pool")
        return
    route = url_path_join(server_app.base_url, rf"/voila/query/{KERNEL_ID}")
    server_app.web_app.add_handlers(".*$", [(route, RequestInfoSocketHandler)])
    manager.start_pools()
