"""Page servers on the team hub (staff, leads, trainers): Voilà pages only, nobody runs code.

deploy/team_server.py starts these with JUPYTER_CONFIG_DIR pointing here.
"""

from team_server import PAGE_MESSAGES

c = get_config()  # noqa: F821
c.ServerApp.jpserver_extensions = {
    "voila": True,
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
