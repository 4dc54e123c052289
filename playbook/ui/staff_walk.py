"""The staff page's walk view: one open case, one step at a time.

The case bar and its tools, the step, evidence, drafts, options, root causes, Back / Next /
New case, and the answers so far. A view of the page's ``CaseSession``: every move goes
through the session, which saves it before the view changes. Every callback re-checks its own
preconditions (a disabled button can still be fired by a forged widget message) and passes
widget values to the session, which validates them. The step's HTML comes from ``WalkHtml``
(every data text escaped).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import ipywidgets as w

from playbook.cases.caselog import export_case
from playbook.cases.records import Case
from playbook.cases.session import CaseSession, Screen
from playbook.cases.store import CaseStore
from playbook.errors import ConflictError
from playbook.library.library import Library
from playbook.scenarios.engine import Walk
from playbook.ui.assign import AssignBar
from playbook.ui.evidence_files import EvidenceFiles
from playbook.ui.feedback import error_html, show_errors
from playbook.ui.html import download_link, esc, tag
from playbook.ui.map_view import MapView
from playbook.ui.page import Host, Part
from playbook.ui.walk_html import WalkHtml
from playbook.ui.widgets import button, classed, html_box, replace_children


class WalkHost(Host, Protocol):
    """What the walk view needs from the staff page (``AssignBar``'s needs too)."""

    lib: Library
    session: CaseSession
    store: CaseStore
    durable: bool  # whether cases outlive the page
    render: Callable[[], None]
    start_new: Callable[[], None]


class WalkView(Part):
    """One open case, one step at a time (``widget``: the walk beside its map)."""

    page: WalkHost

    def __init__(self, page: WalkHost) -> None:
        """Build the view for ``page`` (built when the first case is shown).

        Args:
            page: the staff page (library, case session, language, message area).
        """
        super().__init__(page)
        self.shown_step: str | None = None  # the step on screen; callbacks check against it
        self.case_bar = html_box("pb-case")
        self.restart_from_button = button("pb-restart-from", style="warning")
        self.export_button = button("pb-export")
        self.export_link = html_box("pb-export-link")
        self.map = MapView(self)  # the scenario map, opened beside the current step
        self.case_tools = w.HBox(
            [self.case_bar, self.restart_from_button, self.export_button, self.export_link]
            + [self.map.toggle]
        )
        self.assign_bar = AssignBar(page, on_done=self.redraw, cls="pb-case-assign")
        self.analyst_html = html_box("pb-analyst-facts")  # triage's note: read-only
        self.progress = w.IntProgress(min=0, max=1, value=0)
        self.progress_label = html_box("pb-progress")
        self.step_html = html_box("pb-step")
        self.evidence_box = classed(w.VBox(), "pb-evidence")
        self.evidence_files = EvidenceFiles(self)  # uploads, thumbnails, appeal packet
        self.drafts_html = html_box("pb-drafts")
        self.options = classed(
            w.RadioButtons(
                options=[],
                value=None,
                layout=w.Layout(width="auto"),
                style={"description_width": "initial"},
            ),
            "pb-options",
        )
        self.causes_box = classed(w.VBox(), "pb-causes")
        self.back_button = button("pb-back")
        self.next_button = button("pb-next", style="primary")
        self.restart_button = button("pb-restart")
        self.review_html = html_box("pb-review")
        self.issue_box = classed(w.HBox(), "pb-issue")
        self.view = classed(
            w.VBox(
                [
                    self.case_tools,
                    self.assign_bar.widget,
                    self.analyst_html,
                    w.HBox([self.progress, self.progress_label]),
                    self.step_html,
                    self.evidence_box,
                    self.drafts_html,
                    self.issue_box,
                    self.options,
                    self.causes_box,
                    w.HBox([self.back_button, self.next_button, self.restart_button]),
                    self.review_html,
                ]
            ),
            "pb-walk-view",
        )
        self.widget = w.HBox([self.view, self.map.html])
        self._labels = (
            (self.back_button, "ui.back"),
            (self.next_button, "ui.next"),
            (self.restart_button, "ui.restart"),
            (self.restart_from_button, "ui.restart_from"),
            (self.export_button, "ui.export"),
        )
        self.restart_from_button.on_click(self._on_restart_from_click)
        self.export_button.on_click(self._on_export_click)
        self.options.observe(self._on_option_change, names="value")
        self.next_button.on_click(self._on_next_click)
        self.back_button.on_click(self._on_back_click)
        self.restart_button.on_click(self._on_restart_click)

    @property
    def session(self) -> CaseSession:
        """The page's case session."""
        return self.page.session

    @property
    def case(self) -> Case | None:
        """The open case."""
        return self.page.session.case

    @property
    def walk(self) -> Walk | None:
        """The open case's walk."""
        return self.page.session.walk

    def redraw(self) -> None:
        """Redraw the whole page (after a move made by a part of this view)."""
        self.page.render()

    def forget(self) -> None:
        """A case was opened, started or left: forget what was shown of the one before."""
        self.shown_step = None
        self.export_link.value = ""

    # --- rendering ---------------------------------------------------------------------------

    def render(self) -> None:
        """Show the open case's current step, measured now, in the page's language."""
        for part, key in self._labels:
            part.description = self.t(key)
        screen = self.session.screen()
        step = screen.step
        # Same step redrawn (e.g. language switch): keep the unsaved choice on screen.
        keep = self.options.value if self.shown_step == step.id else None
        self.shown_step = step.id
        done, total = screen.progress
        self.progress.max, self.progress.value = max(total, 1), done
        self.progress_label.value = esc(self.t("ui.progress", done=done + 1, total=total + 1))
        html = WalkHtml(self.page.lib, self.lang)
        self.step_html.value = html.step(screen)
        self.drafts_html.value = html.drafts(screen)
        self._render_evidence(screen, html)
        self.options.unobserve(self._on_option_change, names="value")
        selected = keep or screen.previous_answer
        # One message to the browser: new options and their selection together (set apart,
        # the browser would briefly check the first option, and a pick made in between would
        # be overwritten).
        with self.options.hold_sync():
            self.options.options = [(html.pt(screen, o.text), o.id) for o in screen.options]
            self.options.value = selected if selected in {o.id for o in screen.options} else None
        self.options.observe(self._on_option_change, names="value")
        self.options.description = self.t("ui.choose_one") if screen.options else ""
        self.options.layout.display = "" if screen.options else "none"
        self._render_causes(screen)
        self.back_button.disabled = not screen.can_go_back
        self.next_button.disabled = not self._can_go_on()
        self.next_button.layout.display = "none" if screen.finished else ""
        self.restart_button.layout.display = "" if screen.finished else "none"
        self.review_html.value = html.review(screen)
        self.analyst_html.value = html.analyst_facts(self.walk.facts)
        self._render_case_tools()
        self._render_issue_buttons(screen)
        self.map.render()
        # Last, after every part above: the walk names the step it shows (one class), so what
        # reads the page (the browser tests) can tell a step drawn from one still being drawn.
        shown = tuple(c for c in self.view._dom_classes if not c.startswith("pb-shows-"))
        self.view._dom_classes = (*shown, f"pb-shows-{step.id}")

    def _render_evidence(self, screen: Screen, html: WalkHtml) -> None:
        boxes = []
        for item in screen.step.evidence:
            need = self.t("ui.required" if item.required else "ui.optional")
            box = classed(
                w.Checkbox(
                    value=bool(screen.ticked.get(item.id, False)),
                    indent=False,
                    description=f"{html.pt(screen, item.item)} ({need}) — "
                    f"{html.pt(screen, item.why)}",
                    layout=w.Layout(width="auto"),
                ),
                f"pb-evidence-{item.id}",
            )
            box.observe(self._evidence_callback(screen.step.id, item.id), names="value")
            boxes.append(box)
        title = [w.HTML(tag("h3", esc(self.t("ui.evidence"))))] if boxes else []
        replace_children(self.evidence_box, title + self.evidence_files.rows(screen, boxes))

    def _render_causes(self, screen: Screen) -> None:
        boxes = []
        for tag_id in screen.step.root_causes:
            cause = self.page.lib.root_causes[tag_id]
            box = classed(
                w.Checkbox(
                    value=tag_id in screen.causes,
                    indent=False,
                    description=cause.text.get(self.lang),
                ),
                f"pb-cause-{tag_id}",
            )
            box.observe(self._cause_callback(screen.step.id, tag_id), names="value")
            boxes.append(box)
        title = [w.HTML(tag("h3", esc(self.t("ui.root_causes"))))] if boxes else []
        replace_children(self.causes_box, title + boxes)

    def _render_case_tools(self) -> None:
        case, problem = self.case, self.session.problem
        self.case_tools.layout.display = "" if case and self.page.durable else "none"
        if case is None or not self.page.durable:
            self.assign_bar.show(None)
            return
        notice = error_html(problem.render(self.lang)) if problem is not None else ""
        status = self.t(f"ui.status.{case.status}")
        who = (
            self.t("ui.assigned_to", name=case.assignee)
            if case.assignee
            else self.t("ui.unassigned")
        )
        platform = self.page.lib.platform_name(case.platform, self.lang)
        self.case_bar.value = notice + esc(
            f"{self.t('ui.case_line', case=case.id, status=status)} · {platform} · {who}"
        )
        self.restart_from_button.layout.display = "" if problem else "none"
        self.assign_bar.show(case)

    def _render_issue_buttons(self, screen: Screen) -> None:
        buttons = []
        for draft in screen.drafts if self.page.durable else []:
            title = draft.template.title.get(self.lang)
            key = "ui.draft_issued" if draft.issued else "ui.draft_issue"
            issue = button(f"pb-issue-{draft.template.id}")
            issue.description = self.t(key, title=title)
            issue.on_click(self._issue_callback(screen.step.id, draft.template.id))
            buttons.append(issue)
        replace_children(self.issue_box, buttons)

    def _can_go_on(self) -> bool:
        walk = self.walk
        if walk is None or walk.finished or self.shown_step != walk.current.id:
            return False
        return walk.current.kind != "question" or self.options.value is not None

    # --- moves -------------------------------------------------------------------------------

    def _move(self, move: Callable[[], Any], keep: str | None = None, redraw: bool = True) -> None:
        """Make one move through the session, then redraw the page.

        On a conflict the session has reloaded the case: the page shows it, keeps the unsaved
        choice selected when it is still on offer, and says what it was either way (the
        conflict message promises the input is kept: it stays on screen, in words).
        """
        kept = self._choice_words(keep)
        try:
            move()
        except ConflictError as err:
            self.shown_step = None
            self.redraw()
            again = keep is not None and keep in {v for _, v in self.options.options}
            if again:
                self.options.value = keep
            notice = ""
            if kept is not None:
                choice, step = kept
                now = self.walk.current.title.get(self.lang) if self.walk else ""
                notice = tag(
                    "div",
                    esc(
                        self.t(
                            "ui.conflict_kept_again" if again else "ui.conflict_kept_moved",
                            choice=choice,
                            step=step,
                            now=now,
                        )
                    ),
                    "pb-kept",
                )
            self.message.value = error_html(err.render(self.lang)) + notice
            return
        if redraw:
            self.redraw()

    def _choice_words(self, option_id: str | None) -> tuple[str, str] | None:
        """(the option's text, its step's title) in the page's language, or None."""
        walk = self.walk
        if option_id is None or walk is None:
            return None
        option = next((o for o in walk.current.options if o.id == option_id), None)
        if option is None:
            return None
        return option.text.get(self.lang), walk.current.title.get(self.lang)

    @show_errors
    def _on_option_change(self, change: dict) -> None:
        self.next_button.disabled = not self._can_go_on()

    @show_errors
    def _on_next_click(self, _button: w.Button) -> None:
        if not self._can_go_on():  # also refuses a forged click on the disabled button
            return
        step = self.walk.current
        option = self.options.value if step.kind == "question" else None
        # the session validates the (untrusted) option and saves before the page advances
        self._move(lambda: self.session.answer(step.id, option), keep=option)

    @show_errors
    def _on_back_click(self, _button: w.Button) -> None:
        walk = self.walk
        if walk is None or not walk.can_go_back or self.shown_step != walk.current.id:
            return
        self._move(self.session.back)

    @show_errors
    def _on_restart_click(self, _button: w.Button) -> None:
        if self.walk is None or not self.walk.finished:
            return
        self.page.start_new()

    @show_errors
    def _on_restart_from_click(self, _button: w.Button) -> None:
        if not self.session.active or self.session.problem is None:
            return
        self._move(self.session.restart)

    @show_errors
    def _on_export_click(self, _button: w.Button) -> None:
        if not self.session.active:
            return
        case_id = self.case.id
        log = export_case(self.page.store, case_id, self.page.lib, fmt="markdown", lang=self.lang)
        self.export_link.value = download_link(
            log, f"case-{case_id}.md", "text/markdown", self.t("ui.export_download")
        )

    def _evidence_callback(self, step_id: str, item_id: str) -> Callable[[dict], None]:
        @show_errors
        def on_change(self: WalkView, change: dict) -> None:
            if not self.session.active or self.shown_step != step_id:
                return
            done = bool(change["new"])
            self._move(lambda: self.session.tick(item_id, done, step_id), redraw=False)

        return lambda change: on_change(self, change)

    def _cause_callback(self, step_id: str, tag_id: str) -> Callable[[dict], None]:
        @show_errors
        def on_change(self: WalkView, change: dict) -> None:
            if not self.session.active or self.shown_step != step_id:
                return
            causes = [c for c in self.case.root_causes if c != tag_id]
            causes += [tag_id] if change["new"] else []
            self._move(lambda: self.session.set_root_causes(causes, step_id), redraw=False)

        return lambda change: on_change(self, change)

    def _issue_callback(self, step_id: str, template_id: str) -> Callable[[w.Button], None]:
        @show_errors
        def on_click(self: WalkView) -> None:
            if not self.session.active or self.shown_step != step_id:
                return
            self._move(lambda: self.session.issue_draft(template_id, step_id))

        return lambda _button: on_click(self)
