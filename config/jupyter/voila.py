"""Voilà settings that need code (the rest are in voila.json beside this file).

`make serve` serves the notebooks folder so the staff and lessons pages can link to each other;
PLAYBOOK_PAGES (set by the Makefile) names the only notebooks that folder may render. The
analyst notebook reads order files and belongs in JupyterLab, not on the staff's web page.
Without PLAYBOOK_PAGES (one notebook served, tests) every notebook renders.
"""

import os

from tornado.web import HTTPError


def only_served_pages(req, notebook, cwd):  # noqa: ARG001 - Voilà's hook signature
    """Refuse (404) to render a notebook that is not one of the served pages."""
    allowed = [p for p in os.environ.get("PLAYBOOK_PAGES", "").split(",") if p]
    if not allowed:
        return
    name = req.request.path.rstrip("/").rsplit("/", 1)[-1]
    if name not in allowed:
        raise HTTPError(404)


c.VoilaConfiguration.prelaunch_hook = only_served_pages  # noqa: F821 - traitlets config
