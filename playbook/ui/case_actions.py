"""The case-store side of the staff page: who acts, saving with conflicts, resume, export.

A mixin of ``StaffPanel``; it uses the panel's widgets and state and holds no rules.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from playbook.errors import ConflictError
from playbook.scenarios.engine import Walk
from playbook.scenarios.model import Step
from playbook.scenarios.templates import render
from playbook.ui.feedback import error_html, show_errors
from playbook.ui.html import data_link, esc
from playbook.ui.widgets import quiet, replace_children

if TYPE_CHECKING:
    from playbook.cases.sql_store import Case


class CaseActions:
    """Store-backed moves and tools for ``StaffPanel`` (which sets every attribute used here)."""

    # --- cases -------------------------------------------------------------------------------

    def acting(self) -> str:
        """Who is acting: the server's user if known, else the name typed once on the page."""
        return self.user or str(self.actor.value)

    def _adopt(self, case: Case | None, walk: Walk | None, problem: Any = None) -> None:
        self.case, self.walk, self._problem = case, walk, problem
        self.ticked = dict(case.evidence) if case else {}
        self.causes = list(case.root_causes) if case else []
        if self.walk_view is not None:
            self.export_link.value = ""

    def _save(self, write: Callable[[], Any], keep: str | None = None) -> Any:
        """Run one store write; on a conflict reload, keep the unsaved choice, re-raise."""
        try:
            return write()
        except ConflictError:
            self.open_case(self.case.id)
            if keep is not None and keep in {v for _, v in self.options.options}:
                self.options.value = keep
            raise

    def open_case(self, case_id: str) -> None:
        """Resume a case where it stopped (or where its scenario's current version allows).

        Raises:
            StoreError: no such case, or the store failed.
        """
        opened = self.store.open(str(case_id), self.lib)
        self._adopt(opened.case, opened.walk, opened.problem)
        self._shown_step = None
        self.nav.value = "walk"
        self.render()

    def start_new(self) -> None:
        """Leave the open case (it stays saved) and show the start screen."""
        self._adopt(None, None)
        self.nav.value = "walk"
        self.render()

    @show_errors
    def _on_nav_change(self, change: dict) -> None:
        if change["new"] in ("cases", "walk") and not quiet(self.nav):
            self.render()

    @show_errors
    def _on_restart_from_click(self, _button: w.Button) -> None:
        if self.store is None or self.case is None or self._problem is None:
            return
        self.case, self.walk = self._save(
            lambda: self.store.restart(self.case, self.walk, actor=self.acting())
        )
        self._problem = None
        self.render()

    @show_errors
    def _on_export_click(self, _button: w.Button) -> None:
        if self.store is None or self.case is None:
            return
        from playbook.cases.caselog import export_case

        log = export_case(self.store, self.case.id, self.lib, fmt="markdown", lang=self.lang)
        self.export_link.value = data_link(
            log, f"case-{self.case.id}.md", "text/markdown", self.t("ui.export_download")
        )

    def _issue_callback(self, step_id: str, template_id: str, body: str) -> Callable:
        @show_errors
        def on_click(self: CaseActions) -> None:
            if self.store is None or self.case is None or self._shown_step != step_id:
                return
            self.case = self._save(
                lambda: self.store.issue_draft(
                    self.case, template_id, actor=self.acting(), step_id=step_id, body=body
                )
            )
            self.render()

        return lambda _button: on_click(self)

    def _render_case_tools(self) -> None:
        case = self.case
        self.case_tools.layout.display = "" if case else "none"
        if case is None:
            return
        notice = ""
        if self._problem is not None:
            notice = error_html(self._problem.render(self.lang))
        status = self.t(f"ui.status.{case.status}")
        self.case_bar.value = notice + esc(self.t("ui.case_line", case=case.id, status=status))
        self.restart_from_button.layout.display = "" if self._problem else "none"

    def _render_issue_buttons(self, walk: Walk, step: Step) -> None:
        buttons = []
        if self.store is not None and self.case is not None:
            issued = {d["template"] for d in self.case.drafts if d.get("step") == step.id}
            for tid in step.messages:
                draft = render(self.lib.templates[tid], walk.facts, self.lib.facts, "en")
                button = w.Button(
                    description=self.t(
                        "ui.draft_issued" if tid in issued else "ui.draft_issue",
                        title=self.lib.templates[tid].title.get(self.lang),
                    )
                )
                button.add_class(f"pb-issue-{tid}")
                button.on_click(self._issue_callback(step.id, tid, draft.body))
                buttons.append(button)
        replace_children(self.issue_box, buttons)
