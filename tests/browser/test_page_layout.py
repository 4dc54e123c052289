"""The staff page fits a 1024 px (and 1280 px) wide window: nothing past the column, no cut label.

Measured in the browser: every visible widget, input and button must lie inside the app's column
(``.pb-app``), the page must not scroll sideways, and no button or label may hide part of its
text (``scrollWidth`` beyond ``clientWidth`` means an ellipsis or a clipped word).
"""

from __future__ import annotations

import pytest

from playbook.scenarios.library import Library
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
