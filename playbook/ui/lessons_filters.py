"""The lessons page's filters: opened from / to, scenario, store, assignee, and Refresh.

Widget values come from the browser: a date that is not a date and a choice the page did not
offer both count as "any" (``current``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Protocol

import ipywidgets as w
import pandas as pd

from playbook.lessons import analytics as an
from playbook.library.library import Library
from playbook.ui.feedback import show_errors
from playbook.ui.lessons_render import LessonsText
from playbook.ui.page import Host, Part
from playbook.ui.widgets import ANY, classed, quiet, relabel


class FiltersHost(Host, Protocol):
    """What the filters need from the lessons page."""

    lib: Library
    table: pd.DataFrame
    texts: LessonsText
    render: Callable[[], None]
    refresh: Callable[[], None]


def _choice(cls: str) -> w.Dropdown:
    return classed(
        w.Dropdown(options=((ANY, ANY),), value=ANY, style={"description_width": "initial"}), cls
    )


class LessonsFilters(Part):
    """The filter row (``widget``); a change redraws the page, Refresh reads the cases again."""

    page: FiltersHost

    def __init__(self, page: FiltersHost) -> None:
        """Build the filter row for ``page``.

        Args:
            page: the lessons page (library, case table, language, message area).
        """
        super().__init__(page)
        # "initial": the label as wide as its words ("Opened from" was cut to "Opened fr…")
        label = {"description_width": "initial"}
        self.start = classed(w.DatePicker(style=label), "pb-filter-start")
        self.end = classed(w.DatePicker(style=label), "pb-filter-end")
        self.platform = _choice("pb-filter-platform")
        if len(page.lib.platforms()) < 2:  # one platform: nothing to choose
            self.platform.layout.display = "none"
        self.scenario = _choice("pb-filter-scenario")
        self.store = _choice("pb-filter-store")
        self.assignee = _choice("pb-filter-assignee")
        self.refresh_button = classed(w.Button(), "pb-refresh")  # no icon font on the page
        self.widget = w.HBox(
            [
                self.start,
                self.end,
                self.platform,
                self.scenario,
                self.store,
                self.assignee,
                self.refresh_button,
            ],
            layout=w.Layout(flex_flow="row wrap"),
        )
        for box in (self.start, self.end, self.platform, self.scenario, self.store, self.assignee):
            box.observe(self._on_change, names="value")
        self.refresh_button.on_click(self._on_refresh)

    def current(self) -> an.Filters:
        """The filters as chosen; anything not offered on the page counts as "any".

        Raises:
            InputError: the start date is after the end date.
        """

        def date(value: object) -> dt.date | None:
            return value if isinstance(value, dt.date) else None

        def choice(widget: Any, allowed: set[str]) -> str | None:
            value = widget.value
            return value if isinstance(value, str) and value in allowed else None

        table = self.page.table
        return an.Filters(
            start=date(self.start.value),
            end=date(self.end.value),
            platform=choice(self.platform, set(self.page.lib.platforms())),
            scenario=choice(self.scenario, set(self._scenario_ids())),
            store=choice(self.store, set(an.unique_values(table, "store"))),
            assignee=choice(self.assignee, set(an.unique_values(table, "assignee"))),
        )

    def render(self) -> None:
        """Labels in the page's language; the store and assignee choices of the case table."""
        t, texts, table = self.t, self.page.texts, self.page.table
        self.start.description, self.end.description = t("lessons.from"), t("lessons.to")
        stores = an.unique_values(table, "store") if len(table) else []
        people = an.unique_values(table, "assignee") if len(table) else []
        lib = self.page.lib
        platforms = [(lib.platform_name(p, self.lang), p) for p in lib.platforms()]
        scenarios = [(texts.scenario(s), s) for s in self._scenario_ids()]
        for widget, key, options in (
            (self.platform, "lessons.by_platform", platforms),
            (self.scenario, "lessons.col_scenario", scenarios),
            (self.store, "lessons.by_store", [(s, s) for s in stores]),
            (self.assignee, "lessons.by_assignee", [(p, p) for p in people]),
        ):
            widget.description = t(key)
            relabel(widget, ((t("lessons.any"), ANY), *options))
        self.refresh_button.description = t("lessons.refresh")

    def _scenario_ids(self) -> list[str]:
        """The scenario filter's choices: the picked platform's scenarios, or all of them."""
        lib = self.page.lib
        picked = self.platform.value if self.platform.value in lib.platforms() else None
        return [s for s in sorted(lib.scenarios) if picked in (None, lib.scenarios[s].platform)]

    @show_errors
    def _on_change(self, change: dict) -> None:
        if not quiet(change["owner"]):
            self.page.render()

    @show_errors
    def _on_refresh(self, _button: w.Button) -> None:
        self.page.refresh()
