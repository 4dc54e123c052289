"""The staff page fits a 1024 px (and 1280 px) wide window: nothing past the column, no cut label.

Measured in the browser: every visible widget, input and button must lie inside the app's column
(``.pb-app``), the page must not scroll sideways, and no button or label may hide part of its
text (``scrollWidth`` beyond ``clientWidth`` means an ellipsis or a clipped word).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from playbook.i18n import text
from playbook.library.library import Library
from tests.browser.conftest import StaffPage
from tests.browser.helpers import Flow, item_mismatch_facts

pytestmark = pytest.mark.browser

MEASURE = """
() => {
  const column = document.querySelector('.pb-app').getBoundingClientRect();
  const shown = (el) => el.offsetParent !== null && el.getBoundingClientRect().width > 0;
  const name = (el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} `
    + JSON.stringify((el.textContent || el.value || '').trim().slice(0, 40));
  const wide = [];
  for (const el of document.querySelectorAll(
      '.pb-app .jupyter-widgets, .pb-app textarea, .pb-app input, .pb-app button')) {
    if (!shown(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.right > column.right + 1 || r.left < column.left - 1) {
      wide.push(`${name(el)} spans ${Math.round(r.left)}-${Math.round(r.right)}`);
    }
  }
  const cut = [];
  for (const el of document.querySelectorAll(
      '.pb-app button, .pb-app label, .pb-app .widget-label')) {
    if (shown(el) && el.scrollWidth > el.clientWidth + 1) {
      cut.push(`${name(el)} needs ${el.scrollWidth} px, has ${el.clientWidth}`);
    }
  }
  return {
    column: [Math.round(column.left), Math.round(column.right)],
    window: window.innerWidth,
    page: document.documentElement.scrollWidth,
    wide, cut,
  };
}
"""


def assert_fits(staff: StaffPage, where: str) -> None:
    """Everything shown lies in the column, the column in the window, no text cut."""
    found = staff.page.evaluate(MEASURE)
    problems = [f"past the column {found['column']}: {w}" for w in found["wide"]]
    problems += [f"cut: {c}" for c in found["cut"]]
    if found["page"] > found["window"]:
        problems.append(f"page scrolls sideways: {found['page']} px in {found['window']} px")
    assert not problems, f"{where}:\n" + "\n".join(problems)


@pytest.mark.parametrize("width", [1024, 1280])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_screen_fits(staff: StaffPage, lib: Library, width: int, lang: str) -> None:
    staff.page.set_viewport_size({"width": width, "height": 900})
    flow = Flow(staff, lib, "item-mismatch", "zh")
    if lang != "zh":
        flow.switch_language(lang)
    assert_fits(staff, f"start screen, {lang}, {width} px")
    flow.start(item_mismatch_facts())
    assert_fits(staff, f"question with options, {lang}, {width} px")
    flow.answer("our-error", "refund-status")
    flow.answer("open", "own-it")
    # own-it: a long English draft and its "mark as sent" button
    staff.page.locator(".pb-issue button").first.wait_for(state="visible")
    assert_fits(staff, f"step with its draft, {lang}, {width} px")
    staff.page.locator(".pb-nav button").first.click()
    staff.page.locator(".pb-cases").wait_for(state="visible")
    staff.page.locator(".pb-case-rows button").first.wait_for(state="visible")
    assert_fits(staff, f"case list, {lang}, {width} px")


def test_dates_are_picked_or_typed_in_utc(staff: StaffPage, lib: Library) -> None:
    flow = Flow(staff, lib, "item-mismatch", "zh")
    flow.switch_language("en")
    flow.pick_scenario()
    page = staff.page
    box = page.locator(".pb-fact-refund_requested_at input")
    page.locator(".pb-picker-refund_requested_at input").fill("2026-11-20T09:05")
    expect(box).to_have_value("2026-11-20 09:05")
    box.fill("2026-11-21 10:30")  # typing is still accepted
    expect(box).to_have_value("2026-11-21 10:30")
    label = page.locator(".pb-facts .widget-html").filter(has_text=text("ui.fact_utc", "en"))
    expect(label.first).to_be_visible()
    # Required facts first: the "Optional" heading comes after every required fact's box.
    order = page.evaluate(
        """() => [...document.querySelectorAll(
               '.pb-facts .pb-facts-group, .pb-facts .pb-fact input, .pb-facts .pb-fact select')]
             .map((el) => el.classList.contains('pb-facts-group') ? el.textContent : 'input')"""
    )
    optional = order.index(text("ui.facts_optional", "en"))
    required = sum(1 for f in lib.scenario("item-mismatch").facts if f.required)
    assert order[0] == text("ui.facts_required", "en")
    assert order[1:optional].count("input") == required
