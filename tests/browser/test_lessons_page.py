"""End to end: the lessons page served by a real Voilà on the known store, in Debian's Chromium.

A filter change must redraw the chart images and the tables, in both languages; a store with
no cases shows the empty state. The served page reads the real clock, so only figures that do
not depend on "now" are compared.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from playbook.config import REPO_ROOT
from playbook.i18n import text
from playbook.load import load_library
from tests.browser.conftest import (
    ARTIFACTS,
    UI_TIMEOUT_MS,
    VoilaServer,
    require_chromium,
    save_artifacts,
    start_voila,
)
from tests.lessons_store import make_cases_module

pytestmark = pytest.mark.browser
NOTEBOOK = REPO_ROOT / "notebooks" / "pages" / "lessons.ipynb"


def _serve(tmp_path_factory: pytest.TempPathFactory, name: str, known: bool) -> VoilaServer:
    var = tmp_path_factory.mktemp(f"lessons-{name}")
    url = f"sqlite:///{var / 'cases.sqlite3'}"
    if known:
        make_cases_module().build_known_store(url, load_library()).close()
    return start_voila(
        NOTEBOOK,
        ARTIFACTS / f"voila-lessons-{name}.log",
        extra_args=("--VoilaConfiguration.show_tracebacks=True",),
        extra_env={"PLAYBOOK_VAR_DIR": str(var), "PLAYBOOK_DB_URL": url},
    )


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, VoilaServer]]:
    require_chromium()
    started: dict[str, VoilaServer] = {}
    try:
        started["known"] = _serve(tmp_path_factory, "known", True)
        started["empty"] = _serve(tmp_path_factory, "empty", False)
        yield started
    finally:
        for server in started.values():
            server.stop()


@pytest.fixture
def open_page(request, servers, browser) -> Iterator:
    """A function opening the page of one server in a fresh browser context."""
    expect.set_options(timeout=UI_TIMEOUT_MS)
    opened: list[tuple[Page, VoilaServer]] = []

    def go(which: str, lang: str) -> Page:
        context = browser.new_context(viewport={"width": 1200, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(UI_TIMEOUT_MS)
        opened.append((page, servers[which]))
        page.goto(f"{servers[which].url}?lang={lang}", wait_until="commit")
        page.locator(".pb-lessons").wait_for(state="visible")
        return page

    yield go
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for page, server in opened:
        if failed:
            save_artifacts(request.node.nodeid, page, server)
        page.close(run_before_unload=True)
        page.context.close()


def _img_src(page: Page, chart: str) -> str:
    img = page.locator(f".pb-chart-{chart} img")
    expect(img).to_have_attribute("src", re.compile(r"^blob:|^data:image/png"))
    return img.get_attribute("src")


def _filter_and_check(page: Page, lang: str) -> None:
    lib = load_library()
    weekly = page.locator(".pb-chart-weekly")
    before_src = _img_src(page, "weekly")
    summary_before = page.locator(".pb-summary").inner_text()
    weekly.locator(".pb-chart-mode button").nth(1).click()  # Table
    table = weekly.locator(".pb-chart-table table")
    expect(table).to_be_visible()
    table_before = table.inner_text()
    assert text("lessons.col_week", lang) in table_before
    unfulfilled = lib.scenario("unfulfilled-order").title.get(lang)
    page.locator(".pb-filter-scenario select").select_option(label=unfulfilled)
    expect(table).not_to_contain_text(lib.scenario("item-mismatch").title.get(lang))
    expect(table).to_contain_text(unfulfilled)
    assert table.inner_text() != table_before
    expect(page.locator(".pb-summary")).not_to_have_text(summary_before)
    weekly.locator(".pb-chart-mode button").nth(0).click()  # back to the chart
    expect(weekly.locator("img")).not_to_have_attribute("src", before_src)
    outcomes = page.locator(".pb-chart-outcomes img")
    expect(outcomes).to_be_visible()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_filter_change_redraws_charts_and_tables(open_page, lang: str) -> None:
    page = open_page("known", lang)
    expect(page.locator(".pb-lessons h2")).to_have_text(text("lessons.title", lang))
    expect(page.locator(".pb-summary")).to_contain_text(text("lessons.kpi_appeal", lang))
    expect(page.locator(".pb-summary")).to_contain_text("60.0%")
    _filter_and_check(page, lang)
    expect(page.locator("a.pb-link-staff")).to_have_attribute("href", f"staff.ipynb?lang={lang}")


def test_language_switch_then_filter(open_page) -> None:
    page = open_page("known", "en")
    page.locator(".pb-lang button", has_text="中文").click()
    expect(page.locator(".pb-lessons h2")).to_have_text(text("lessons.title", "zh"))
    _filter_and_check(page, "zh")


def test_fix_tracking_tab_shows_before_and_after(open_page) -> None:
    page = open_page("known", "en")
    page.get_by_role("tab", name=text("lessons.tab_fixes", "en")).click()
    summary = page.locator(".pb-fix-summary")
    expect(summary).to_contain_text("37")
    expect(summary).to_contain_text("4.62")
    expect(summary).to_contain_text("-76%")
    _img_src(page, "fix")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_empty_store_shows_the_empty_state(open_page, lang: str) -> None:
    page = open_page("empty", lang)
    expect(page.locator(".pb-empty")).to_have_text(text("lessons.empty", lang))
    expect(page.locator(".pb-tabs")).to_be_hidden()
