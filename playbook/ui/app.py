"""Entry points the notebooks call: build a page, return the widget to display.

The served pages (notebooks/pages/, notebooks/training/) are built in two parts, because Voilà
runs them in a pool of kernels before anyone asks for them (``preheat_kernel``):
``prepare_*_page`` does the expensive part that needs no request (imports, the library, the
case store, the widgets) and returns a ``PreparedPage``; its ``serve`` waits for the request
that takes the kernel (``wait_for_visitor``) and applies the cheap part only the request
knows (``?lang=``, ``?case=``, ``?view=``). A kernel started for a request (an empty pool,
tests, nbval) knows the request from the start, so the page is built for it and ``serve``
waits for nothing.
"""

from __future__ import annotations

import json
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
from playbook.ui.landing import may_open
from playbook.ui.nav import page_link
from playbook.ui.page import Page, page_lang
from playbook.ui.staff_panel import StaffPanel
from playbook.ui.training_panel import TrainingPanel

if TYPE_CHECKING:  # the staff page must not pay for pandas: import the analyst page lazily
    from playbook.ui.analyst_panel import AnalystPanel

log = logging.getLogger("playbook.ui")


def query_param(name: str) -> str | None:
    """A parameter of the page's URL (Voilà passes the query string in $QUERY_STRING)."""
    values = urllib.parse.parse_qs(os.environ.get("QUERY_STRING", "")).get(name)
    return values[0] if values else None


def in_pool() -> bool:
    """Whether this kernel was started for Voilà's pool, before any request (``VOILA_PREHEAT``)."""
    return os.environ.get("VOILA_PREHEAT") == "True"


def request_info_url(env: dict[str, str] | None = None) -> str:
    """Where Voilà tells a pool kernel about the request that took it (``/voila/query/<id>``).

    Built from the variables Voilà gives its kernels, as ``voila.utils.wait_for_request``
    builds it.
    """
    env = os.environ if env is None else env
    base = env.get("VOILA_WS_BASE_URL") or env.get("VOILA_SERVER_URL", "/")
    return (
        f"{env.get('VOILA_WS_PROTOCOL', 'ws')}://{env.get('VOILA_APP_IP', '127.0.0.1')}:"
        f"{env.get('VOILA_APP_PORT', '8866')}{base}voila/query/{env.get('VOILA_KERNEL_ID', '')}"
    )


def wait_for_visitor() -> None:
    """In a pool kernel, wait until a request takes it; then ``$QUERY_STRING`` is the visitor's.

    Voilà's own protocol (``voila.utils.wait_for_request``: one JSON message of request
    variables on a loopback websocket), without importing Voilà into the kernel (that alone
    costs 1.7 s of CPU and 700 modules in every pool kernel). A kernel started for a request
    returns at once. If the server cannot be asked, the page is served as built (default
    language, no case) and the reason is logged: a page without its ``?case=`` is better
    than no page.
    """
    if not in_pool():
        return
    try:
        from websockets.sync.client import connect

        with connect(request_info_url(), open_timeout=60, close_timeout=1) as socket:
            info = json.loads(socket.recv())
        os.environ.update({str(k): str(v) for k, v in info.items()})
    except Exception:  # the page must still be served; the server log says why
        log.exception("the request that took this preheated page could not be read")


class PreparedPage:
    """A page built before its request is known: ``show`` displays it, ``serve`` finishes it.

    ``widget`` is the page; ``links`` are shown above it (links to sibling pages). ``apply``
    reads what only the request knows (``query_param``) and changes the built page to match;
    it is cheap (a language switch, opening a case), never a rebuild of the page.
    """

    def __init__(
        self,
        widget: w.Widget,
        apply: Callable[[], None] | None = None,
        links: tuple[w.Widget, ...] = (),
    ) -> None:
        """Keep the built page.

        Args:
            widget: the page's widget tree.
            apply: applies the request's parameters to the page (None: nothing to apply).
            links: widgets displayed above the page.
        """
        self.widget = widget
        self.links = links
        self._apply = apply

    def show(self) -> None:
        """Display the links and the page (the notebook's first cell)."""
        from IPython.display import display

        display(*self.links, self.widget)

    def apply(self) -> None:
        """Apply the request's parameters (``$QUERY_STRING``) to the built page."""
        if self._apply is not None:
            self._apply()

    def serve(self) -> None:
        """Wait for the request (in a pool kernel), then apply it (the notebook's last cell)."""
        wait_for_visitor()
        self.apply()


def switch_language(page: Page, lang: str | None) -> None:
    """Show ``page`` in ``lang`` if it names a language the page is not in (its toggle redraws)."""
    if lang and page_lang(lang, page.lang) != page.lang:
        page.lang_toggle.value = page_lang(lang, page.lang)


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
        self._warming = False

    def warm_up(self) -> None:
        """Start opening the store in a background thread (once; later calls do nothing)."""
        if self._warming:
            return
        self._warming = True
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


def prepare_staff_page(lang: str | None = None) -> PreparedPage:
    """The staff page (notebooks/pages/staff.ipynb), built before its request is known.

    Built now: the library, the case store (opened in a background thread: at once in a pool
    kernel or for a ``?case=`` link, else once the visitor picks a dispute), the page in
    ``lang`` (or the request's ``?lang=`` when it is already known, else 中文), the signed-in
    person on a team server (``JUPYTERHUB_USER``, roles in ``PLAYBOOK_ROLES``: the page
    server's own environment, so a pool kernel has them too) and, for those who may open it,
    the link to the lessons page. Applied after the request: ``?lang=`` and ``?case=ID`` (a
    case outside the person's roles is refused and logged by the case session).
    """
    logging.basicConfig(level=logging.INFO)
    lib = load_library()
    store = LazyStore(lambda: open_store(lib))
    if in_pool() or query_param("case"):  # nobody waits for a pool kernel; a case link needs it
        store.warm_up()
    identity = signed_in()
    panel = ServedStaffPanel(
        library=lib,
        store=store,
        lang=lang or query_param("lang") or "zh",
        identity=identity,
        team=team_staff if identity is not None else None,
        hidden_platforms=settings().hidden_platforms,
    )
    # A page built for its visitor, who is waiting: opening the store now (SQLAlchemy, Alembic,
    # the file: ~0.25 s of CPU in a thread) competes with drawing the page they wait for. As on
    # the trainee page, it opens once they show what they came for (a dispute picked: they
    # need the store at Start, after typing the facts), or on first use (the case list).
    for group in panel.start_view.picker.groups:
        group.observe(lambda _change: store.warm_up(), names="value")
    links = (page_link("lessons", panel.lang),) if may_open("lessons.ipynb", identity) else ()

    def apply() -> None:
        if lang is None:
            switch_language(panel, query_param("lang"))
        for link in links:
            link.value = page_link("lessons", panel.lang).value
        case_id = query_param("case")
        if case_id:
            try:
                panel.open_case(case_id[:64])
            except PlaybookError as err:
                panel.message.value = error_html(err.render(panel.lang))

    return PreparedPage(panel.widget, apply, links)


def staff_page(lang: str | None = None) -> w.Widget:
    """The staff page for the request already known (``?lang=en``, ``?case=ID``): its widget.

    On a team server the signed-in person is the actor of every move and their roles are
    checked by the case session (a ``?case=`` outside them is refused and logged); otherwise
    the page asks for a name.
    """
    page = prepare_staff_page(lang)
    page.apply()
    return page.widget


def open_training_store(lib: Library) -> Any:
    """The training tables of the configured case store.

    Imported here, in the background thread, like ``open_store``: the trainee page is on screen
    before SQLAlchemy loads.
    """
    from playbook.training.store import TrainingStore

    return TrainingStore(open_store(lib))


def _training_view(lib: Library, trainer: bool, lang: str) -> w.Widget:
    """The trainer's view or the trainee page (the person's roles were checked)."""
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


def prepare_training_page(lang: str | None = None) -> PreparedPage:
    """Training (notebooks/training/training.ipynb), built before its request is known.

    Built now: the trainee page (trainees join a session with its code), in ``lang`` or the
    request's ``?lang=`` when known. Applied after the request: ``?lang=``, and
    ``?view=trainer``, the trainer's view (create sessions, results, export), which replaces
    the trainee page then (it is rare, so it is not pre-built). Results go to the case
    store's own training tables, never to the cases. A refusal (the signed-in person's roles)
    is decided and logged after the request, when someone has asked.
    """
    logging.basicConfig(level=logging.INFO)
    lib = load_library()
    identity = signed_in()
    built = {"lang": page_lang(lang or query_param("lang")), "trainer": False}
    holder = w.VBox()

    def build(trainer: bool, lang_now: str) -> None:
        built.update(lang=lang_now, trainer=trainer)
        allowed = identity is None or identity.may("training_results" if trainer else "training")
        if allowed:
            view = _training_view(lib, trainer, lang_now)
        else:
            view = w.HTML()  # filled in (and the refusal logged) once someone has asked
            view.add_class("pb-refused")
        holder.children = (view,)

    build(trainer=False, lang_now=built["lang"])

    def apply() -> None:
        lang_now = page_lang(query_param("lang"), built["lang"]) if lang is None else built["lang"]
        trainer = query_param("view") == "trainer"
        if trainer != built["trainer"] or lang_now != built["lang"]:
            build(trainer, lang_now)  # nothing typed yet: the trainee page is cheap to rebuild
        view = holder.children[0]
        if "pb-refused" in view._dom_classes and not view.value:
            refusal = refused(identity, "training_results" if trainer else "training", lang_now)
            view.value = refusal.value if refusal is not None else ""

    return PreparedPage(holder, apply)


def training_page(lang: str | None = None) -> w.Widget:
    """Training for the request already known (``?lang=``, ``?view=trainer``): its widget."""
    page = prepare_training_page(lang)
    page.apply()
    return page.widget.children[0]


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


def prepare_lessons_page(lang: str | None = None) -> PreparedPage:
    """The lessons page (notebooks/pages/lessons.ipynb), built before its request is known.

    Built now: pandas, matplotlib, the case store and the page, in ``lang`` or the request's
    ``?lang=`` when known. Applied after the request: the cases read again (a pool kernel's
    page may have waited a while; only what changed is read) and ``?lang=``. On a team
    server only leads may open it (the page says why to others, once they have asked, and
    the refusal is logged), and only they may record a fix (the lessons store checks the
    signed-in person).
    If the case store cannot be opened the page says why in the visitor's language.
    """
    # Imported here: the staff page, which imports this module, must not pay for pandas.
    from playbook.lessons.store import LessonsStore
    from playbook.ui.lessons_panel import LessonsPanel

    logging.basicConfig(level=logging.INFO)
    lib = load_library()
    first = page_lang(lang or query_param("lang"))
    identity = signed_in()
    if identity is not None and not identity.may("lessons"):  # team server: leads only
        box = w.HTML()
        box.add_class("pb-refused")

        def refuse() -> None:
            refusal = refused(identity, "lessons", page_lang(lang or query_param("lang")))
            box.value = refusal.value if refusal is not None else ""

        return PreparedPage(box, refuse)
    user = identity.name if identity is not None else None
    try:
        store = open_store(lib)
    except PlaybookError as err:
        log.exception("case store unavailable")
        panel = LessonsPanel(lib, lang=first, user=user)
        error = err

        def explain() -> None:
            if lang is None:
                switch_language(panel, query_param("lang"))
            panel.message.value = error_html(error.render(panel.lang))

        explain()
        return PreparedPage(panel.widget, explain)
    lessons = LessonsStore(store, lib, identity=identity)
    cache = settings().var_dir / "cache"
    panel = LessonsPanel(lib, lessons, lang=first, user=user, cache_dir=cache)

    def apply() -> None:
        if in_pool():  # built before anyone asked, maybe long ago: the cases as they are now
            panel.refresh()
        if lang is None:
            switch_language(panel, query_param("lang"))

    return PreparedPage(panel.widget, apply)


def lessons_page(lang: str | None = None) -> w.Widget:
    """The lessons page for the request already known (``?lang=en``): its widget."""
    page = prepare_lessons_page(lang)
    page.apply()
    return page.widget
