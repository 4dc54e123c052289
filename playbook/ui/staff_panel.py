"""The staff page: pick a dispute, enter the case facts, then step through it one answer at a time.

A view of a ``CaseSession``: every move goes through the session (which saves it before the
page changes); the page holds widgets, not case state. Every callback re-checks its own
preconditions (a disabled button can still be fired by a forged widget message) and passes
widget values to the session, which validates them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from playbook.cases.memory_store import MemoryStore
from playbook.cases.records import Case
from playbook.cases.roles import Identity
from playbook.cases.session import CaseSession, Screen, utcnow
from playbook.cases.store import CaseStore
from playbook.i18n import text
from playbook.library.library import Library
from playbook.scenarios.engine import Walk
from playbook.scenarios.freshness import rules_checked_line
from playbook.ui.case_actions import CaseActions
from playbook.ui.case_list import CaseListPanel
from playbook.ui.evidence_files import EvidenceFiles
from playbook.ui.fact_inputs import fact_input
from playbook.ui.feedback import show_errors
from playbook.ui.html import STYLE, esc, tag
from playbook.ui.map_view import MapView
from playbook.ui.walk_html import WalkHtml
from playbook.ui.widgets import quiet, relabel, replace_children

LANGS = (("中文", "zh"), ("English", "en"))
TRAINING_ACTOR = "training"
__all__ = ["LANGS", "TRAINING_ACTOR", "StaffPanel", "utcnow"]


def _button(key: str, cls: str, style: str = "") -> w.Button:
    button = w.Button(button_style=style)
    button.add_class(cls)
    button._pb_key = key  # catalogue key of its label, re-read on language switch
    return button


class StaffPanel(CaseActions):
    """The whole staff page as one widget tree (``panel.widget``).

    Args:
        library: scenarios, facts, policies, templates (default: the configured data folder).
        clock: returns the current UTC time; deadlines and conditions are measured with it.
        lang: 'zh' or 'en'.
        store: the case store; every move is saved there before the page advances. Default:
            a ``MemoryStore`` (this page only: training, tests of the walk alone). A store that
            is not ``durable`` hides the case list and the name field.
        user: the acting person when the server knows it; otherwise the page asks once.
        identity: the signed-in person on a team server: they are the actor (``user`` is
            ignored, no name is asked) and the session checks their roles on every move.
    """

    def __init__(
        self,
        library: Library,
        clock: Callable[[], dt.datetime] = utcnow,
        lang: str = "zh",
        store: CaseStore | None = None,
        user: str | None = None,
        identity: Identity | None = None,
    ) -> None:
        self.identity = identity
        user = identity.name if identity is not None else user
        self.lib = library
        self.clock = clock
        self.lang = lang if lang in ("zh", "en") else "zh"
        store = store or MemoryStore(now=clock)
        # Nothing kept means nobody to name: a walk that is not saved acts as "training".
        self.user = user or (None if getattr(store, "durable", False) else TRAINING_ACTOR)
        self.session = CaseSession(
            self.lib, store, clock=clock, actor=self.acting, identity=identity
        )
        self._values: dict[str, str] = {}
        self._shown_step: str | None = None

        self.header = w.HTML()
        self.lang_toggle = w.ToggleButtons(options=LANGS, value=self.lang)
        self.lang_toggle.add_class("pb-lang")
        self.message = w.HTML()
        self.message.add_class("pb-message")
        # who is acting (asked once per page, unless the server says) and where we are
        self.actor = w.Text(value=user or "", disabled=bool(user), layout=w.Layout(width="260px"))
        self.actor.add_class("pb-actor")
        self.nav = w.ToggleButtons(options=[("cases", "cases"), ("walk", "walk")], value="walk")
        self.nav.add_class("pb-nav")
        self.cases: CaseListPanel | None = None  # built when first shown: a lighter first page
        self.cases_box = w.VBox()
        self._build_start_view()
        # walk screen: built when the first walk starts (a lighter first page)
        self.walk_view: w.VBox | None = None
        self.walk_box = w.VBox()
        self.actor_label = w.HTML()
        top = w.HBox([self.lang_toggle, self.actor_label, self.actor])
        self.footer = w.HTML()  # when the platform rules were last checked
        self.footer.add_class("pb-footer")
        parts = [self.header, top, self.message, self.start_view, self.walk_box, self.footer]
        if self.durable:
            parts[2:2] = [self.nav, self.cases_box]
        else:
            self.actor_label.layout.display = self.actor.layout.display = "none"
        if identity is not None:  # signed in: the page never asks for a name
            self.actor.layout.display = "none"
        self.widget = w.VBox(parts)
        self.widget.add_class("pb-app")
        self.nav.observe(self._on_nav_change, names="value")
        self.lang_toggle.observe(self._on_lang_change, names="value")
        self.scenario.observe(self._on_scenario_change, names="value")
        self.start_button.on_click(self._on_start_click)
        self._build_facts_form()
        self.render()

    def _build_start_view(self) -> None:
        """The start screen: scenario choice, its summary, the facts form, Start."""
        ids = sorted(self.lib.scenarios)
        self.scenario = w.RadioButtons(options=[(i, i) for i in ids], value=ids[0])
        self.scenario.add_class("pb-scenario")
        self.scenario_help = w.HTML()
        self.scenario_help.add_class("pb-scenario-help")
        self.facts_box = w.VBox()
        self.facts_box.add_class("pb-facts")
        self.fact_inputs: dict[str, w.Text | w.Textarea] = {}
        self.fact_errors: dict[str, w.HTML] = {}
        self.start_button = _button("ui.start", "pb-start", "primary")
        self.start_view = w.VBox(
            [self.scenario, self.scenario_help, self.facts_box, self.start_button]
        )
        self.start_view.add_class("pb-start-view")

    def _build_walk_view(self) -> None:
        self.case_bar = w.HTML()
        self.case_bar.add_class("pb-case")
        self.restart_from_button = _button("ui.restart_from", "pb-restart-from", "warning")
        self.export_button = _button("ui.export", "pb-export")
        self.export_link = w.HTML()
        self.export_link.add_class("pb-export-link")
        self.map = MapView(self)  # the scenario map, opened beside the current step
        self.case_tools = w.HBox(
            [self.case_bar, self.restart_from_button, self.export_button, self.export_link]
            + [self.map.toggle]
        )
        self.progress = w.IntProgress(min=0, max=1, value=0)
        self.progress_label = w.HTML()
        self.progress_label.add_class("pb-progress")
        self.step_html = w.HTML()
        self.step_html.add_class("pb-step")
        self.evidence_box = w.VBox()
        self.evidence_box.add_class("pb-evidence")
        self.evidence_files = EvidenceFiles(self)  # uploads, thumbnails, appeal packet
        self.drafts_html = w.HTML()
        self.drafts_html.add_class("pb-drafts")
        self.options = w.RadioButtons(
            options=[],
            value=None,
            layout=w.Layout(width="auto"),
            style={"description_width": "initial"},
        )
        self.options.add_class("pb-options")
        self.causes_box = w.VBox()
        self.causes_box.add_class("pb-causes")
        self.back_button = _button("ui.back", "pb-back")
        self.next_button = _button("ui.next", "pb-next", "primary")
        self.restart_button = _button("ui.restart", "pb-restart")
        self.review_html = w.HTML()
        self.review_html.add_class("pb-review")
        self.issue_box = w.HBox()
        self.issue_box.add_class("pb-issue")
        self.walk_view = w.VBox(
            [
                self.case_tools,
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
        )
        self.walk_view.add_class("pb-walk-view")
        self.walk_box.children = [w.HBox([self.walk_view, self.map.html])]
        self.restart_from_button.on_click(self._on_restart_from_click)
        self.export_button.on_click(self._on_export_click)
        self.options.observe(self._on_option_change, names="value")
        self.next_button.on_click(self._on_next_click)
        self.back_button.on_click(self._on_back_click)
        self.restart_button.on_click(self._on_restart_click)

    # --- helpers -----------------------------------------------------------------------------

    def t(self, key: str, **params: Any) -> str:
        """Catalogue text in the page's language."""
        return text(key, self.lang, **params)

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

    # --- start screen ------------------------------------------------------------------------

    def _build_facts_form(self) -> None:
        self._values.update({k: v.value for k, v in self.fact_inputs.items()})
        self.fact_inputs, self.fact_errors, rows = {}, {}, []
        refs = self.lib.scenario(self.scenario.value).facts
        for ref in sorted(refs, key=lambda r: not r.required):  # required facts first
            fact = self.lib.facts[ref.id]
            box, row = fact_input(fact, self._values.get(ref.id, ""))
            error = w.HTML()
            error.add_class("pb-field-error")
            error.add_class(f"pb-fact-error-{ref.id}")
            label = w.HTML()
            label._pb_fact = (fact, ref.required)
            self.fact_inputs[ref.id], self.fact_errors[ref.id] = box, error
            rows += [label, row, error]  # flat: one box for the form keeps the page light
        replace_children(self.facts_box, rows)

    def _render_start(self) -> None:
        relabel(
            self.scenario,
            [(self.lib.scenarios[i].title.get(self.lang), i) for i in sorted(self.lib.scenarios)],
        )
        sc = self.lib.scenario(self.scenario.value)
        self.scenario_help.value = tag("p", esc(sc.summary.get(self.lang)), "pb-muted") + tag(
            "h3", esc(self.t("ui.case_facts"))
        )
        groups = {True: "ui.facts_required", False: "ui.facts_optional"}
        for label in self.facts_box.children[::3]:
            fact, required = label._pb_fact
            group = groups.pop(required, None)  # a heading above the first of each group
            head = tag("h4", esc(self.t(group)), "pb-facts-group") if group else ""
            utc = f" · {esc(self.t('ui.fact_utc'))}" if fact.type == "datetime" else ""
            mark = (
                f' <span class="pb-muted">({esc(self.t("ui.required_mark"))})</span>'
                if required
                else ""
            )
            hint = (
                f'<br><span class="pb-muted">{esc(fact.help.get(self.lang))}</span>'
                if fact.help
                else ""
            )
            label.value = f"{head}<b>{esc(fact.label.get(self.lang))}</b>{mark}{utc}{hint}"

    @show_errors
    def _on_scenario_change(self, change: dict) -> None:
        if self.walk is None and not quiet(self.scenario):
            self._build_facts_form()
            self.render()

    @show_errors
    def _on_start_click(self, _button: w.Button) -> None:
        if self.session.active:  # a forged click while a walk is open changes nothing
            return
        raw = {k: str(v.value) for k, v in self.fact_inputs.items()}
        errors = self.session.start(self.scenario.value, raw)
        for fid, box in self.fact_errors.items():
            label = self.lib.facts[fid].label.get(self.lang)
            box.value = esc(errors[fid].render(self.lang, field=label)) if fid in errors else ""
        if errors:
            self.message.value = f'<div class="pb-error">{esc(self.t("ui.fix_fields"))}</div>'
            return
        self._adopt()
        self.render()

    # --- walk screen -------------------------------------------------------------------------

    def _render_walk(self) -> None:
        screen = self.session.screen()
        step = screen.step
        # Same step redrawn (e.g. language switch): keep the unsaved choice on screen.
        keep = self.options.value if self._shown_step == step.id else None
        self._shown_step = step.id
        done, total = screen.progress
        self.progress.max, self.progress.value = max(total, 1), done
        self.progress_label.value = esc(self.t("ui.progress", done=done + 1, total=total + 1))
        html = WalkHtml(self.lib, self.lang)
        self.step_html.value = html.step(screen)
        self.drafts_html.value = html.drafts(screen)
        self._render_evidence(screen)
        self.options.unobserve(self._on_option_change, names="value")
        self.options.options = [(html.pt(screen, o.text), o.id) for o in screen.options]
        selected = keep or screen.previous_answer
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
        self._render_case_tools()
        self._render_issue_buttons(screen)
        self.map.render()

    def _render_evidence(self, screen: Screen) -> None:
        pt = WalkHtml(self.lib, self.lang).pt
        boxes = []
        for item in screen.step.evidence:
            need = self.t("ui.required" if item.required else "ui.optional")
            box = w.Checkbox(
                value=bool(screen.ticked.get(item.id, False)),
                indent=False,
                description=f"{pt(screen, item.item)} ({need}) — {pt(screen, item.why)}",
                layout=w.Layout(width="auto"),
            )
            box.add_class(f"pb-evidence-{item.id}")
            box.observe(self._evidence_callback(screen.step.id, item.id), names="value")
            boxes.append(box)
        title = [w.HTML(tag("h3", esc(self.t("ui.evidence"))))] if boxes else []
        replace_children(self.evidence_box, title + self.evidence_files.rows(screen, boxes))

    def _render_causes(self, screen: Screen) -> None:
        boxes = []
        for tag_id in screen.step.root_causes:
            cause = self.lib.root_causes[tag_id]
            box = w.Checkbox(
                value=tag_id in screen.causes, indent=False, description=cause.text.get(self.lang)
            )
            box.add_class(f"pb-cause-{tag_id}")
            box.observe(self._cause_callback(screen.step.id, tag_id), names="value")
            boxes.append(box)
        title = [w.HTML(tag("h3", esc(self.t("ui.root_causes"))))] if boxes else []
        replace_children(self.causes_box, title + boxes)

    def _can_go_on(self) -> bool:
        walk = self.walk
        if walk is None or walk.finished or self._shown_step != walk.current.id:
            return False
        return walk.current.kind != "question" or self.options.value is not None

    def render(self) -> None:
        """Redraw the page from state, in the current language."""
        self.header.value = (
            STYLE
            + tag("h2", esc(self.t("ui.app_title")))
            + tag("p", esc(self.t("ui.app_subtitle")), "pb-muted")
        )
        self.footer.value = tag("p", esc(rules_checked_line(self.lib, self.lang)), "pb-muted")
        self.start_button.description = self.t("ui.start")
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
        if self.durable and self.nav.value == "cases":
            if self.cases is None:
                self.cases = CaseListPanel(self)
                self.cases_box.children = [self.cases.widget]
            self.start_view.layout.display = self.walk_box.layout.display = "none"
            self.cases.widget.layout.display = ""
            self.cases.render()
            return
        if self.cases is not None:
            self.cases.widget.layout.display = "none"
        if not self.session.active:
            self._render_start()
            self.start_view.layout.display, self.walk_box.layout.display = "", "none"
        else:
            if self.walk_view is None:
                self._build_walk_view()
            for button in (
                self.back_button,
                self.next_button,
                self.restart_button,
                self.restart_from_button,
                self.export_button,
            ):
                button.description = self.t(button._pb_key)
            self._render_walk()
            self.start_view.layout.display, self.walk_box.layout.display = "none", ""

    # --- callbacks ---------------------------------------------------------------------------

    @show_errors
    def _on_lang_change(self, change: dict) -> None:
        if change["new"] in ("zh", "en"):
            self.lang = change["new"]
            self.render()

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
        if walk is None or len(walk.path) < 2 or self._shown_step != walk.current.id:
            return
        self._move(self.session.back)

    @show_errors
    def _on_restart_click(self, _button: w.Button) -> None:
        if self.walk is None or not self.walk.finished:
            return
        self.start_new()

    def _evidence_callback(self, step_id: str, item_id: str) -> Callable[[dict], None]:
        @show_errors
        def on_change(self: StaffPanel, change: dict) -> None:
            if not self.session.active or self._shown_step != step_id:
                return
            done = bool(change["new"])
            self._move(lambda: self.session.tick(item_id, done, step_id), redraw=False)

        return lambda change: on_change(self, change)

    def _cause_callback(self, step_id: str, tag_id: str) -> Callable[[dict], None]:
        @show_errors
        def on_change(self: StaffPanel, change: dict) -> None:
            if not self.session.active or self._shown_step != step_id:
                return
            causes = [c for c in self.case.root_causes if c != tag_id]
            causes += [tag_id] if change["new"] else []
            self._move(lambda: self.session.set_root_causes(causes, step_id), redraw=False)

        return lambda change: on_change(self, change)
