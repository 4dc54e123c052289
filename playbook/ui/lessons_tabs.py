"""The lessons page's tabs: overview, root causes, dispute rates, fixes.

Each chart has a Chart/Table switch and a CSV link. Only the visible tab is drawn; the others
are marked stale and drawn when opened. The rates tab reads an order file from under the
page's one allowed folder. Widget values are untrusted: a choice the page did not offer falls
back to the tab's default.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import ipywidgets as w
import pandas as pd

from playbook.lessons import analytics as an
from playbook.library.lessons import LessonsConfig
from playbook.library.library import Library
from playbook.orders.paths import order_file_under
from playbook.orders.reader import read_orders
from playbook.ui.feedback import show_errors
from playbook.ui.html import esc, tag
from playbook.ui.lessons_render import LessonsText, View
from playbook.ui.page import Host, Part
from playbook.ui.widgets import ANY, button, classed, html_box, quiet, relabel, text_box

TABS = ("overview", "causes", "rates", "fixes")


class TabsHost(Host, Protocol):
    """What the tabs need from the lessons page (``ready``: cases and a selection to draw)."""

    lib: Library
    config: LessonsConfig
    table: pd.DataFrame
    shown: pd.DataFrame | None
    filters_now: an.Filters | None
    fixes: pd.DataFrame
    orders: pd.DataFrame | None
    orders_dir: Path
    texts: LessonsText
    ready: bool
    clock: Callable[[], dt.datetime]
    refresh: Callable[[], None]


class ChartBox:
    """A chart with a Chart/Table switch and a CSV link (CSS hook ``pb-chart-<key>``)."""

    def __init__(self, key: str) -> None:
        """Build an empty chart box.

        Args:
            key: the chart's name in its CSS class.
        """
        # an <img> in an HTML widget, not ipywidgets' Image: the picture needs its alt text
        # (screen readers; axe-core's image-alt), which Image cannot carry
        self.image = html_box("pb-chart-img")
        self.png = b""  # the picture on screen
        self.alt = ""
        self.table = classed(w.HTML(layout=w.Layout(display="none")), "pb-chart-table")
        self.mode = classed(
            w.ToggleButtons(options=(("", "chart"), ("", "table")), value="chart"),
            "pb-chart-mode",
        )
        self.csv = html_box("pb-chart-csv")
        self.box = classed(
            w.VBox([self.mode, self.image, self.table, self.csv]), f"pb-chart-{key}"
        )
        self.mode.observe(self._on_mode, names="value")

    def relabel(self, chart: str, table: str, alt: str = "") -> None:
        """Label the switch's two sides; ``alt`` says what the picture shows (its alt text)."""
        if alt != self.alt:
            self.alt = alt
            self._draw()
        # words only: the page ships no emoji font (a glyph it cannot draw shows as a box)
        relabel(self.mode, ((chart, "chart"), (table, "table")))

    def show(self, view: View, csv_link: str) -> None:
        """Show ``view`` (a table instead when it has no picture) and its CSV link."""
        self.png = view.png
        self._draw()
        self.table.value = view.table_html
        self.csv.value = csv_link if view.table_html else ""
        self._apply()

    def _draw(self) -> None:
        data = base64.b64encode(self.png).decode("ascii")
        self.image.value = (
            f'<img alt="{esc(self.alt)}" src="data:image/png;base64,{data}" '
            'style="max-width: 100%; height: auto;">'
            if self.png
            else ""
        )

    def _apply(self) -> None:
        as_table = self.mode.value == "table" or not self.png
        self.image.layout.display = "none" if as_table else ""
        self.table.layout.display = "" if as_table else "none"

    def _on_mode(self, change: dict) -> None:
        if change["new"] in ("chart", "table"):
            self._apply()


class LessonsTabs(Part):
    """The four tabs (``widget``) and what each shows.

    ``stale`` holds the tabs to draw again when opened.
    """

    page: TabsHost

    def __init__(self, page: TabsHost, fix_form: w.Widget) -> None:
        """Build the tabs for ``page``.

        Args:
            page: the lessons page (cases, filters, fixes, orders, language, message area).
            fix_form: the form that records a fix, shown under the fixes tab.
        """
        super().__init__(page)
        self.stale = set(TABS)
        self.charts = {k: ChartBox(k) for k in ("weekly", "outcomes", "pareto", "rates", "fix")}
        self.pareto_by = classed(w.Dropdown(options=((ANY, ANY),), value=ANY), "pb-pareto-by")
        self.pareto_cause = classed(
            w.Dropdown(options=((ANY, ANY),), value=ANY), "pb-pareto-cause"
        )
        self.rate_by = classed(w.Dropdown(), "pb-rate-by")
        self.orders_path = text_box("pb-orders-path")
        self.orders_button = button("pb-orders-load")
        self.rate_note = html_box("pb-rate-note")
        self.fix_pick = classed(w.Dropdown(), "pb-fix-pick")
        self.fix_summary = html_box("pb-fix-summary")
        c = self.charts
        self.widget = classed(
            w.Tab(
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
                    w.VBox([self.fix_pick, self.fix_summary, c["fix"].box, fix_form]),
                ]
            ),
            "pb-tabs",
        )
        for box in (self.pareto_by, self.pareto_cause, self.rate_by, self.fix_pick):
            box.observe(self._on_view_option, names="value")
        self.widget.observe(self._on_tab, names="selected_index")
        self.orders_button.on_click(self._on_orders)

    # --- labels ------------------------------------------------------------------------------

    def render(self) -> None:
        """Labels in the page's language; every tab becomes stale.

        The page draws the visible tab when it has cases (``draw``).
        """
        t, texts = self.t, self.page.texts
        self.stale = set(TABS)
        self.pareto_cause.description = t("lessons.cause")
        relabel(
            self.pareto_cause,
            ((t("lessons.any"), ANY), *((texts.cause(c), c) for c in self.page.lib.root_causes)),
        )
        self.pareto_by.description = t("lessons.breakdown")
        relabel(
            self.pareto_by,
            ((t("lessons.by_cause"), ANY), *((t(f"lessons.by_{d}"), d) for d in an.DIMENSIONS)),
        )
        self.rate_by.description = t("lessons.breakdown")
        relabel(self.rate_by, tuple((t(f"lessons.by_{d}"), d) for d in ("sku", "carrier")))
        self.orders_path.description = t("lessons.orders_path")
        self.orders_path.placeholder = "data/sample/wish_orders_sample.csv"
        self.orders_button.description = t("lessons.orders_load")
        for n, key in enumerate(TABS):
            self.widget.set_title(n, t(f"lessons.tab_{key}"))
        for key, box in self.charts.items():
            box.relabel(t("lessons.view_chart"), t("lessons.view_table"), t(f"lessons.alt_{key}"))
        self.render_fix_pick()

    def render_fix_pick(self) -> None:
        """The fix chooser's label and one choice per recorded fix."""
        texts = self.page.texts
        self.fix_pick.description = self.t("lessons.fix")
        relabel(
            self.fix_pick,
            tuple(
                (f"{r.starts_at:%Y-%m-%d} · {texts.cause(r.root_cause)} · {r.title}", int(r.id))
                for r in self.page.fixes.itertuples()
            ),
        )

    # --- drawing -----------------------------------------------------------------------------

    @property
    def visible(self) -> str:
        """The tab on screen."""
        return TABS[self.widget.selected_index or 0]

    def draw(self, tab: str) -> None:
        """Draw ``tab`` from the page's selected cases (the page must be ``ready``)."""
        page, c = self.page, self.charts
        texts, shown = page.texts, page.shown
        if tab == "overview":
            self._show(
                c["weekly"], texts.weekly_view(an.weekly_flow(page.table, page.filters_now))
            )
            self._show(c["outcomes"], texts.outcome_view(shown))
        elif tab == "causes":
            by = self.pareto_by.value if self.pareto_by.value in an.DIMENSIONS else None
            cause = self.pareto_cause.value
            cause = cause if cause in page.lib.root_causes else None
            self._show(c["pareto"], texts.pareto_view(shown, by, cause))
        elif tab == "rates":
            self._draw_rates()
        else:
            self._draw_fix()
        self.stale.discard(tab)

    def _show(self, box: ChartBox, view: View) -> None:
        box.show(view, self.page.texts.csv_link(view))

    def _draw_rates(self) -> None:
        page = self.page
        if page.orders is None:
            self.rate_note.value = tag("p", esc(self.t("lessons.rates_need_orders")), "pb-muted")
            self.charts["rates"].show(View(b"", "", "", "rates.csv"), "")
            return
        by = self.rate_by.value if self.rate_by.value in ("sku", "carrier") else "sku"
        small = page.config.small_numbers
        rates = an.dispute_rates(page.shown, page.orders, by, page.filters_now, small)
        self.rate_note.value = tag("p", esc(self.t("lessons.caveat", n=small)), "pb-caveat")
        self._show(self.charts["rates"], page.texts.rate_view(rates, by))

    def _draw_fix(self) -> None:
        page = self.page
        fix = self._chosen_fix()
        if fix is None:
            self.fix_summary.value = tag("p", esc(self.t("lessons.no_fixes")), "pb-muted")
            self.charts["fix"].show(View(b"", "", "", "fix.csv"), "")
            return
        picked = an.select_cases(page.table, page.filters_now, dates=False)
        weeks = page.config.fix_window_weeks
        effect = an.fix_effect(picked, fix.root_cause, fix.starts_at, page.clock(), weeks)
        self.fix_summary.value = page.texts.fix_summary(effect)
        self._show(self.charts["fix"], page.texts.fix_view(effect, fix.title))

    def _chosen_fix(self) -> Any:
        fixes = self.page.fixes
        if not len(fixes):
            return None
        ids = fixes["id"].tolist()
        chosen = self.fix_pick.value if self.fix_pick.value in ids else ids[0]
        return fixes[fixes["id"] == chosen].iloc[0]

    # --- callbacks ---------------------------------------------------------------------------

    @show_errors
    def _on_view_option(self, change: dict) -> None:
        owner = change["owner"]
        if quiet(owner) or not self.page.ready:
            return
        if owner in (self.pareto_by, self.pareto_cause):
            self.draw("causes")
        else:
            self.draw("rates" if owner is self.rate_by else "fixes")

    @show_errors
    def _on_tab(self, change: dict) -> None:
        index = change["new"]
        if isinstance(index, int) and 0 <= index < len(TABS) and TABS[index] in self.stale:
            if self.page.ready:
                self.draw(TABS[index])

    @show_errors
    def _on_orders(self, _button: w.Button) -> None:
        page = self.page
        result = read_orders(order_file_under(self.orders_path.value, page.orders_dir))
        page.orders = result.orders
        page.refresh()
        self.message.value = tag(
            "p", esc(self.t("lessons.orders_loaded", n=len(result.orders))), "pb-muted"
        )
