"""The staff page's start view: pick a dispute, read its summary, enter the case facts, Start.

The picker's order, groups and "use this when…" lines are data (``data/picker.yaml``, ordered
by ``playbook.scenarios.picker``); nothing is picked when the page opens. The facts form is
shown once the picked dispute's form is ready (until then a "loading" line, drawn by the
page's CSS alone) and is never rebuilt while it is on screen: picking another dispute shows,
hides and relabels the same inputs in place and adds the ones the new dispute needs at the
end, so whatever a person typed stays where they typed it, however late the server handles
the pick. A case started (or "new dispute") empties the form and the picker.

The facts are passed to ``CaseSession.start`` as typed (untrusted); the session checks them and
each refusal is shown under its field, in the page's language. Facts that only an analyst
fills (``filled_by: analyst``) are never asked here.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Protocol

import ipywidgets as w

from playbook.cases.session import CaseSession
from playbook.library.library import Library
from playbook.scenarios.picker import PickerSection, picker_sections
from playbook.ui.fact_inputs import FactField
from playbook.ui.feedback import error_html, show_errors
from playbook.ui.html import esc, tag
from playbook.ui.page import Host, Part
from playbook.ui.widgets import button, classed, close_tree, html_box, quiet


class StartHost(Host, Protocol):
    """What the start view needs from the staff page (``adopt``: forget the case before)."""

    lib: Library
    session: CaseSession
    durable: bool
    adopt: Callable[[], None]
    render: Callable[[], None]


class DisputePicker:
    """The dispute picker: one radio group per section of ``picker_sections``.

    ``value`` is the picked scenario id (None: nothing picked). Setting it picks in the right
    group, as a click does. ``on_pick`` is called with each new pick (already checked to be
    one of the picker's scenarios).
    """

    def __init__(
        self, lib: Library, on_pick: Callable[[str], None], hidden: Collection[str] = ()
    ) -> None:
        """Build one radio group per section of the picker.

        Args:
            lib: the library (scenarios and data/picker.yaml).
            on_pick: called with the picked scenario id.
            hidden: platforms not offered (their scenarios are not listed).
        """
        self.lib = lib
        self.sections: list[PickerSection] = picker_sections(lib, hidden)
        self.platforms = len({s.platform for s in self.sections}) > 1
        self._picked: str | None = None
        self._on_pick = on_pick
        self.groups: list[w.RadioButtons] = []
        for sec in self.sections:
            ids = [item.scenario.id for item in sec.items]
            group = classed(
                w.RadioButtons(
                    options=[(i, i) for i in ids],
                    value=None,
                    layout=w.Layout(width="100%"),
                    style={"description_width": "initial"},
                ),
                "pb-scenario",
                f"pb-scenario-group-{sec.group}",
            )
            group.observe(self._picked_in(group, frozenset(ids)), names="value")
            self.groups.append(group)
        self.widget = classed(w.VBox(self.groups), "pb-disputes")

    @property
    def value(self) -> str | None:
        """The picked scenario id, or None."""
        return self._picked

    @value.setter
    def value(self, scenario_id: str | None) -> None:
        if scenario_id is None:
            self.clear()
            return
        group = next((g for g in self.groups if scenario_id in {v for _, v in g.options}), None)
        if group is None:  # not offered here (unknown, or of a hidden platform): nothing picked
            self.clear()
            return
        group.value = scenario_id

    @property
    def options(self) -> list[tuple[str, str]]:
        """(label, scenario id) of every dispute, in the order shown."""
        return [opt for group in self.groups for opt in group.options]

    def clear(self) -> None:
        """Pick nothing (a new dispute)."""
        self._picked = None
        for group in self.groups:
            self._set_quietly(group, None)

    def relabel(self, lang: str) -> None:
        """Group headings and each dispute's title with its "use this when…" line in ``lang``."""
        for sec, group in zip(self.sections, self.groups, strict=True):
            title = sec.title.get(lang) if sec.title else ""
            platform = self.lib.platform_name(sec.platform, lang)
            group.description = f"{platform} · {title}" if self.platforms else title
            labels = []
            for item in sec.items:
                name = item.scenario.title.get(lang)
                when = item.when.get(lang) if item.when else ""
                labels.append((f"{name} — {when}" if when else name, item.scenario.id))
            if tuple(group.options) != tuple(labels):
                value = group.value
                group._pb_quiet = True
                try:
                    group.options = labels
                    group.value = value
                finally:
                    group._pb_quiet = False

    def _set_quietly(self, group: w.RadioButtons, value: str | None) -> None:
        if group.value == value:
            return
        group._pb_quiet = True
        try:
            group.value = value
        finally:
            group._pb_quiet = False

    def _picked_in(self, group: w.RadioButtons, ids: frozenset[str]) -> Callable[[dict], None]:
        def on_change(change: dict) -> None:
            new = change["new"]
            if quiet(group) or new is None or new not in ids:  # the value is the browser's
                return
            for other in self.groups:
                if other is not group:
                    self._set_quietly(other, None)
            self._picked = new
            self._on_pick(new)

        return on_change


class StartView(Part):
    """The dispute picker, its summary, the facts form (``fact_inputs``), and Start."""

    page: StartHost

    def __init__(self, page: StartHost) -> None:
        """Build the view (``widget``) for ``page``'s scenarios.

        Args:
            page: the staff page (library, case session, language, message area).
        """
        super().__init__(page)
        self.picker = DisputePicker(page.lib, self._pick, page.hidden_platforms)
        self.scenario = self.picker  # ``scenario.value``: the picked dispute
        self.pick_title = html_box("pb-pick-title")
        self.scenario_help = html_box("pb-scenario-help")
        self.facts_wait = html_box("pb-facts-wait")  # shown by CSS while a pick is handled
        self.facts_box = classed(w.VBox(), "pb-facts")
        self.facts_box.layout.display = "none"  # no form before a dispute is picked
        self.fields: dict[str, FactField] = {}  # every input built since the form was shown
        self.start_button = button("pb-start", style="primary")
        self.widget = classed(
            w.VBox(
                [
                    self.pick_title,
                    self.picker.widget,
                    self.facts_wait,
                    self.scenario_help,
                    self.facts_box,
                    self.start_button,
                ]
            ),
            "pb-start-view",
        )
        self.start_button.on_click(self._on_start_click)

    # --- what the picked dispute asks ----------------------------------------------------

    def asked(self) -> list[tuple[str, bool]]:
        """(fact id, required) the picked dispute asks of staff, required first."""
        sid = self.picker.value
        if sid not in self.page.lib.scenarios:
            return []
        lib = self.page.lib
        refs = [
            r for r in lib.scenario(sid).facts if lib.facts[r.id].filled_by == "staff"
        ]  # analyst facts (triage's note) are never asked of staff
        return [(r.id, r.required) for r in sorted(refs, key=lambda r: not r.required)]

    @property
    def fact_inputs(self) -> dict[str, w.Widget]:
        """The input of each fact the picked dispute asks, by fact id."""
        return {fid: self.fields[fid].box for fid, _ in self.asked() if fid in self.fields}

    @property
    def fact_errors(self) -> dict[str, w.HTML]:
        """The error line under each fact the picked dispute asks, by fact id."""
        return {fid: self.fields[fid].error for fid, _ in self.asked() if fid in self.fields}

    @show_errors
    def _pick(self, scenario_id: str) -> None:
        if self.page.session.active:  # the start view is not on screen
            return
        self._fit_form()
        self.page.render()

    def _fit_form(self) -> None:
        """Make the form the picked dispute's, without touching what was typed.

        A hidden form (nothing picked since the page opened or the last case started) is
        built afresh in the dispute's order; a form on screen only gains the inputs it lacks
        (at the end: inputs before them keep their place, focus and text) and shows or hides
        the others.
        """
        asked = self.asked()
        if not asked and self.picker.value is None:
            return
        lib = self.page.lib
        if self.facts_box.layout.display == "none":
            old = list(self.facts_box.children)
            self.fields = {fid: FactField(lib.facts[fid], self.lang) for fid, _ in asked}
            self.facts_box.children = [p for f in self.fields.values() for p in f.parts]
            for widget in old:
                close_tree(widget)
        else:
            new = {
                fid: FactField(lib.facts[fid], self.lang)
                for fid, _ in asked
                if fid not in self.fields
            }
            if new:
                self.fields.update(new)
                self.facts_box.children = (
                    *self.facts_box.children,
                    *(p for f in new.values() for p in f.parts),
                )
        wanted = dict(asked)
        for fid, field in self.fields.items():
            field.show(fid in wanted)
            field.required = wanted.get(fid, False)
        self.facts_box.layout.display = ""

    def reset(self) -> None:
        """Pick nothing and hide the form; the next pick builds an empty one."""
        self.picker.clear()
        for field in self.fields.values():
            field.clear()
        self.facts_box.layout.display = "none"

    # --- rendering -------------------------------------------------------------------------

    def render(self) -> None:
        """Label the view in the page's language."""
        lib, lang = self.page.lib, self.lang
        self.start_button.description = self.t("ui.start")
        self.pick_title.value = tag("h3", esc(self.t("ui.pick_dispute")))
        self.facts_wait.value = tag("p", esc(self.t("ui.form_loading")), "pb-muted")
        self.picker.relabel(lang)
        sid = self.picker.value
        self.start_button.disabled = sid is None
        if sid is None:
            self.scenario_help.value = tag("p", esc(self.t("ui.pick_dispute_first")), "pb-muted")
            return
        sc = lib.scenario(sid)
        self.scenario_help.value = tag("p", esc(sc.summary.get(lang)), "pb-muted") + tag(
            "h3", esc(self.t("ui.case_facts"))
        )
        self._label_fields()

    def _label_fields(self) -> None:
        asked = dict(self.asked())
        shown = [fid for fid in self.fields if fid in asked]
        # headings only while the inputs on screen stand required first (a form adapted in
        # place to another dispute may not); the "required" mark is on every label anyway
        flags = [asked[fid] for fid in shown]
        headed = flags == sorted(flags, reverse=True)
        groups = {True: "ui.facts_required", False: "ui.facts_optional"}
        for fid, field in self.fields.items():
            required = asked.get(fid, False)
            group = groups.pop(required, None) if headed and fid in asked else None
            field.head.value = tag("h4", esc(self.t(group)), "pb-facts-group") if group else ""
            field.relabel(
                self.lang,
                required=required,
                utc=self.t("ui.fact_utc") if field.fact.type == "datetime" else "",
                mark=self.t("ui.required_mark"),
                pick=self.t("ui.fact_pick"),
            )

    # --- Start -------------------------------------------------------------------------------

    @show_errors
    def _on_start_click(self, _button: w.Button) -> None:
        session = self.page.session
        if session.active:  # a forged click while a walk is open changes nothing
            return
        sid = self.picker.value
        if sid not in self.page.lib.scenarios:  # a forged click before a dispute is picked
            self.message.value = error_html(self.t("ui.pick_dispute_first"))
            return
        inputs = {fid: self.fields[fid] for fid, _ in self.asked() if fid in self.fields}
        raw = {fid: field.raw() for fid, field in inputs.items()}
        assignee = session.starter() if self.page.durable else None
        errors = session.start(sid, raw, assignee=assignee)
        for fid, field in inputs.items():
            label = self.page.lib.facts[fid].label.get(self.lang)
            field.error.value = (
                esc(errors[fid].render(self.lang, field=label)) if fid in errors else ""
            )
        if errors:
            self.message.value = f'<div class="pb-error">{esc(self.t("ui.fix_fields"))}</div>'
            return
        self.reset()  # the next dispute starts from an empty form
        self.page.adopt()
        self.page.render()
