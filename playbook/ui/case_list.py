"""The case list: filter the team's cases, overdue first, and open one to resume it.

Only what the list shows (id, scenario, order id, status, assignee, deadline) reaches widget
state; case facts such as buyer names stay in the store until a case is opened.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Protocol

import ipywidgets as w

from playbook.cases.records import CaseFilter
from playbook.cases.roles import Identity, list_assignees
from playbook.cases.store import CaseStore
from playbook.library.library import Library
from playbook.library.model import STATUSES
from playbook.ui.feedback import show_errors
from playbook.ui.html import esc, tag
from playbook.ui.page import Host, Part
from playbook.ui.widgets import ANY, quiet, relabel, replace_children

PAGE = 20


class ListHost(Host, Protocol):
    """What the case list needs from the page it sits on (the staff page)."""

    lib: Library
    identity: Identity | None
    store: CaseStore
    clock: Callable[[], dt.datetime]
    open_case: Callable[[str], None]
    start_new: Callable[[], None]


class CaseListPanel(Part):
    """Filters, a page of cases, and an Open button per case."""

    page: ListHost

    def __init__(self, page: ListHost) -> None:
        """Build the list for ``page``.

        Args:
            page: the staff page it belongs to (language, store, clock, ``open_case``).
        """
        super().__init__(page)
        self.offset = 0
        self.status = w.Dropdown(options=[(s, s) for s in (ANY, *STATUSES)], value=ANY)
        self.status.add_class("pb-filter-status")
        self.scenario = w.Dropdown(options=[(ANY, ANY)], value=ANY)
        self.scenario.add_class("pb-filter-scenario")
        self.assignee = w.Text(layout=w.Layout(width="160px"))
        self.assignee.add_class("pb-filter-assignee")
        self.overdue = w.Checkbox(value=False, indent=False)
        self.overdue.add_class("pb-filter-overdue")
        self.refresh = w.Button()
        self.refresh.add_class("pb-refresh")
        self.new_case = w.Button(button_style="primary")
        self.new_case.add_class("pb-new-case")
        self.prev_page, self.next_page = w.Button(), w.Button()
        self.prev_page.add_class("pb-prev-page")
        self.next_page.add_class("pb-next-page")
        self.summary = w.HTML()
        self.summary.add_class("pb-case-count")
        self.rows = w.VBox()
        self.rows.add_class("pb-case-rows")
        self.widget = w.VBox(
            [
                w.HBox([self.status, self.scenario, self.assignee, self.overdue, self.refresh]),
                self.new_case,
                self.summary,
                self.rows,
                w.HBox([self.prev_page, self.next_page]),
            ]
        )
        self.widget.add_class("pb-cases")
        who = page.identity
        if who is not None and not who.sees_all():  # staff see their own cases only
            self.assignee.layout.display = "none"
        if who is not None and not who.may("start"):
            self.new_case.layout.display = "none"
        for box in (self.status, self.scenario, self.overdue):
            box.observe(self._on_filter_change, names="value")
        self.refresh.on_click(self._on_refresh_click)
        self.new_case.on_click(self._on_new_case_click)
        self.prev_page.on_click(self._on_page_click(-PAGE))
        self.next_page.on_click(self._on_page_click(PAGE))

    def _filter(self) -> CaseFilter:
        # Widget values are untrusted: only known statuses and scenarios filter the query.
        status = self.status.value if self.status.value in STATUSES else None
        scenario = self.scenario.value if self.scenario.value in self.page.lib.scenarios else None
        assignee = str(self.assignee.value).strip()[:200] or None
        return CaseFilter(
            status=status,
            scenario=scenario,
            # narrowed to the signed-in person's cases on the server, whatever was typed
            assignee=list_assignees(self.page.identity, assignee),
            overdue=bool(self.overdue.value),
        )

    def render(self) -> None:
        """Redraw labels and the current page of cases."""
        t, lib = self.page.t, self.page.lib
        relabel(
            self.status, [(t("ui.any_status"), ANY)] + [(t(f"ui.status.{s}"), s) for s in STATUSES]
        )
        relabel(
            self.scenario,
            [(t("ui.any_scenario"), ANY)]
            + [(lib.scenarios[i].title.get(self.lang), i) for i in sorted(lib.scenarios)],
        )
        self.assignee.placeholder = t("ui.assignee")
        self.overdue.description = t("ui.overdue_only")
        self.refresh.description = t("ui.refresh")
        self.new_case.description = t("ui.new_case")
        self.prev_page.description, self.next_page.description = t("ui.prev"), t("ui.more")
        where = self._filter()
        store = self.page.store
        total = store.count_cases(where)
        self.offset = max(0, min(self.offset, max(total - 1, 0) // PAGE * PAGE))
        cases = store.list_cases(where, limit=PAGE, offset=self.offset)
        now = self.page.clock()
        self.summary.value = esc(
            t(
                "ui.case_count",
                total=total,
                first=min(self.offset + 1, total),
                last=self.offset + len(cases),
            )
        )
        rows = []
        for case in cases:
            scenario = lib.scenarios.get(case.scenario_id)
            title = scenario.title.get(self.lang) if scenario else case.scenario_id
            due = case.next_deadline.strftime("%Y-%m-%d %H:%M UTC") if case.next_deadline else "—"
            overdue = case.overdue(now)
            cells = [
                case.id,
                title,
                case.order_id or "—",
                t(f"ui.status.{case.status}"),
                case.assignee or "—",
                due,
            ]
            html = " · ".join(esc(c) for c in cells)
            cls = "pb-deadline past" if overdue else "pb-case-row"
            label = w.HTML(
                tag("span", html + (f" <b>{esc(t('ui.overdue'))}</b>" if overdue else ""), cls)
            )
            button = w.Button(description=t("ui.open"), layout=w.Layout(width="90px"))
            button.add_class(f"pb-open-{case.id}")
            button.on_click(self._on_open_click(case.id))
            rows.append(w.HBox([button, label]))
        replace_children(self.rows, rows or [w.HTML(tag("p", esc(t("ui.no_cases")), "pb-muted"))])
        self.prev_page.disabled = self.offset == 0
        self.next_page.disabled = self.offset + PAGE >= total

    @show_errors
    def _on_filter_change(self, change: dict) -> None:
        if quiet(self.status) or quiet(self.scenario):
            return
        self.offset = 0
        self.render()

    @show_errors
    def _on_refresh_click(self, _button: w.Button) -> None:
        self.render()

    @show_errors
    def _on_new_case_click(self, _button: w.Button) -> None:
        self.page.start_new()

    def _on_open_click(self, case_id: str) -> Any:
        @show_errors
        def on_click(self: CaseListPanel) -> None:
            self.page.open_case(case_id)

        return lambda _button: on_click(self)

    def _on_page_click(self, delta: int) -> Any:
        @show_errors
        def on_click(self: CaseListPanel) -> None:
            self.offset = max(0, self.offset + delta)
            self.render()

        return lambda _button: on_click(self)
