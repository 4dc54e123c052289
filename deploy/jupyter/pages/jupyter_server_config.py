"""Page servers on the team hub (staff, leads, trainers): Voilà pages only, nobody runs code.

deploy/team_server.py starts these with JUPYTER_CONFIG_PATH pointing here.
"""

import os

from team_server import PAGE_MESSAGES

from playbook.ui.landing import FILL_DELAY_S, landing_hook, pool_sizes

c = get_config()  # noqa: F821
c.ServerApp.jpserver_extensions = {
    "voila": True,
    "page_pool": True,  # preheated pages (deploy/page_pool.py)
    "jupyterlab": False,
    "jupyter_lsp": False,
    "jupyter_server_terminals": False,
    "notebook_shim": False,
    "notebook": False,
}
c.ServerApp.terminals_enabled = False
c.ServerApp.authorizer_class = "team_server.PageOnlyAuthorizer"
# The kernel websocket carries widget messages only: an execute_request is dropped.
c.MappingKernelManager.allowed_message_types = PAGE_MESSAGES
# Kernels of closed tabs go after 15 minutes; the hub culls idle servers (idle-culler).
c.MappingKernelManager.cull_idle_timeout = 900
c.MappingKernelManager.cull_interval = 60
c.MappingKernelManager.cull_connected = False
c.VoilaConfiguration.show_tracebacks = False
c.VoilaConfiguration.strip_sources = True
c.VoilaConfiguration.theme = "light"
# Preheated pages: kernels that already ran the page wait for the person's request
# (PLAYBOOK_POOL, from the hub's TEAM_POOL), filled when the server starts and again
# FILL_DELAY_S after a page is taken, unless PLAYBOOK_POOL_REFILL=0 (TEAM_POOL_REFILL=0).
c.ServerApp.kernel_manager_class = "page_pool.PagePoolKernelManager"
c.VoilaKernelManager.kernel_pools_config = pool_sizes(os.environ.get("PLAYBOOK_POOL", "staff=1"))
c.VoilaKernelManager.fill_delay = FILL_DELAY_S
c.PagePoolKernelManager.refill = os.environ.get("PLAYBOOK_POOL_REFILL", "1") != "0"
# The playbook template (share/jupyter, JUPYTER_PATH): starting notice, lost-connection banner,
# and the landing page instead of a file listing (its links follow the person's roles).
c.VoilaConfiguration.template = "playbook"
c.VoilaConfiguration.page_config_hook = landing_hook
c.ContentsManager.hide_globs = ["*"]  # the contents API lists nothing
