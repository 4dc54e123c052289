"""Entry points the notebooks call: build a page, return the widget to display."""

from __future__ import annotations

import logging
import os
import sys
import threading
import urllib.parse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from playbook.cases.roles import Identity, identity_from_env
from playbook.config import settings
from playbook.errors import PlaybookError
from playbook.i18n import text
from playbook.library.library import Library
from playbook.load import load_library
from playbook.ui.feedback import error_html
from playbook.ui.html import esc
from playbook.ui.page import page_lang
from playbook.ui.staff_panel import StaffPanel
from playbook.ui.training_panel import TrainingPanel

if TYPE_CHECKING:  # the staff page must not pay for pandas: import the analyst page lazily
    from playbook.ui.analyst_panel import AnalystPanel

log = logging.getLogger("playbook.ui")


def query_param(name: str) -> str | None:
    """A parameter of the page's URL (Voilà passes the query string in $QUERY_STRING)."""
    values = urllib.parse.parse_qs(os.environ.get("QUERY_STRING", "")).get(name)
    return values[0] if values else None


class LazyStore:
    """The case store, opened in the background while the page is already on screen.

    Importing and opening the database layer costs about half a second; the page does not
    need it until the first click. Any attribute use waits for the store (or raises the
    ``StoreError`` that opening it gave, which the page shows in the visitor's language).
    """

    durable = True  # known without waiting: the page decides its layout before the store opens

    def __init__(self, factory: Callable[[], Any]) -> None:
        """Wrap a store that is not opened yet.

        Args:
            factory: opens the store (called once, in ``warm_up``'s thread or on first use).
        """
        self._factory = factory
        self._lock = threading.Lock()
        self._store: Any = None
        self._error: BaseException | None = None

    def warm_up(self) -> None:
        """Start opening the store in a background thread."""
        threading.Thread(target=self._open, name="open-case-store", daemon=True).start()

    def _open(self) -> None:
        with self._lock:
            if self._store is None and self._error is None:
                try:
                    self._store = self._factory()
                except PlaybookError as err:
                    log.exception("case store unavailable")
                    self._error = err

    def _get(self) -> Any:
        self._open()
        if self._error is not None:
            raise self._error
        return self._store

    def __getattr__(self, name: str) -> Any:
        """The store's attribute ``name``, once the store is open."""
        return getattr(self._get(), name)


# What the page script (share/jupyter/voila/templates/playbook/pb_page.js) reads when the
# kernel is lost: data-<name> attributes of .pb-page-state, texts from data/i18n/page.yaml.
PAGE_TEXTS = {
    "lost": "page.lost",
    "saved": "page.saved",
    "reopen": "page.reopen_case",
    "reload": "page.reload",
    "unsaved-choice": "page.unsaved_choice",
    "unsaved-facts": "page.unsaved_facts",
}


def page_state_html(lang: str, case_id: str) -> str:
    """A hidden element with the page's language, open case id and lost-connection texts.

    ``{case}`` and ``{choice}`` are left for the page script to fill. Nothing secret: the
    visitor's own case id and catalogue texts.
    """
    attrs = {"lang": lang, "case": case_id}
    attrs.update((name, text(key, lang)) for name, key in PAGE_TEXTS.items())
    data = " ".join(f'data-{name}="{esc(value)}"' for name, value in attrs.items())
    return f"<div hidden {data}></div>"


class ServedStaffPanel(StaffPanel):
    """The staff page as served: keeps ``.pb-page-state`` current after every redraw."""

    page_state: w.HTML | None = None

    def __init__(self, **kwargs: Any) -> None:
        """Build the staff page and its page-state element.

        Args:
            **kwargs: ``StaffPanel``'s arguments.
        """
        super().__init__(**kwargs)
        self.page_state = w.HTML()
        self.page_state.add_class("pb-page-state")
        self.widget.children = (*self.widget.children, self.page_state)
        self.publish()

    def render(self) -> None:
        """Redraw (StaffPanel.render), then publish the page state."""
        super().render()
        self.publish()

    def publish(self) -> None:
        """Language and open case for the page script (a no-op until the page is built).

        Only a case kept in a durable store can be reopened by a new page.
        """
        if self.page_state is not None:
            case_id = self.case.id if self.case is not None and self.durable else ""
            self.page_state.value = page_state_html(self.lang, case_id)


def open_store(lib: Library) -> Any:
    """The configured case store (given what an upgrade of an older store needs to know).

    SQLAlchemy and Alembic are imported here, in the background thread, on purpose: the
    staff page is on screen before they are loaded (a lighter first page, not a cycle).
    """
    from playbook.cases.projection import ProjectionRules
    from playbook.cases.sql_store import SqlStore

    return SqlStore(projection=ProjectionRules.of(lib))


def signed_in() -> Identity | None:
    """The person signed in to the team server (hub user and groups), None without a hub.

    On a hub, refusals (``playbook.roles``) are also written to the server's log: inside a
    kernel ``sys.stderr`` goes to the page's hidden output, ``sys.__stderr__`` to the server.
    """
    identity = identity_from_env(os.environ)
    roles_log = logging.getLogger("playbook.roles")
    if identity is not None and not roles_log.handlers and sys.__stderr__ is not None:
        handler = logging.StreamHandler(sys.__stderr__)
        handler.setFormatter(logging.Formatter("[%(levelname)s %(asctime)s %(name)s] %(message)s"))
        roles_log.addHandler(handler)
    return identity


def refused(identity: Identity | None, action: str, lang: str) -> w.Widget | None:
    """A page saying why, when the signed-in person's roles do not allow ``action``; else None.

    The refusal is logged (``Identity.require``); without a hub nothing is refused.
    """
    if identity is None:
        return None
    try:
        identity.require(action, page=action)
    except PlaybookError as err:
        box = w.HTML(error_html(err.render(page_lang(lang))))
        box.add_class("pb-refused")
        return box
    return None


def team_staff() -> list[str] | None:
    """The members of the hub's ``staff`` group, whom a lead may assign cases to.

    Read with the page server's own token (``JUPYTERHUB_API_TOKEN``), which a lead's server is
    given with the scope ``read:groups!group=staff`` (``deploy/jupyterhub_config.py``). None
    without a hub, or when the hub refuses or does not answer: the page then lets the lead
    type a name (the refusal is logged).
    """
    if not os.environ.get("JUPYTERHUB_API_TOKEN"):
        return None
    from playbook.reminders.settings import hub_group_members

    try:
        return hub_group_members("staff")
    except PlaybookError as err:
        log.warning("team staff list not readable from the hub: %s", err)
        return None


def staff_page(lang: str | None = None) -> w.Widget:
    """The staff page (notebooks/staff.ipynb): case list and guided walk, saved to the store.

    ``?lang=en`` picks the language, ``?case=ID`` opens a case. On a team server the signed-in
    person (``JUPYTERHUB_USER``, roles in ``PLAYBOOK_ROLES``) is the actor of every move and
    their roles are checked by the case session (a ``?case=`` outside them is refused and
    logged); otherwise the page asks for a name.
    """
    logging.basicConfig(level=logging.INFO)
    lib = load_library()
    lang = lang or query_param("lang") or "zh"
    store = LazyStore(lambda: open_store(lib))
    identity = signed_in()
    panel = ServedStaffPanel(
        library=lib,
        store=store,
        lang=lang,
        identity=identity,
        team=team_staff if identity is not None else None,
    )
    case_id = query_param("case")
    if case_id:
        try:
            panel.open_case(case_id[:64])
        except PlaybookError as err:
            panel.message.value = error_html(err.render(panel.lang))
    else:
        store.warm_up()
    return panel.widget


def open_training_store(lib: Library) -> Any:
    """The training tables of the configured case store.

    Imported here, in the background thread, like ``open_store``: the trainee page is on screen
    before SQLAlchemy loads.
    """
    from playbook.training.store import TrainingStore

    return TrainingStore(open_store(lib))


def training_page(lang: str | None = None) -> w.Widget:
    """Training (notebooks/training.ipynb): trainees join a session with its code.

    ``?view=trainer`` is the trainer's view (create sessions, results, export). Results go to
    the case store's own training tables, never to the cases.
    """
    logging.basicConfig(level=logging.INFO)
    lib = load_library()
    lang = lang or query_param("lang") or "zh"
    trainer = query_param("view") == "trainer"
    refusal = refused(signed_in(), "training_results" if trainer else "training", lang)
    if refusal is not None:
        return refusal
    if trainer:
        # Imported here: the trainee page must not pay for the report and XLSX writer.
        from playbook.ui.trainer_panel import TrainerPanel

        try:
            store = open_training_store(lib)
        except PlaybookError as err:
            log.exception("case store unavailable")
            return w.HTML(error_html(err.render(lang)))
        user = os.environ.get("JUPYTERHUB_USER")
        return TrainerPanel(store, lib, lang=lang, user=user).widget
    # Opened when the trainee starts typing (TrainingPanel), not while the page first draws.
    return TrainingPanel(LazyStore(lambda: open_training_store(lib)), lib, lang=lang).widget


def analyst_panel(lang: str = "en") -> AnalystPanel:
    """The analyst page (notebooks/analyst.ipynb): order import, triage, open a case.

    If the case store cannot be opened the page still analyses files and says why cases
    cannot be saved.
    """
    # Imported here: the staff page, which imports this module, must not pay for pandas.
    from playbook.ui.analyst_panel import AnalystPanel

    logging.basicConfig(level=logging.INFO)
    lib = load_library()
    identity = signed_in()
    try:
        store = open_store(lib)
    except PlaybookError as err:
        log.exception("case store unavailable")
        panel = AnalystPanel(lib, lang=lang, identity=identity)
        panel.message.value = error_html(err.render(panel.lang))
        return panel
    return AnalystPanel(lib, store=store, lang=lang, identity=identity)


def lessons_page(lang: str | None = None) -> w.Widget:
    """The lessons page (notebooks/lessons.ipynb). ``?lang=en`` picks the language.

    On a team server only leads may open it, and only they may record a fix (the lessons
    store checks the signed-in person). If the case store cannot be opened the page says why
    in the visitor's language.
    """
    # Imported here: the staff page, which imports this module, must not pay for pandas.
    from playbook.lessons.store import LessonsStore
    from playbook.ui.lessons_panel import LessonsPanel

    logging.basicConfig(level=logging.INFO)
    lib = load_library()
    lang = lang or query_param("lang") or "zh"
    identity = signed_in()
    refusal = refused(identity, "lessons", lang)  # team server: leads only
    if refusal is not None:
        return refusal
    user = identity.name if identity is not None else None
    try:
        store = open_store(lib)
    except PlaybookError as err:
        log.exception("case store unavailable")
        panel = LessonsPanel(lib, lang=lang, user=user)
        panel.message.value = error_html(err.render(panel.lang))
        return panel.widget
    lessons = LessonsStore(store, lib, identity=identity)
    cache = settings().var_dir / "cache"
    return LessonsPanel(lib, lessons, lang=lang, user=user, cache_dir=cache).widget
