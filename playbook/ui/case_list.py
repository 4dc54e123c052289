"""The case list: filter the team's cases, overdue first, open one to resume it, assign it.

"Mine / unassigned / everyone's" picks whose cases are listed (narrowed by the core to what the
person's role may see: a staff member's "everyone's" is theirs and the unassigned ones). A lead
assigns or reassigns a row's case (``assign.AssignBar``), a staff member takes an unassigned
one ("Assign to me"). Only what the list shows (id, scenario, order id, status, assignee,
deadline) reaches widget state; case facts such as buyer names stay in the store until a case
is opened.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Protocol

import ipywidgets as w

from playbook.cases.records import Case, CaseFilter
from playbook.cases.roles import SCOPES, Identity, scope_assignees
from playbook.cases.session import CaseSession
from playbook.cases.store import CaseStore
from playbook.library.library import Library
from playbook.library.model import STATUSES
from playbook.scenarios.picker import picker_order
from playbook.ui.assign import AssignBar
from playbook.ui.feedback import show_errors
from playbook.ui.html import esc, tag
from playbook.ui.page import Host, Part
from playbook.ui.widgets import ANY, quiet, relabel, replace_children

PAGE = 20


class ListHost(Host, Protocol):
    """What the case list needs from the page it sits on (the staff page)."""

    lib: Library
    identity: Identity | None
    session: CaseSession
    store: CaseStore
    clock: Callable[[], dt.datetime]
    open_case: Callable[[str], None]
    start_new: Callable[[], None]
    acting: Callable[[], str]
    team: Callable[[], list[str] | None]


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
        self.scope = w.ToggleButtons(options=[(s, s) for s in SCOPES], value="everyone")
        self.scope.add_class("pb-scope")
        self.assign_bar = AssignBar(page, on_done=self._assigned, cls="pb-list-assign")
        label = {"description_width": "initial"}  # each list is named (its <label>)
        self.status = w.Dropdown(
            options=[(s, s) for s in (ANY, *STATUSES)], value=ANY, style=label
        )
        self.status.add_class("pb-filter-status")
        self.scenario = w.Dropdown(options=[(ANY, ANY)], value=ANY, style=label)
        self.scenario.add_class("pb-filter-scenario")
        self.platforms = page.lib.platforms()  # hidden ones too: their cases are still listed
        self.platform = w.Dropdown(options=[(ANY, ANY)], value=ANY, style=label)
        self.platform.add_class("pb-filter-platform")
        if len(self.platforms) < 2:  # one platform: nothing to choose, no column
            self.platform.layout.display = "none"
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
                self.scope,
                w.HBox(
                    [
                        self.status,
                        self.platform,
                        self.scenario,
                        self.assignee,
                        self.overdue,
                        self.refresh,
                    ]
                ),
                self.new_case,
                self.assign_bar.widget,
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
        for box in (self.scope, self.status, self.platform, self.scenario, self.overdue):
            box.observe(self._on_filter_change, names="value")
        self.refresh.on_click(self._on_refresh_click)
        self.new_case.on_click(self._on_new_case_click)
        self.prev_page.on_click(self._on_page_click(-PAGE))
        self.next_page.on_click(self._on_page_click(PAGE))

    def _filter(self) -> CaseFilter:
        # Widget values are untrusted: only known statuses and scenarios filter the query.
        status = self.status.value if self.status.value in STATUSES else None
        platform = self.platform.value if self.platform.value in self.platforms else None
        scenario = self.scenario.value if self.scenario.value in self._scenario_ids() else None
        assignee = str(self.assignee.value).strip()[:200] or None
        scope = self.scope.value if self.scope.value in SCOPES else "everyone"
        me = str(self.page.acting() or "").strip() or None
        return CaseFilter(
            status=status,
            platform=platform,
            scenario=scenario,
            # narrowed to what the signed-in person may see on the server, whatever was picked
            assignee=scope_assignees(self.page.identity, scope, me, assignee),
            overdue=bool(self.overdue.value),
        )

    def render(self) -> None:
        """Redraw labels and the current page of cases."""
        t, lib = self.page.t, self.page.lib
        who = self.page.identity
        everyone = (
            "ui.scope.everyone" if who is None or who.sees_all() else "ui.scope.everyone_mine"
        )
        relabel(
            self.scope,
            [(t("ui.scope.mine"), "mine"), (t("ui.scope.unassigned"), "unassigned")]
            + [(t(everyone), "everyone")],
        )
        self.assignee.layout.display = (
            "" if self.scope.value == "everyone" and (who is None or who.sees_all()) else "none"
        )
        self.assign_bar.render()
        relabel(
            self.status, [(t("ui.any_status"), ANY)] + [(t(f"ui.status.{s}"), s) for s in STATUSES]
        )
        relabel(
            self.platform,
            [(t("ui.any_platform"), ANY)]
            + [(lib.platform_name(p, self.lang), p) for p in self.platforms],
        )
        relabel(
            self.scenario,
            [(t("ui.any_scenario"), ANY)]
            + [(lib.scenarios[i].title.get(self.lang), i) for i in self._scenario_ids()],
        )
        self.assignee.placeholder = t("ui.assignee")
        self.status.description = t("ui.filter_status")
        self.platform.description = t("ui.filter_platform")
        self.scenario.description = t("ui.filter_scenario")
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
        rows = [self._row(case, now) for case in cases]
        replace_children(self.rows, rows or [w.HTML(tag("p", esc(t("ui.no_cases")), "pb-muted"))])
        self.prev_page.disabled = self.offset == 0
        self.next_page.disabled = self.offset + PAGE >= total

    def _scenario_ids(self) -> list[str]:
        """The dispute filter's scenarios: the picked platform's, or every platform's."""
        lib = self.page.lib
        ids = picker_order(lib)  # every scenario, hidden platforms' too
        picked = self.platform.value if self.platform.value in self.platforms else None
        return [i for i in ids if picked is None or lib.scenarios[i].platform == picked]

    def _row(self, case: Case, now: dt.datetime) -> w.HBox:
        """One case of the list: Open, its line, and Assign… or Assign to me where allowed."""
        t, lib = self.page.t, self.page.lib
        scenario = lib.scenarios.get(case.scenario_id)
        title = scenario.title.get(self.lang) if scenario else case.scenario_id
        due = case.next_deadline.strftime("%Y-%m-%d %H:%M UTC") if case.next_deadline else "—"
        named = len(self.platforms) > 1  # with one platform, no platform column
        cells = [
            case.id,
            *([lib.platform_name(case.platform, self.lang)] if named else []),
            title,
            case.order_id or "—",
            t(f"ui.status.{case.status}"),
            case.assignee or "—",
            due,
        ]
        html = " · ".join(esc(c) for c in cells)
        overdue = case.overdue(now)
        cls = "pb-deadline past" if overdue else "pb-case-row"
        label = w.HTML(
            tag("span", html + (f" <b>{esc(t('ui.overdue'))}</b>" if overdue else ""), cls)
        )
        button = w.Button(description=t("ui.open"), layout=w.Layout(width="90px"))
        button.add_class(f"pb-open-{case.id}")
        button.on_click(self._on_open_click(case.id))
        row = [button, label]
        if self.assign_bar.may_assign():
            assign = w.Button(description=t("ui.assign_open"))
            assign.add_class(f"pb-assign-open-{case.id}")
            assign.on_click(self._on_assign_open_click(case.id))
            row.append(assign)
        elif self.assign_bar.may_take(case):
            take = w.Button(description=t("ui.assign_me"))
            take.add_class(f"pb-take-{case.id}")
            take.on_click(self._on_take_click(case.id))
            row.append(take)
        return w.HBox(row)

    @show_errors
    def _on_filter_change(self, change: dict) -> None:
        if any(quiet(box) for box in (self.status, self.platform, self.scenario, self.scope)):
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

    def _assigned(self) -> None:
        self.assign_bar.show(None)
        self.render()

    def _on_assign_open_click(self, case_id: str) -> Any:
        @show_errors
        def on_click(self: CaseListPanel) -> None:
            if not self.assign_bar.may_assign():  # a forged click changes nothing
                return
            self.assign_bar.show(self.page.store.get_case(case_id), closable=True)

        return lambda _button: on_click(self)

    def _on_take_click(self, case_id: str) -> Any:
        @show_errors
        def on_click(self: CaseListPanel) -> None:
            case = self.page.store.get_case(case_id)
            if not self.assign_bar.may_take(case):  # someone took it meanwhile, or forged
                return
            self.assign_bar.case = case
            self.assign_bar._done(self.page.session.take(case_id))

        return lambda _button: on_click(self)

    def _on_page_click(self, delta: int) -> Any:
        @show_errors
        def on_click(self: CaseListPanel) -> None:
            self.offset = max(0, self.offset + delta)
            self.render()

        return lambda _button: on_click(self)
