"""Analysts' servers on the team hub: JupyterLab (they run code), kernels culled when idle."""

c = get_config()  # noqa: F821
c.MappingKernelManager.cull_idle_timeout = 3600
c.MappingKernelManager.cull_interval = 300
c.ServerApp.terminals_enabled = True
