"""The case side of the staff page: who acts, moves with conflicts, resume, export, drafts sent.

A mixin of ``StaffPanel``; it uses the panel's widgets and session and holds no rules.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as w

from playbook.cases.caselog import export_case
from playbook.cases.session import CaseSession, Screen
from playbook.errors import ConflictError
from playbook.ui.feedback import error_html, show_errors
from playbook.ui.html import download_link, esc
from playbook.ui.widgets import quiet, replace_children


class CaseActions:
    """Session-backed moves and tools for ``StaffPanel`` (which sets every attribute used here)."""

    session: CaseSession

    # --- cases -------------------------------------------------------------------------------

    def acting(self) -> str:
        """Who is acting: the server's user if known, else the name typed once on the page."""
        return self.user or str(self.actor.value)

    def _adopt(self) -> None:
        """A case was opened, started or left: forget what belonged to the one before."""
        self._shown_step = None
        if self.walk_view is not None:
            self.export_link.value = ""

    def _move(self, move: Callable[[], Any], keep: str | None = None, redraw: bool = True) -> None:
        """Make one move through the session, then redraw.

        On a conflict the session has reloaded the case: the page shows it, keeps the unsaved
        choice selected when it is still on offer, and re-raises so the message is shown.
        """
        try:
            move()
        except ConflictError:
            self._shown_step = None
            self.render()
            if keep is not None and keep in {v for _, v in self.options.options}:
                self.options.value = keep
            raise
        if redraw:
            self.render()

    def open_case(self, case_id: str) -> None:
        """Resume a case where it stopped (or where its scenario's current version allows).

        Raises:
            StoreError: no such case, or the store failed.
        """
        self.session.open(str(case_id))
        self._adopt()
        self.nav.value = "walk"
        self.render()

    def start_new(self) -> None:
        """Leave the open case (it stays saved) and show the start screen."""
        self.session.leave()
        self._adopt()
        self.nav.value = "walk"
        self.render()

    @show_errors
    def _on_nav_change(self, change: dict) -> None:
        if change["new"] in ("cases", "walk") and not quiet(self.nav):
            self.render()

    @show_errors
    def _on_restart_from_click(self, _button: w.Button) -> None:
        if not self.session.active or self.session.problem is None:
            return
        self._move(self.session.restart)

    @show_errors
    def _on_export_click(self, _button: w.Button) -> None:
        if not self.session.active:
            return
        log = export_case(self.store, self.case.id, self.lib, fmt="markdown", lang=self.lang)
        self.export_link.value = download_link(
            log, f"case-{self.case.id}.md", "text/markdown", self.t("ui.export_download")
        )

    def _issue_callback(self, step_id: str, template_id: str) -> Callable:
        @show_errors
        def on_click(self: CaseActions) -> None:
            if not self.session.active or self._shown_step != step_id:
                return
            self._move(lambda: self.session.issue_draft(template_id, step_id))

        return lambda _button: on_click(self)

    def _render_case_tools(self) -> None:
        case, problem = self.case, self.session.problem
        self.case_tools.layout.display = "" if case and self.durable else "none"
        if case is None:
            return
        notice = error_html(problem.render(self.lang)) if problem is not None else ""
        status = self.t(f"ui.status.{case.status}")
        self.case_bar.value = notice + esc(self.t("ui.case_line", case=case.id, status=status))
        self.restart_from_button.layout.display = "" if problem else "none"

    def _render_issue_buttons(self, screen: Screen) -> None:
        buttons = []
        for draft in screen.drafts if self.durable else []:
            title = draft.template.title.get(self.lang)
            button = w.Button(
                description=self.t(
                    "ui.draft_issued" if draft.issued else "ui.draft_issue", title=title
                )
            )
            button.add_class(f"pb-issue-{draft.template.id}")
            button.on_click(self._issue_callback(screen.step.id, draft.template.id))
            buttons.append(button)
        replace_children(self.issue_box, buttons)
