"""Who works a case: assign it to someone (a lead), or take it ("assign to me").

One bar, used by the case list (for the row a lead chose) and by the case header of the walk
view. A lead picks from the team's staff (the hub's ``staff`` group, read by the page server
with its own scoped token) or themself, or nobody; on one machine with no hub the name is
typed. A staff member sees "Assign to me" on a case assigned to nobody. What a person may do
is the core's decision (``Identity.may``; ``CaseSession.assign``/``take`` check it again): the
bar only hides what the role cannot do, and every callback re-checks it and treats the picked
or typed name as untrusted. Each change is an ``assign`` event in the case history.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import ipywidgets as w

from playbook.cases.records import Case
from playbook.cases.roles import Identity
from playbook.cases.session import CaseSession
from playbook.errors import InputError
from playbook.ui.feedback import show_errors
from playbook.ui.html import esc
from playbook.ui.page import Host, Part
from playbook.ui.widgets import button, classed, html_box, relabel, text_box

NOBODY = ""


class AssignHost(Host, Protocol):
    """What the bar needs from the staff page."""

    session: CaseSession
    identity: Identity | None
    acting: Callable[[], str]
    team: Callable[[], list[str] | None]  # the team's staff; None: not known (type a name)


class AssignBar(Part):
    """Assign / reassign (leads, or anyone on one machine) and "Assign to me"."""

    page: AssignHost

    def __init__(self, page: AssignHost, on_done: Callable[[], None], cls: str = "") -> None:
        """Build the bar (hidden until ``show`` gives it a case).

        Args:
            page: the staff page.
            on_done: called after a case was (re)assigned (the host redraws).
            cls: an extra CSS class (where the bar sits: list or case header).
        """
        super().__init__(page)
        self.on_done = on_done
        self.case: Case | None = None
        self.title = html_box("pb-assign-title")
        self.people = classed(
            w.Dropdown(
                options=[("—", NOBODY)], value=NOBODY, style={"description_width": "initial"}
            ),
            "pb-assign-to",
        )
        self.name = text_box("pb-assign-name", "220px")
        self.assign_button = button("pb-assign", style="primary")
        self.take_button = button("pb-assign-me")
        self.cancel_button = button("pb-assign-cancel")
        self.cancel_button.layout.display = "none"
        self._team: list[str] | None = None
        self._team_read = False
        self.widget = classed(
            w.VBox(
                [
                    self.title,
                    w.HBox(
                        [
                            self.people,
                            self.name,
                            self.assign_button,
                            self.take_button,
                            self.cancel_button,
                        ]
                    ),
                ]
            ),
            "pb-assign-bar",
            *([cls] if cls else []),
        )
        self.widget.layout.display = "none"
        self.assign_button.on_click(self._on_assign_click)
        self.take_button.on_click(self._on_take_click)
        self.cancel_button.on_click(self._on_cancel_click)

    # --- who may do what (decided by the core's roles) -----------------------------------------

    def may_assign(self) -> bool:
        """Whether the person may give cases to anyone (leads; anyone without a hub)."""
        who = self.page.identity
        return who is None or who.may("assign")

    def may_take(self, case: Case) -> bool:
        """Whether "Assign to me" makes sense and is allowed for ``case``."""
        me = self.me()
        if not me or case.assignee == me:
            return False
        who = self.page.identity
        return who is None or who.may("take", case)

    def me(self) -> str:
        """The acting person's name (signed in, or typed on the page)."""
        return str(self.page.acting() or "").strip()

    def team(self) -> list[str] | None:
        """The team's staff, read once (None: not known, so a name is typed)."""
        if not self._team_read:
            self._team, self._team_read = self.page.team(), True
        return self._team

    # --- showing ----------------------------------------------------------------------------

    def show(self, case: Case | None, *, closable: bool = False) -> None:
        """Show the bar for ``case`` (None hides it); ``closable`` adds Cancel (the list)."""
        self.case = case
        self.cancel_button.layout.display = "" if closable else "none"
        self.render()

    def render(self) -> None:
        """Label the bar in the page's language, for its case and the person's role."""
        case = self.case
        if case is None:
            self.widget.layout.display = "none"
            return
        assign, take = self.may_assign(), self.may_take(case)
        self.widget.layout.display = "" if assign or take else "none"
        self.assign_button.description = self.t("ui.assign")
        self.take_button.description = self.t("ui.assign_me")
        self.cancel_button.description = self.t("ui.assign_cancel")
        self.take_button.layout.display = "" if take else "none"
        team = self.team() if assign else None
        pick = assign and team is not None
        typed = assign and team is None
        self.people.layout.display = "" if pick else "none"
        self.name.layout.display = "" if typed else "none"
        self.assign_button.layout.display = "" if assign else "none"
        self.people.description = self.t("ui.assign_to")
        self.name.placeholder = self.t("ui.assign_name_placeholder")
        if pick:
            relabel(self.people, self._choices(team))
            if case.assignee in {v for _, v in self.people.options}:
                self.people.value = case.assignee
            else:
                self.people.value = NOBODY
        if typed:
            self.name.value = case.assignee or ""
        who = case.assignee or ""
        state = self.t("ui.assigned_to", name=who) if who else self.t("ui.unassigned")
        self.title.value = esc(f"{case.id} · {state}")

    def _choices(self, team: list[str]) -> list[tuple[str, str]]:
        me = self.me()
        out = [(self.t("ui.assign_nobody"), NOBODY)]
        if me:
            out.append((self.t("ui.assign_myself", name=me), me))
        out += [(name, name) for name in team if name != me]
        return out

    # --- moves -------------------------------------------------------------------------------

    def _done(self, case: Case) -> None:
        key = "ui.assigned_done" if case.assignee else "ui.unassigned_done"
        text = self.t(key, case=case.id, name=case.assignee or "")
        self.case = case
        self.on_done()
        self.message.value = f'<div class="pb-done" role="status">{esc(text)}</div>'

    @show_errors
    def _on_assign_click(self, _button: w.Button) -> None:
        case = self.case
        if case is None or not self.may_assign():  # a forged click changes nothing
            return
        team = self.team()
        if team is None:
            name = str(self.name.value)
        else:
            name = str(self.people.value or "")
            offered = {v for _, v in self._choices(team)}
            if name not in offered:  # the value comes from the browser
                raise InputError("error.assignee_not_in_team", name=name[:64])
        self._done(self.page.session.assign(name, case.id))

    @show_errors
    def _on_take_click(self, _button: w.Button) -> None:
        case = self.case
        if case is None or not self.may_take(case):
            return
        self._done(self.page.session.take(case.id))

    @show_errors
    def _on_cancel_click(self, _button: w.Button) -> None:
        self.show(None)
