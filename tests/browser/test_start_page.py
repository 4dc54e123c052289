"""The start page as a new staff member meets it, in Debian's Chromium on real Voilà.

The picker's order and groups, a choice fact picked from its list reaching the case as its id,
typing at human speed right after a pick (alone and while 8 other pages open) losing nothing,
and a second dispute on the same page starting from an empty form.
"""

from __future__ import annotations

import base64
import re
import urllib.parse

import pytest
from playwright.sync_api import Page, expect

from playbook.library.library import Library
from playbook.scenarios.picker import picker_order
from tests.browser.conftest import StaffPage, VoilaServer
from tests.browser.helpers import (
    Flow,
    fill_fact,
    item_mismatch_facts,
    pick_dispute,
    sign_in,
)

pytestmark = pytest.mark.browser

KEY_DELAY_MS = 60  # a person typing about 16 keys a second
# Every box of item-mismatch's form a person types into, with what they type.
TYPED = {
    "order_id": "5f1e2d3c4b5a69788796a5b4",
    "buyer_name": "Maria Lopez",
    "store_name": "Sunny Home Store",
    "order_total": "24.99",
    "product_name": "Blue teapot 1.2 L",
    "country": "DE",
    "refund_requested_at": "2026-11-20 08:00",
    "refunded_at": "2026-11-21 09:30",
    "tracking_number": "YT2411200012345",
    "carrier": "YunExpress",
    "buyer_says": "The colour is wrong",
}
PICKED = {"currency": "USD", "manages_own_returns": "yes"}


def decision_log(page: Page) -> str:
    """The open case's decision log (Markdown), as the Export link downloads it."""
    page.locator(".pb-export").click()
    link = page.locator(".pb-export-link a")
    expect(link).to_be_visible()
    href = link.get_attribute("href")
    return base64.b64decode(urllib.parse.unquote(href.split(",", 1)[1])).decode("utf-8")


def log_value(log: str, label: str) -> str:
    """The value of a fact in the decision log's facts table."""
    found = re.search(rf"^\| {re.escape(label)} \| (.*?) \|$", log, re.M)
    assert found, f"{label!r} not in the decision log:\n{log}"
    return found.group(1)


def type_every_box(page: Page, lib: Library) -> None:
    """Type every box with the keyboard at human speed; pick the two list facts."""
    for fact_id, value in TYPED.items():
        box = page.locator(f".pb-facts .pb-fact-{fact_id}").locator("input, textarea")
        box.click()
        box.press_sequentially(value, delay=KEY_DELAY_MS)
    for fact_id, value in PICKED.items():
        fill_fact(page, lib, fact_id, value, "zh")


def expect_every_box_holds_what_was_typed(page: Page) -> None:
    for fact_id, value in TYPED.items():
        box = page.locator(f".pb-facts .pb-fact-{fact_id}").locator("input, textarea")
        if fact_id == "country":  # the list writes the picked country's full label back
            expect(box).to_have_value(re.compile(r"^DE( · .*)?$"))
        else:
            expect(box).to_have_value(value)


def start_and_check_the_case(page: Page, lib: Library) -> None:
    sign_in(page)
    page.locator(".pb-start").click()
    scenario = lib.scenario("item-mismatch")
    expect(page.locator(".pb-step h2")).to_have_text(scenario.step(scenario.start).title.zh)
    log = decision_log(page)
    for fact_id, value in {**TYPED, **PICKED}.items():
        label = lib.facts[fact_id].label.zh
        shown = log_value(log, label)
        if lib.facts[fact_id].type == "datetime":
            assert shown == f"{value} UTC", (fact_id, shown)
        else:
            assert shown == value, (fact_id, shown)


def test_the_picker_lists_disputes_by_how_often_they_come(staff: StaffPage, lib: Library) -> None:
    page = staff.page
    titles = [lib.scenario(sid).title.zh for sid in picker_order(lib)]
    labels = page.locator(".pb-disputes .widget-radio-box label")
    expect(labels).to_have_count(len(titles))
    shown = [t.split(" — ")[0] for t in labels.all_inner_texts()]
    assert shown == titles
    assert shown[0] == lib.scenario("item-mismatch").title.zh
    expect(page.locator(".pb-disputes input:checked")).to_have_count(0)  # nothing preselected
    expect(page.locator(".pb-facts")).to_be_hidden()
    expect(page.locator(".pb-start")).to_be_disabled()
    # each dispute says when to use it; each group has its heading
    expect(labels.first).to_contain_text("买家说收到的货与订单不符")
    # with two platforms each heading names its platform
    expect(page.locator(".pb-scenario-group-buyer-complains").first).to_contain_text(
        "Wish · 买家投诉或要求退款"
    )
    expect(page.locator(".pb-scenario-group-buyer-complains").last).to_contain_text(
        "亚马逊 · 买家投诉或要求退款"
    )


def test_a_choice_picked_from_its_list_reaches_the_case_as_its_id(
    staff: StaffPage, lib: Library
) -> None:
    flow = Flow(staff, lib, "item-mismatch", "zh")
    flow.pick_scenario()
    page = staff.page
    select = page.locator(".pb-fact-manages_own_returns select")
    expect(select.locator("option")).to_have_text(["—", "是", "否"])
    for fact_id, value in item_mismatch_facts().items():
        fill_fact(page, lib, fact_id, value, "zh")
    select.select_option(label="是")
    fill_fact(page, lib, "country", "DE", "zh")
    sign_in(page)
    page.locator(".pb-start").click()
    flow.expect_step("confirm-order")
    log = decision_log(page)
    assert log_value(log, lib.facts["manages_own_returns"].label.zh) == "yes"
    assert log_value(log, lib.facts["country"].label.zh) == "DE"
    assert log_value(log, lib.facts["currency"].label.zh) == "USD"


def test_typing_right_after_the_pick_loses_nothing(staff: StaffPage, lib: Library) -> None:
    page = staff.page
    pick_dispute(page, lib.scenario("item-mismatch").title.zh)
    page.locator(".pb-facts .pb-fact-order_id input").wait_for(state="visible")
    type_every_box(page, lib)
    expect_every_box_holds_what_was_typed(page)
    start_and_check_the_case(page, lib)


def test_typing_while_eight_colleagues_open_the_page_loses_nothing(
    staff: StaffPage, lib: Library, browser: object, voila_server: VoilaServer
) -> None:
    others = []
    try:
        for _ in range(8):
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            other = context.new_page()
            other.goto(voila_server.url, wait_until="commit")  # their kernels start meanwhile
            others.append((context, other))
        page = staff.page
        pick_dispute(page, lib.scenario("item-mismatch").title.zh)
        page.locator(".pb-facts .pb-fact-order_id input").wait_for(state="visible")
        type_every_box(page, lib)
        # and change one's mind: another dispute, then back; nothing typed goes
        pick_dispute(page, lib.scenario("unfulfilled-order").title.zh)
        expect(page.locator(".pb-facts .pb-fact-released_at input")).to_be_visible()
        pick_dispute(page, lib.scenario("item-mismatch").title.zh)
        expect(page.locator(".pb-facts .pb-fact-released_at input")).to_be_hidden()
        expect_every_box_holds_what_was_typed(page)
        start_and_check_the_case(page, lib)
        for _, other in others:  # the colleagues' pages came up meanwhile
            other.locator(".pb-disputes .widget-radio-box label").first.wait_for(state="visible")
    finally:
        for context, other in others:
            other.close(run_before_unload=True)
            context.close()


def test_a_second_dispute_on_the_same_page_starts_empty(staff: StaffPage, lib: Library) -> None:
    flow = Flow(staff, lib, "item-mismatch", "zh")
    flow.start(item_mismatch_facts(product_name="Blue teapot 1.2 L"))
    page = staff.page
    page.locator(".pb-nav button").first.click()  # the case list
    page.locator(".pb-new-case").click()
    expect(page.locator(".pb-disputes input:checked")).to_have_count(0)
    expect(page.locator(".pb-facts")).to_be_hidden()
    pick_dispute(page, lib.scenario("item-mismatch").title.zh)
    boxes = page.locator(".pb-facts").locator("input:visible, textarea:visible")
    expect(boxes.first).to_be_visible()
    for box in boxes.all():
        expect(box).to_have_value("")
    for select in page.locator(".pb-facts select:visible").all():
        expect(select).to_have_value(re.compile(r"^(|—)$"))
