"""The staff page: pick a dispute, enter the case facts, then step through it one answer at a time.

A view of a ``CaseSession``: every move goes through the session (which saves it before the
page changes); the page holds widgets, not case state. It is put together from the start view
(``staff_start``), the walk view (``staff_walk``) and, when cases are kept, the case list
(``case_list``); this module decides which of them is shown and who acts.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

import ipywidgets as w

from playbook.cases.memory_store import MemoryStore
from playbook.cases.records import TRAINING_ACTOR, Case
from playbook.cases.roles import Identity
from playbook.cases.session import CaseSession, utcnow
from playbook.cases.store import CaseStore
from playbook.library.library import Library
from playbook.scenarios.engine import Walk
from playbook.scenarios.freshness import rules_checked_line
from playbook.ui.case_list import CaseListPanel
from playbook.ui.feedback import show_errors
from playbook.ui.html import esc, tag
from playbook.ui.page import Clock, Page
from playbook.ui.staff_start import StartView
from playbook.ui.staff_walk import WalkView
from playbook.ui.widgets import classed, quiet, relabel, text_box


class StaffPanel(Page):
    """The whole staff page as one widget tree (``panel.widget``).

    ``start_view`` is the start view; ``walk_view`` the walk view, built when the first case
    is shown (a lighter first page); ``cases`` the case list, built when first shown.
    """

    def __init__(
        self,
        library: Library,
        clock: Clock = utcnow,
        lang: str = "zh",
        store: CaseStore | None = None,
        user: str | None = None,
        identity: Identity | None = None,
        team: Callable[[], list[str] | None] | None = None,
        hidden_platforms: Collection[str] = (),
    ) -> None:
        """Build the page and show the start view.

        Args:
            library: scenarios, facts, policies, templates.
            clock: returns the current UTC time; deadlines and conditions are measured with it.
            lang: 'zh' or 'en'.
            store: the case store; every move is saved there before the page advances.
                Default: a ``MemoryStore`` (this page only: training, tests of the walk
                alone). A store that is not ``durable`` hides the case list and the name field.
            user: the acting person when the server knows it; otherwise the page asks once.
            identity: the signed-in person on a team server: they are the actor (``user`` is
                ignored, no name is asked) and the session checks their roles on every move.
            team: returns the team's staff a lead may assign cases to (the hub's ``staff``
                group), or None when not known: then a name is typed. Default: not known.
            hidden_platforms: platforms the picker does not offer (``Settings.hidden_platforms``:
                the seller does not sell there); their cases still open from the case list.
        """
        super().__init__(lang, clock=clock)
        self.identity = identity
        self.hidden_platforms = frozenset(hidden_platforms)
        self._team = team or (lambda: None)
        user = identity.name if identity is not None else user
        self.lib = library
        store = store or MemoryStore(now=clock)
        # Nothing kept means nobody to name: a walk that is not saved acts as "training".
        self.user = user or (None if getattr(store, "durable", False) else TRAINING_ACTOR)
        self.session = CaseSession(
            self.lib, store, clock=clock, actor=self.acting, identity=identity
        )
        # who is acting (asked once per page, unless the server says) and where we are
        self.actor = text_box("pb-actor", "260px", value=user or "", disabled=bool(user))
        self.nav = classed(
            w.ToggleButtons(options=[("cases", "cases"), ("walk", "walk")], value="walk"),
            "pb-nav",
        )
        self.cases: CaseListPanel | None = None  # built when first shown: a lighter first page
        self.cases_box = w.VBox()
        self.start_view = StartView(self)
        self.walk_view: WalkView | None = None  # built when the first walk is shown
        self.walk_box = w.VBox()
        self.actor_label = w.HTML()
        top = w.HBox([self.lang_toggle, self.actor_label, self.actor])
        self.footer = w.HTML()  # when the platform rules were last checked
        self.footer.add_class("pb-footer")
        parts = [
            self.header,
            top,
            self.message,
            self.start_view.widget,
            self.walk_box,
            self.footer,
        ]
        if self.durable:
            parts[2:2] = [self.nav, self.cases_box]
        else:
            self.actor_label.layout.display = self.actor.layout.display = "none"
        if identity is not None:  # signed in: the page never asks for a name
            self.actor.layout.display = "none"
        self.widget = classed(w.VBox(parts), "pb-app")
        self.nav.observe(self._on_nav_change, names="value")
        self.render()

    @property
    def store(self) -> CaseStore:
        """The session's case store."""
        return self.session.store

    @property
    def durable(self) -> bool:
        """Whether cases outlive this page (then the page lists them and asks who acts)."""
        return bool(getattr(self.session.store, "durable", False))

    @property
    def case(self) -> Case | None:
        """The open case (the session's)."""
        return self.session.case

    @property
    def walk(self) -> Walk | None:
        """The open case's walk (the session's)."""
        return self.session.walk

    def team(self) -> list[str] | None:
        """The team's staff to assign cases to (None: not known; a name is typed)."""
        return self._team()

    def acting(self) -> str:
        """Who is acting: the server's user if known, else the name typed once on the page."""
        return self.user or str(self.actor.value)

    # --- cases -------------------------------------------------------------------------------

    def adopt(self) -> None:
        """A case was opened, started or left: forget what was shown of the one before."""
        if self.walk_view is not None:
            self.walk_view.forget()

    def open_case(self, case_id: str) -> None:
        """Resume a case where it stopped (or where its scenario's current version allows).

        Raises:
            StoreError: no such case, or the store failed.
        """
        self.session.open(str(case_id))
        self._show_walk()

    def start_new(self) -> None:
        """Leave the open case (it stays saved) and show the start view."""
        self.session.leave()
        self.start_view.reset()  # a new dispute starts from an empty form
        self._show_walk()

    def _show_walk(self) -> None:
        self.adopt()
        self.nav.value = "walk"
        self.render()

    # --- rendering ---------------------------------------------------------------------------

    def render(self) -> None:
        """Redraw the page from state, in the current language."""
        self.header.value = self.heading("ui.app_title", "ui.app_subtitle")
        self.footer.value = tag("p", esc(rules_checked_line(self.lib, self.lang)), "pb-muted")
        self.actor_label.value = esc(
            self.t("ui.actor")
            if self.identity is None
            else self.t(
                "ui.signed_in_as",
                user=self.identity.name,
                roles=", ".join(sorted(self.identity.roles)) or "-",
            )
        )
        self.actor.placeholder = self.t("ui.actor_placeholder")
        relabel(self.nav, [(self.t("ui.nav_cases"), "cases"), (self.t("ui.nav_walk"), "walk")])
        start = self.start_view.widget
        if self.durable and self.nav.value == "cases":
            if self.cases is None:
                self.cases = CaseListPanel(self)
                self.cases_box.children = [self.cases.widget]
            start.layout.display = self.walk_box.layout.display = "none"
            self.cases.widget.layout.display = ""
            self.cases.render()
            return
        if self.cases is not None:
            self.cases.widget.layout.display = "none"
        if not self.session.active:
            self.start_view.render()
            start.layout.display, self.walk_box.layout.display = "", "none"
            return
        if self.walk_view is None:
            self.walk_view = WalkView(self)
            self.walk_box.children = [self.walk_view.widget]
        self.walk_view.render()
        start.layout.display, self.walk_box.layout.display = "none", ""

    @show_errors
    def _on_nav_change(self, change: dict) -> None:
        if change["new"] in ("cases", "walk") and not quiet(self.nav):
            self.render()
