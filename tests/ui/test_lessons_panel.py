"""The lessons page on the known store (real SQLite file), driven like a visitor.

Set filter values, click buttons, switch tabs and language. Expected figures are the
hand-worked ones of tests/lessons/test_analytics.py.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import re

import pytest
from sqlalchemy import update

from playbook.cases.schema import cases
from playbook.cases.sql_store import SqlStore as Store
from playbook.i18n import text
from playbook.lessons.store import LessonsStore
from playbook.ui.lessons_panel import TABS, LessonsPanel
from tests.lessons_store import known_store, make_cases_module

AS_OF = dt.datetime(2026, 4, 27, 12, 0, tzinfo=dt.UTC)
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def store(tmp_path, lib):
    with known_store("sqlite", tmp_path, lib) as st:
        yield st


def panel_for(store, lib, lang="en", **kw):
    lessons = None if store is None else LessonsStore(store, lib, clock=lambda: AS_OF)
    return LessonsPanel(lib, lessons, clock=lambda: AS_OF, lang=lang, **kw)


def kpis(panel):
    """The figure boxes as {label: value}."""
    found = re.findall(r'class="pb-kpi">(.*?)<b>(.*?)</b>', panel.summary.value)
    return {html.unescape(k): html.unescape(v) for k, v in found}


def csv_of(box):
    payload = re.search(r"base64,([A-Za-z0-9+/=]+)", box.csv.value).group(1)
    return base64.b64decode(payload).decode("utf-8")


def test_first_view_shows_the_known_figures(store, lib):
    panel = panel_for(store, lib)
    assert kpis(panel) == {
        "Cases opened in range": "83",
        "Open now": "11",
        "Overdue now": "3",
        "Appeal success rate": "60.0%",
        "Median time to first reply": "2.0 h",
        "Median time to resolution": "3.0 d",
    }
    assert panel.empty.value == ""
    weekly, outcomes = panel.tabs.charts["weekly"], panel.tabs.charts["outcomes"]
    assert weekly.png.startswith(b"\x89PNG")
    assert "Refunded</td><td>37</td><td>50.0%" in outcomes.table.value
    assert "Appeal won,6," in csv_of(outcomes)


def test_filter_change_redraws_charts_tables_and_figures(store, lib):
    panel = panel_for(store, lib)
    weekly = panel.tabs.charts["weekly"]
    before_png, before_table = weekly.png, weekly.table.value
    panel.filters.scenario.value = "unfulfilled-order"
    assert kpis(panel)["Cases opened in range"] == "20"
    assert kpis(panel)["Open now"] == "5"
    assert kpis(panel)["Median time to resolution"] == "4.8 h"
    assert weekly.png != before_png
    assert weekly.table.value != before_table
    assert "Order not fulfilled" in weekly.table.value or "unfulfilled" in weekly.table.value
    panel.filters.scenario.value = ""
    panel.filters.store.value = "Moon Shop"
    assert kpis(panel)["Cases opened in range"] == "24"
    panel.filters.store.value = ""
    panel.filters.start.value, panel.filters.end.value = dt.date(2026, 3, 2), dt.date(2026, 4, 26)
    assert kpis(panel)["Cases opened in range"] == "29"


def test_platform_filter_counts_each_platforms_cases(store, lib):
    # the known store's 20 unfulfilled orders become Amazon's late shipments
    with store.transaction() as conn:
        conn.execute(
            update(cases)
            .where(cases.c.scenario_id == "unfulfilled-order")
            .values(platform="amazon", scenario_id="amazon-late-shipment")
        )
    panel = panel_for(store, lib, lang="zh")
    filters, opened = panel.filters, text("lessons.kpi_cases", "zh")
    assert filters.platform.layout.display != "none"  # two platforms: the filter is offered
    assert ("亚马逊", "amazon") in filters.platform.options
    filters.platform.value = "amazon"
    assert kpis(panel)[opened] == "20"
    offered = {v for _, v in filters.scenario.options} - {""}
    assert offered == {s.id for s in lib.scenarios_of("amazon")}
    filters.platform.value = "wish"
    assert kpis(panel)[opened] == "63"
    filters.platform._pb_quiet = True  # a value the page never offered, as a forged message
    filters.platform.options = [*filters.platform.options, ("Zylo", "zylo")]
    filters.platform.value = "zylo"
    filters.platform._pb_quiet = False
    panel.render()  # not a platform of the library: any platform
    assert kpis(panel)[opened] == "83"


def test_bad_range_says_so_and_keeps_the_charts(store, lib):
    panel = panel_for(store, lib)
    panel.filters.start.value = dt.date(2026, 4, 1)
    panel.filters.end.value = dt.date(2026, 3, 1)
    assert "is after the end date" in panel.message.value


def test_tabs_draw_when_opened_and_table_view(store, lib):
    panel = panel_for(store, lib)
    pareto = panel.tabs.charts["pareto"]
    assert pareto.png == b""  # not drawn until its tab is opened
    panel.tabs.widget.selected_index = TABS.index("causes")
    assert pareto.png.startswith(b"\x89PNG")
    panel.tabs.pareto_by.value = "assignee"
    assert "<td>amy</td><td>47</td>" in pareto.table.value
    assert pareto.table.layout.display == "none"
    pareto.mode.value = "table"
    assert pareto.table.layout.display == ""
    assert pareto.image.layout.display == "none"
    panel.tabs.pareto_cause.value = "picking-error"
    assert "<td>amy</td><td>46</td>" in pareto.table.value


def test_dispute_rates_after_loading_orders(store, lib, tmp_path):
    path = make_cases_module().write_known_orders(tmp_path / "orders" / "known.csv")
    panel = panel_for(store, lib, orders_dir=tmp_path / "orders")
    panel.tabs.widget.selected_index = TABS.index("rates")
    assert html.escape(text("lessons.rates_need_orders", "en")) in panel.tabs.rate_note.value
    panel.tabs.orders_path.value = str(tmp_path / "elsewhere.csv")
    panel.tabs.orders_button.click()
    assert "outside" in panel.message.value
    panel.tabs.orders_path.value = str(path)
    panel.tabs.orders_button.click()
    assert "Loaded 665 orders." in panel.message.value
    rates = panel.tabs.charts["rates"]
    assert "<td>SKU-C</td><td>20</td><td>25</td><td>80.0%</td><td>Few orders" in rates.table.value
    assert "<td>SKU-A</td><td>46</td><td>400</td><td>11.5%</td><td></td>" in rates.table.value
    assert "fewer than 30 shipped orders" in panel.tabs.rate_note.value
    panel.tabs.rate_by.value = "carrier"
    assert "<td>4PX</td><td>33</td><td>265</td>" in rates.table.value


def test_fix_tracking_shows_before_and_after_and_records_a_fix(store, lib):
    panel = panel_for(store, lib, user="Lead Li")
    panel.tabs.widget.selected_index = TABS.index("fixes")
    summary = panel.tabs.fix_summary.value
    assert "<td>before</td><td>37</td><td>54</td><td>8.0</td><td>4.62</td>" in summary
    assert "<td>after</td><td>9</td><td>29</td><td>8.0</td><td>1.12</td>" in summary
    assert "-76%" in summary
    panel.fix_form.save.click()
    assert "Choose the date" in panel.message.value
    panel.fix_form.cause.value = "logistics-channel"
    panel.fix_form.date.value = dt.date(2026, 4, 1)
    panel.fix_form.title.value = "Backup carrier " + XSS
    panel.fix_form.save.click()
    assert "Fix saved." in panel.message.value
    saved = LessonsStore(store, lib).fixes().iloc[0]
    assert (saved.root_cause, saved.actor) == ("logistics-channel", "Lead Li")
    assert panel.tabs.fix_pick.value == int(saved.id)
    # c-* cases with logistics-channel: weeks 5-16, none after 2026-04-01 except c-open
    assert "<td>after</td><td>3</td>" in panel.tabs.fix_summary.value
    assert XSS not in panel.tabs.charts["fix"].table.value


def test_language_switch(store, lib):
    panel = panel_for(store, lib, lang="en")
    panel.lang_toggle.value = "zh"
    assert text("lessons.kpi_open", "zh") in panel.summary.value
    assert panel.tabs.widget.get_title(0) == text("lessons.tab_overview", "zh")
    assert "已退款" in panel.tabs.charts["outcomes"].table.value
    assert 'href="staff.ipynb?lang=zh"' in panel.header.value


def test_data_text_is_escaped(store, lib):
    with store._writer.begin() as conn:
        conn.execute(update(cases).where(cases.c.assignee == "bob").values(assignee=XSS))
    panel = panel_for(store, lib)
    panel.tabs.widget.selected_index = TABS.index("causes")
    panel.tabs.pareto_by.value = "assignee"
    table = panel.tabs.charts["pareto"].table.value
    assert XSS not in table
    assert html.escape(XSS) in table


def test_empty_store_shows_a_friendly_empty_state(tmp_path, lib):
    with Store(f"sqlite:///{tmp_path / 'empty.sqlite3'}") as st:
        panel = panel_for(st, lib)
        assert text("lessons.empty", "en") in panel.empty.value
        assert panel.content.layout.display == "none"
        panel.lang_toggle.value = "zh"
        assert text("lessons.empty", "zh") in panel.empty.value
        panel.filters.refresh_button.click()
        assert panel.message.value == ""
