"""Entry points the notebooks call: build a page, return the widget to display."""

from __future__ import annotations

import logging
import os
import urllib.parse
from typing import TYPE_CHECKING

import ipywidgets as w

from playbook.errors import PlaybookError
from playbook.i18n import text
from playbook.ui.feedback import error_html
from playbook.ui.staff_panel import StaffPanel

if TYPE_CHECKING:  # the staff page must not pay for pandas: import the analyst page lazily
    from playbook.ui.analyst_panel import AnalystPanel

log = logging.getLogger("playbook.ui")


def query_param(name: str) -> str | None:
    """A parameter of the page's URL (Voilà passes the query string in $QUERY_STRING)."""
    values = urllib.parse.parse_qs(os.environ.get("QUERY_STRING", "")).get(name)
    return values[0] if values else None


def staff_page(lang: str | None = None) -> w.Widget:
    """The staff page (notebooks/staff.ipynb): case list and guided walk, saved to the store.

    ``?lang=en`` picks the language, ``?case=ID`` opens a case. The acting user is the
    server's (``JUPYTERHUB_USER``) when there is one; otherwise the page asks for a name.
    """
    from playbook.store import Store

    logging.basicConfig(level=logging.INFO)
    lang = lang or query_param("lang") or "zh"
    try:
        store = Store()
    except PlaybookError as err:  # the page says why it cannot save, in both languages
        log.exception("case store unavailable")
        return w.HTML(error_html(err.render("zh") + "\n" + err.render("en")))
    panel = StaffPanel(store=store, lang=lang, user=os.environ.get("JUPYTERHUB_USER"))
    case_id = query_param("case")
    if case_id:
        try:
            panel.open_case(case_id[:64])
        except PlaybookError as err:
            panel.message.value = error_html(err.render(panel.lang))
    log.info("staff page ready (%s)", text("ui.app_title", "en"))
    return panel.widget


def training_page(lang: str | None = None) -> w.Widget:
    """The same walk without saving cases: for training sessions and trying things out."""
    logging.basicConfig(level=logging.INFO)
    return StaffPanel(lang=lang or query_param("lang") or "zh").widget


def analyst_panel(lang: str = "en") -> AnalystPanel:
    """The analyst page (notebooks/analyst.ipynb): order import, triage, open a case.

    If the case store cannot be opened the page still analyses files and says why cases
    cannot be saved.
    """
    from playbook.store import Store
    from playbook.ui.analyst_panel import AnalystPanel

    logging.basicConfig(level=logging.INFO)
    try:
        store = Store()
    except PlaybookError as err:
        log.exception("case store unavailable")
        panel = AnalystPanel(lang=lang, user=os.environ.get("JUPYTERHUB_USER"))
        panel.message.value = error_html(err.render(panel.lang))
        return panel
    return AnalystPanel(store=store, lang=lang, user=os.environ.get("JUPYTERHUB_USER"))
