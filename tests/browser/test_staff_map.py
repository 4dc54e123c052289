"""The staff page's scenario map, opened beside the current step on a real Voilà."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from playbook.library.library import Library
from tests.browser.conftest import StaffPage
from tests.browser.helpers import Flow, item_mismatch_facts

pytestmark = pytest.mark.browser


def test_map_beside_the_walk_follows_the_path(staff: StaffPage, lib: Library) -> None:
    flow = Flow(staff, lib, "item-mismatch", "zh")
    flow.switch_language("en")
    flow.start(item_mismatch_facts())
    page = flow.page
    toggle = page.locator(".pb-map-toggle")
    expect(toggle).to_have_text("Map")
    expect(page.locator(".pb-map svg")).to_have_count(0)  # drawn only when opened
    toggle.click()
    svg = page.locator(".pb-map svg")
    expect(svg.locator("g[id='step-confirm-order']")).to_have_class(
        "node pb-node kind-question on-path current"
    )
    flow.answer("our-error", "refund-status")
    expect(svg.locator("g[id='step-refund-status']")).to_have_class(
        "node pb-node kind-question on-path current"
    )
    expect(svg.locator("g[id='step-confirm-order']")).to_have_class(
        "node pb-node kind-question on-path"
    )
    expect(svg.locator("g[id='edge-confirm-order--refund-status']")).to_have_class(
        "edge pb-edge on-path"
    )
    # labels follow the page's language
    flow.switch_language("zh")
    title = lib.scenario("item-mismatch").step("refund-status").title.zh
    expect(svg.locator("g[id='step-refund-status'] text").first).to_contain_text(title[:4])
    toggle.click()
    expect(page.locator(".pb-map svg")).to_have_count(0)
