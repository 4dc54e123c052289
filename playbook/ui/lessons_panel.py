"""The lessons page: where disputes come from, how they end, and whether the fixes work.

Built on :mod:`playbook.lessons.analytics`. The case table is read from the store once (and
again on Refresh); filters redraw from it in memory. Charts are PNGs drawn on the server; each
has a table view and a CSV export. Only the visible tab is drawn; the others are drawn when
opened.
Every callback re-checks its inputs: widget values come from the browser and are untrusted.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd

from playbook.config import REPO_ROOT
from playbook.errors import PlaybookError, StoreError
from playbook.i18n import text
from playbook.lessons import analytics as an
from playbook.lessons.store import LessonsStore
from playbook.library.library import Library
from playbook.orders.paths import order_file_under
from playbook.orders.reader import read_orders
from playbook.ui.feedback import error_html, show_errors
from playbook.ui.html import STYLE, esc, tag
from playbook.ui.lessons_render import LESSONS_STYLE, LessonsText, View
from playbook.ui.widgets import quiet, relabel

log = logging.getLogger("playbook.ui")
LANGS = (("中文", "zh"), ("English", "en"))
ANY = ""
TABS = ("overview", "causes", "rates", "fixes")


def utcnow() -> dt.datetime:
    """The real clock (tests pass another)."""
    return dt.datetime.now(dt.UTC)


class ChartBox:
    """A chart with a Chart/Table switch and a CSV link (CSS hook ``pb-chart-<key>``)."""

    def __init__(self, key: str) -> None:
        self.image = w.Image(format="png", layout=w.Layout(max_width="100%"))
        self.image.add_class("pb-chart-img")
        self.table = w.HTML(layout=w.Layout(display="none"))
        self.table.add_class("pb-chart-table")
        self.mode = w.ToggleButtons(options=(("", "chart"), ("", "table")), value="chart")
        self.mode.add_class("pb-chart-mode")
        self.csv = w.HTML()
        self.csv.add_class("pb-chart-csv")
        self.box = w.VBox([self.mode, self.image, self.table, self.csv])
        self.box.add_class(f"pb-chart-{key}")
        self.mode.observe(self._on_mode, names="value")

    def relabel(self, chart: str, table: str) -> None:
        relabel(self.mode, (("📊 " + chart, "chart"), ("▦ " + table, "table")))

    def show(self, v: View, csv_link: str) -> None:
        self.image.value = v.png
        self.table.value = v.table_html
        self.csv.value = csv_link if v.table_html else ""
        self._apply()

    def _apply(self) -> None:
        as_table = self.mode.value == "table" or not self.image.value
        self.image.layout.display = "none" if as_table else ""
        self.table.layout.display = "" if as_table else "none"

    def _on_mode(self, change: dict) -> None:
        if change["new"] in ("chart", "table"):
            self._apply()


class LessonsPanel:
    """The whole lessons page as one widget tree (``panel.widget``).

    Args:
        library: the library.
        lessons: the lessons view of the case store; None shows the empty state.
        clock: the current UTC time (open/overdue now, the end of fix windows).
        lang: 'zh' or 'en'.
        user: the acting person when the server knows it (recording a fix asks otherwise).
        orders_dir: order files may only be loaded from under this folder (default data/).
        cache_dir: where the case table is kept between page views (``read_cases``); None
            reads every case each time.
    """

    def __init__(
        self,
        library: Library,
        lessons: LessonsStore | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
        lang: str = "zh",
        user: str | None = None,
        orders_dir: Path | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self.lib = library
        self.config = self.lib.lessons
        self.lessons, self.clock, self.user = lessons, clock, user
        self.lang = lang if lang in ("zh", "en") else "zh"
        self.orders_dir = Path(orders_dir or REPO_ROOT / "data").resolve()
        self.cache_dir = cache_dir
        self.orders: pd.DataFrame | None = None
        self.table = pd.DataFrame()  # one row per case; read by refresh()
        self.fixes = pd.DataFrame()
        self.stale = set(TABS)
        self._build()
        self.refresh()

    # --- layout ------------------------------------------------------------------------------

    def _build(self) -> None:
        def html(cls: str) -> w.HTML:
            widget = w.HTML()
            widget.add_class(cls)
            return widget

        def pick(cls: str, **kw: Any) -> Any:
            widget = w.Dropdown(options=((text("lessons.any", self.lang), ANY),), **kw)
            widget.add_class(cls)
            return widget

        self.header, self.message, self.summary = (
            html("pb-header"),
            html("pb-message"),
            html("pb-summary"),
        )
        self.empty = html("pb-empty-state")
        self.lang_toggle = w.ToggleButtons(options=LANGS, value=self.lang)
        self.lang_toggle.add_class("pb-lang")
        self.start, self.end = w.DatePicker(), w.DatePicker()
        self.start.add_class("pb-filter-start")
        self.end.add_class("pb-filter-end")
        self.scenario = pick("pb-filter-scenario")
        self.store_pick = pick("pb-filter-store")
        self.assignee = pick("pb-filter-assignee")
        self.refresh_button = w.Button(icon="refresh")
        self.refresh_button.add_class("pb-refresh")
        self.filters = w.HBox(
            [
                self.start,
                self.end,
                self.scenario,
                self.store_pick,
                self.assignee,
                self.refresh_button,
            ],
            layout=w.Layout(flex_flow="row wrap"),
        )
        self.charts = {k: ChartBox(k) for k in ("weekly", "outcomes", "pareto", "rates", "fix")}
        self.pareto_by = pick("pb-pareto-by")
        self.pareto_cause = pick("pb-pareto-cause")
        self.rate_by = w.Dropdown()
        self.rate_by.add_class("pb-rate-by")
        self.orders_path = w.Text(layout=w.Layout(width="420px"))
        self.orders_path.add_class("pb-orders-path")
        self.orders_button = w.Button()
        self.orders_button.add_class("pb-orders-load")
        self.rate_note = html("pb-rate-note")
        self.fix_pick = w.Dropdown()
        self.fix_pick.add_class("pb-fix-pick")
        self.fix_summary = html("pb-fix-summary")
        self._build_fix_form()
        self._build_tabs()

    def _build_fix_form(self) -> None:
        self.fix_cause = w.Dropdown()
        self.fix_cause.add_class("pb-fix-cause")
        self.fix_date = w.DatePicker()
        self.fix_date.add_class("pb-fix-date")
        self.fix_title = w.Text(layout=w.Layout(width="420px"))
        self.fix_title.add_class("pb-fix-title")
        self.fix_actor = w.Text(layout=w.Layout(display="none" if self.user else ""))
        self.fix_actor.add_class("pb-actor")
        self.fix_save = w.Button(button_style="primary")
        self.fix_save.add_class("pb-fix-save")
        self.fix_form_title = w.HTML()
        self.fix_form = w.VBox(
            [
                self.fix_form_title,
                self.fix_cause,
                self.fix_date,
                self.fix_title,
                self.fix_actor,
                self.fix_save,
            ]
        )

    def _build_tabs(self) -> None:
        c = self.charts
        self.tabs = w.Tab(
            children=[
                w.VBox([c["weekly"].box, c["outcomes"].box]),
                w.VBox([w.HBox([self.pareto_by, self.pareto_cause]), c["pareto"].box]),
                w.VBox(
                    [
                        w.HBox([self.orders_path, self.orders_button]),
                        self.rate_by,
                        self.rate_note,
                        c["rates"].box,
                    ]
                ),
                w.VBox([self.fix_pick, self.fix_summary, c["fix"].box, self.fix_form]),
            ]
        )
        self.tabs.add_class("pb-tabs")
        self.content = w.VBox([self.filters, self.summary, self.tabs])
        self.widget = w.VBox(
            [self.header, self.lang_toggle, self.message, self.empty, self.content]
        )
        self.widget.add_class("pb-app")
        self.widget.add_class("pb-lessons")
        self.lang_toggle.observe(self._on_lang, names="value")
        for box in (self.start, self.end, self.scenario, self.store_pick, self.assignee):
            box.observe(self._on_filter, names="value")
        for box in (self.pareto_by, self.pareto_cause, self.rate_by, self.fix_pick):
            box.observe(self._on_view_option, names="value")
        self.tabs.observe(self._on_tab, names="selected_index")
        self.refresh_button.on_click(self._on_refresh)
        self.orders_button.on_click(self._on_orders)
        self.fix_save.on_click(self._on_fix_save)

    def t(self, key: str, **params: Any) -> str:
        return text(key, self.lang, **params)

    @property
    def texts(self) -> LessonsText:
        return LessonsText(self.lib, self.config, self.lang)

    # --- data --------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the cases (joined with the loaded orders) and fixes again, then redraw."""
        if self.lessons is None:
            self.table, self.fixes = pd.DataFrame(), pd.DataFrame()
        else:
            self.table = self.lessons.read_cases(self.orders, cache_dir=self.cache_dir)
            self.fixes = self.lessons.fixes()
        self.render()

    def current_filters(self) -> an.Filters:
        """The filters as chosen; anything not offered on the page counts as "any".

        Raises:
            PlaybookError: the start date is after the end date.
        """

        def date(value: object) -> dt.date | None:
            return value if isinstance(value, dt.date) else None

        def choice(widget: Any, allowed: set[str]) -> str | None:
            value = widget.value
            return value if isinstance(value, str) and value in allowed else None

        start, end = date(self.start.value), date(self.end.value)
        if start and end and start > end:
            raise PlaybookError("lessons.error.range", start=start, end=end)
        table = self.table
        return an.Filters(
            start=start,
            end=end,
            scenario=choice(self.scenario, set(self.lib.scenarios)),
            store=choice(self.store_pick, set(an.unique_values(table, "store"))),
            assignee=choice(self.assignee, set(an.unique_values(table, "assignee"))),
        )

    # --- rendering ---------------------------------------------------------------------------

    def render(self) -> None:
        """Labels in the page language, the summary, and the visible tab (others go stale)."""
        self._labels()
        has_cases = len(self.table) > 0
        self.empty.value = (
            "" if has_cases else tag("div", esc(self.t("lessons.empty")), "pb-empty")
        )
        self.content.layout.display = "" if has_cases else "none"
        self.stale = set(TABS)
        if not has_cases:
            return
        try:
            filters = self.current_filters()
        except PlaybookError as err:
            self.message.value = error_html(err.render(self.lang))
            return
        self.shown = an.select_cases(self.table, filters)
        self.filters_now = filters
        everywhere = an.select_cases(self.table, filters, dates=False)
        self.summary.value = self.texts.kpis(self.shown, an.open_now(everywhere, self.clock()))
        self._draw(TABS[self.tabs.selected_index or 0])

    def _draw(self, tab: str) -> None:
        texts, c = self.texts, self.charts
        if tab == "overview":
            self._show(
                c["weekly"], texts.weekly_view(an.weekly_flow(self.table, self.filters_now))
            )
            self._show(c["outcomes"], texts.outcome_view(self.shown))
        elif tab == "causes":
            by = self.pareto_by.value if self.pareto_by.value in an.DIMENSIONS else None
            cause = (
                self.pareto_cause.value
                if self.pareto_cause.value in self.lib.root_causes
                else None
            )
            self._show(c["pareto"], texts.pareto_view(self.shown, by, cause))
        elif tab == "rates":
            self._draw_rates()
        else:
            self._draw_fix()
        self.stale.discard(tab)

    def _show(self, box: ChartBox, v: View) -> None:
        box.show(v, self.texts.csv_link(v))

    def _draw_rates(self) -> None:
        if self.orders is None:
            self.rate_note.value = tag("p", esc(self.t("lessons.rates_need_orders")), "pb-muted")
            self.charts["rates"].show(View(b"", "", "", "rates.csv"), "")
            return
        by = self.rate_by.value if self.rate_by.value in ("sku", "carrier") else "sku"
        rates = an.dispute_rates(
            self.shown, self.orders, by, self.filters_now, self.config.small_numbers
        )
        note = self.t("lessons.caveat", n=self.config.small_numbers)
        self.rate_note.value = tag("p", esc(note), "pb-caveat")
        self._show(self.charts["rates"], self.texts.rate_view(rates, by))

    def _draw_fix(self) -> None:
        fix = self._chosen_fix()
        if fix is None:
            self.fix_summary.value = tag("p", esc(self.t("lessons.no_fixes")), "pb-muted")
            self.charts["fix"].show(View(b"", "", "", "fix.csv"), "")
            return
        picked = an.select_cases(self.table, self.filters_now, dates=False)
        effect = an.fix_effect(
            picked, fix.root_cause, fix.starts_at, self.clock(), self.config.fix_window_weeks
        )
        self.fix_summary.value = self.texts.fix_summary(effect)
        self._show(self.charts["fix"], self.texts.fix_view(effect, fix.title))

    def _chosen_fix(self) -> Any:
        if not len(self.fixes):
            return None
        ids = self.fixes["id"].tolist()
        chosen = self.fix_pick.value if self.fix_pick.value in ids else ids[0]
        return self.fixes[self.fixes["id"] == chosen].iloc[0]

    def _labels(self) -> None:
        t, texts = self.t, self.texts
        label = esc(t("lessons.to_staff"))
        link = f'<a class="pb-link-staff" href="staff.ipynb?lang={self.lang}">{label}</a>'
        self.header.value = (
            STYLE
            + LESSONS_STYLE
            + tag("h2", esc(t("lessons.title")))
            + tag("p", esc(t("lessons.subtitle")) + " · " + link, "pb-muted")
        )
        self.start.description, self.end.description = t("lessons.from"), t("lessons.to")
        any_ = ((t("lessons.any"), ANY),)
        table = self.table
        stores = an.unique_values(table, "store") if len(table) else []
        people = an.unique_values(table, "assignee") if len(table) else []
        scenarios = [(texts.scenario(s), s) for s in sorted(self.lib.scenarios)]
        for widget, key, options in (
            (self.scenario, "lessons.col_scenario", scenarios),
            (self.store_pick, "lessons.by_store", [(s, s) for s in stores]),
            (self.assignee, "lessons.by_assignee", [(p, p) for p in people]),
            (
                self.pareto_cause,
                "lessons.cause",
                [(texts.cause(c), c) for c in self.lib.root_causes],
            ),
        ):
            widget.description = t(key)
            relabel(widget, any_ + tuple(options))
        self.pareto_by.description = t("lessons.breakdown")
        relabel(
            self.pareto_by,
            ((t("lessons.by_cause"), ANY),)
            + tuple((t(f"lessons.by_{d}"), d) for d in an.DIMENSIONS),
        )
        self.rate_by.description = t("lessons.breakdown")
        relabel(self.rate_by, tuple((t(f"lessons.by_{d}"), d) for d in ("sku", "carrier")))
        self.refresh_button.description = t("lessons.refresh")
        self.orders_path.description = t("lessons.orders_path")
        self.orders_path.placeholder = "data/sample/wish_orders_sample.csv"
        self.orders_button.description = t("lessons.orders_load")
        for n, key in enumerate(TABS):
            self.tabs.set_title(n, t(f"lessons.tab_{key}"))
        for box in self.charts.values():
            box.relabel(t("lessons.view_chart"), t("lessons.view_table"))
        self._fix_labels()

    def _fix_labels(self) -> None:
        t, texts = self.t, self.texts
        self.fix_pick.description = t("lessons.fix")
        relabel(
            self.fix_pick,
            tuple(
                (f"{r.starts_at:%Y-%m-%d} · {texts.cause(r.root_cause)} · {r.title}", int(r.id))
                for r in self.fixes.itertuples()
            ),
        )
        self.fix_form_title.value = tag("h3", esc(t("lessons.fix_new")))
        self.fix_cause.description = t("lessons.cause")
        relabel(self.fix_cause, tuple((texts.cause(c), c) for c in self.lib.root_causes))
        self.fix_date.description = t("lessons.fix_from")
        self.fix_title.description = t("lessons.fix_what")
        self.fix_title.placeholder = t("lessons.fix_placeholder")
        self.fix_actor.description = t("lessons.actor")
        self.fix_save.description = t("lessons.fix_save")

    # --- callbacks ---------------------------------------------------------------------------

    @show_errors
    def _on_lang(self, change: dict) -> None:
        if change["new"] in ("zh", "en"):
            self.lang = change["new"]
            self.render()

    @show_errors
    def _on_filter(self, change: dict) -> None:
        if not quiet(change["owner"]):
            self.render()

    @show_errors
    def _on_view_option(self, change: dict) -> None:
        if quiet(change["owner"]) or not len(self.table) or not hasattr(self, "shown"):
            return
        tab = (
            "causes"
            if change["owner"] in (self.pareto_by, self.pareto_cause)
            else ("rates" if change["owner"] is self.rate_by else "fixes")
        )
        self._draw(tab)

    @show_errors
    def _on_tab(self, change: dict) -> None:
        index = change["new"]
        if isinstance(index, int) and 0 <= index < len(TABS) and TABS[index] in self.stale:
            if len(self.table) and hasattr(self, "shown"):
                self._draw(TABS[index])

    @show_errors
    def _on_refresh(self, _button: w.Button) -> None:
        self.refresh()

    @show_errors
    def _on_orders(self, _button: w.Button) -> None:
        result = read_orders(order_file_under(self.orders_path.value, self.orders_dir))
        self.orders = result.orders
        self.refresh()
        self.message.value = tag(
            "p", esc(self.t("lessons.orders_loaded", n=len(result.orders))), "pb-muted"
        )

    @show_errors
    def _on_fix_save(self, _button: w.Button) -> None:
        if self.lessons is None:
            raise StoreError("lessons.error.no_store")
        new_id = self.lessons.record_fix(
            root_cause=str(self.fix_cause.value),
            title=str(self.fix_title.value or ""),
            day=self.fix_date.value,
            actor=self.user or str(self.fix_actor.value or ""),
        )
        self.fixes = self.lessons.fixes()
        self._fix_labels()
        self.fix_pick.value = new_id
        self.fix_title.value = ""
        if len(self.table) and hasattr(self, "shown"):
            self._draw("fixes")
        self.message.value = tag("p", esc(self.t("lessons.fix_saved")), "pb-muted")
