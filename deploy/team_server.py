"""The team server's moving parts, used by deploy/jupyterhub_config.py and the user servers.

- ``PlaybookSpawner``: a local process per user (no system accounts), landing by hub group
  (analysts: JupyterLab on notebooks/analyst.ipynb; trainers: the training page, serving
  notebooks/training/; everyone else: the staff page, serving notebooks/pages/), with a memory
  limit per process and the user's roles in ``PLAYBOOK_ROLES``. Page servers keep preheated
  pages (deploy/page_pool.py).
- ``PageOnlyAuthorizer``: on page servers (staff, leads, trainers) the person may view pages and
  use their widgets, nothing else: no new kernels, no terminals, no file writes. Together with
  ``MappingKernelManager.allowed_message_types`` (no ``execute_request``) nobody on a page server
  can run code of their own.

Not part of the ``playbook`` package: it imports JupyterHub and jupyter_server.
"""

from __future__ import annotations

import logging
import resource
from pathlib import Path

from jupyterhub.singleuser.extension import JupyterHubAuthorizer
from jupyterhub.spawner import SimpleLocalProcessSpawner

from playbook.cases.roles import ROLES

DEPLOY = Path(__file__).resolve().parent
REPO = DEPLOY.parent

# Where each kind of user lands, the Jupyter config folder its server runs with, and the folder
# it serves (page servers: only the pages of that folder exist for them).
LANDINGS = {
    "lab": ("/lab/tree/notebooks/analyst.ipynb", DEPLOY / "jupyter" / "lab", REPO),
    "staff": (
        "/voila/render/staff.ipynb",
        DEPLOY / "jupyter" / "pages",
        REPO / "notebooks" / "pages",
    ),
    "training": (
        "/voila/render/training.ipynb",
        DEPLOY / "jupyter" / "pages",
        REPO / "notebooks" / "training",
    ),
}

# The only widget-page messages a browser may send to a kernel (as standalone Voilà allows).
PAGE_MESSAGES = [
    "comm_open",
    "comm_close",
    "comm_msg",
    "comm_info_request",
    "kernel_info_request",
    "shutdown_request",
]

log = logging.getLogger("playbook.team")


def roles_of(spawner: SimpleLocalProcessSpawner) -> str:
    """The user's hub groups that are playbook roles, comma-separated (``PLAYBOOK_ROLES``)."""
    return ",".join(sorted(g.name for g in spawner.user.groups if g.name in ROLES))


# The page server's own API token: posting activity and its OAuth (JupyterHub's default
# `server` role), plus, for leads, reading who is in the staff group (the staff page's
# assignee list). The hub gives a token only the scopes its user holds: the `staff-list`
# role (deploy/jupyterhub_config.py) gives them to the lead group.
SERVER_SCOPES = ("users:activity!user", "access:servers!server")
LEAD_SCOPES = ("read:groups!group=staff",)


def server_token_scopes(spawner: SimpleLocalProcessSpawner) -> list[str]:
    """The scopes of a user server's ``JUPYTERHUB_API_TOKEN`` (leads may read the staff list)."""
    scopes = list(SERVER_SCOPES)
    if "lead" in roles_of(spawner).split(","):
        scopes += LEAD_SCOPES
    return scopes


def landing(roles: str) -> str:
    """Which server a user gets: ``lab`` (analysts), ``training`` (trainers only), ``staff``."""
    held = set(filter(None, roles.split(",")))
    if "analyst" in held:
        return "lab"
    if held == {"trainer"}:
        return "training"
    return "staff"


def limit_memory(limit: int) -> None:
    """Cap this process's writable memory at ``limit`` bytes (inherited by its kernels).

    ``RLIMIT_DATA`` (heap and private writable mappings) rather than ``RLIMIT_AS``: threads'
    malloc arenas reserve address space they never use, and a 1 GiB ``RLIMIT_AS`` kills a
    kernel that imports pandas. The cap is per process: a kernel that allocates past it gets
    ``MemoryError`` (or dies) alone; other users' servers are other processes.
    """
    if limit > 0:
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


class PlaybookSpawner(SimpleLocalProcessSpawner):
    """One local process per user, landing by hub group, under a memory limit."""

    def _kind(self) -> str:
        return landing(roles_of(self))

    async def start(self) -> object:
        """Pick the landing page and config for the user's groups, then start the server."""
        kind = self._kind()
        self.default_url = LANDINGS[kind][0]
        self.notebook_dir = str(LANDINGS[kind][2])
        self.log.info("starting %s's %s server (roles: %s)", self.user.name, kind, roles_of(self))
        return await super().start()

    def get_env(self) -> dict[str, str]:
        """The hub's environment for the user server, plus the kind's Jupyter config."""
        env = super().get_env()
        env["JUPYTER_CONFIG_PATH"] = str(LANDINGS[self._kind()][1])
        return env

    def make_preexec_fn(self, name: str) -> object:
        """The home folder set-up of the simple spawner, then the memory limit."""
        parent = super().make_preexec_fn(name)
        limit = int(self.mem_limit or 0)

        def preexec() -> None:
            parent()
            limit_memory(limit)

        return preexec


class PageOnlyAuthorizer(JupyterHubAuthorizer):
    """Page servers: view pages and use their widgets; start nothing, write nothing.

    Allowed: reading (pages, kernel specs, static files) and the kernel websocket of a page's
    own kernel (``execute`` on ``kernels``: the websocket, whose messages are limited to
    ``PAGE_MESSAGES``). Refused and logged: starting, restarting or deleting kernels through
    the API, sessions, terminals, writing files, and anything else.
    """

    ALLOWED = frozenset({("execute", "kernels")})

    def is_authorized(self, handler: object, user: object, action: str, resource: str) -> bool:
        """Whether the signed-in user may take ``action`` on ``resource`` here."""
        if not super().is_authorized(handler, user, action, resource):  # the hub's scopes
            return False
        allowed = action == "read" and resource != "terminals"
        allowed = allowed or (action, resource) in self.ALLOWED
        if not allowed:
            name = getattr(user, "username", "?")
            path = getattr(getattr(handler, "request", None), "path", "?")
            log.warning(
                "refused: user=%s action=%s resource=%s path=%s", name, action, resource, path
            )
        return allowed
