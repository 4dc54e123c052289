"""The staff page's start view: pick a dispute, read its summary, enter the case facts, Start.

The facts are passed to ``CaseSession.start`` as typed (untrusted); the session checks them and
each refusal is shown under its field, in the page's language.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import ipywidgets as w

from playbook.cases.session import CaseSession
from playbook.library.library import Library
from playbook.ui.fact_inputs import fact_input
from playbook.ui.feedback import show_errors
from playbook.ui.html import esc, tag
from playbook.ui.page import Host, Part
from playbook.ui.widgets import button, classed, html_box, quiet, relabel, replace_children


class StartHost(Host, Protocol):
    """What the start view needs from the staff page (``adopt``: forget the case before)."""

    lib: Library
    session: CaseSession
    adopt: Callable[[], None]
    render: Callable[[], None]


class StartView(Part):
    """Scenario choice, its summary, the facts form (``fact_inputs``), and the Start button."""

    page: StartHost

    def __init__(self, page: StartHost) -> None:
        """Build the view (``widget``) for ``page``'s scenarios.

        Args:
            page: the staff page (library, case session, language, message area).
        """
        super().__init__(page)
        ids = sorted(page.lib.scenarios)
        self.scenario = classed(
            w.RadioButtons(options=[(i, i) for i in ids], value=ids[0]), "pb-scenario"
        )
        self.scenario_help = html_box("pb-scenario-help")
        self.facts_box = classed(w.VBox(), "pb-facts")
        self.fact_inputs: dict[str, w.Text | w.Textarea] = {}
        self.fact_errors: dict[str, w.HTML] = {}
        self._values: dict[str, str] = {}  # what was typed, kept across scenario changes
        self.start_button = button("pb-start", style="primary")
        self.widget = classed(
            w.VBox([self.scenario, self.scenario_help, self.facts_box, self.start_button]),
            "pb-start-view",
        )
        self.scenario.observe(self._on_scenario_change, names="value")
        self.start_button.on_click(self._on_start_click)
        self._build_facts_form()

    def _build_facts_form(self) -> None:
        lib = self.page.lib
        self._values.update({k: v.value for k, v in self.fact_inputs.items()})
        self.fact_inputs, self.fact_errors, rows = {}, {}, []
        refs = lib.scenario(self.scenario.value).facts
        for ref in sorted(refs, key=lambda r: not r.required):  # required facts first
            fact = lib.facts[ref.id]
            box, row = fact_input(fact, self._values.get(ref.id, ""))
            error = html_box("pb-field-error", f"pb-fact-error-{ref.id}")
            label = w.HTML()
            label._pb_fact = (fact, ref.required)
            self.fact_inputs[ref.id], self.fact_errors[ref.id] = box, error
            rows += [label, row, error]  # flat: one box for the form keeps the page light
        replace_children(self.facts_box, rows)

    def render(self) -> None:
        """Label the view in the page's language."""
        lib, lang = self.page.lib, self.lang
        self.start_button.description = self.t("ui.start")
        relabel(
            self.scenario, [(lib.scenarios[i].title.get(lang), i) for i in sorted(lib.scenarios)]
        )
        sc = lib.scenario(self.scenario.value)
        self.scenario_help.value = tag("p", esc(sc.summary.get(lang)), "pb-muted") + tag(
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
                f'<br><span class="pb-muted">{esc(fact.help.get(lang))}</span>'
                if fact.help
                else ""
            )
            label.value = f"{head}<b>{esc(fact.label.get(lang))}</b>{mark}{utc}{hint}"

    @show_errors
    def _on_scenario_change(self, change: dict) -> None:
        if self.page.session.walk is None and not quiet(self.scenario):
            self._build_facts_form()
            self.page.render()

    @show_errors
    def _on_start_click(self, _button: w.Button) -> None:
        session = self.page.session
        if session.active:  # a forged click while a walk is open changes nothing
            return
        raw = {k: str(v.value) for k, v in self.fact_inputs.items()}
        errors = session.start(self.scenario.value, raw)
        for fid, box in self.fact_errors.items():
            label = self.page.lib.facts[fid].label.get(self.lang)
            box.value = esc(errors[fid].render(self.lang, field=label)) if fid in errors else ""
        if errors:
            self.message.value = f'<div class="pb-error">{esc(self.t("ui.fix_fields"))}</div>'
            return
        self.page.adopt()
        self.page.render()
