"""End to end: the staff page served by a real Voilà, driven in Debian's Chromium.

Each test gets a fresh page (and so a fresh kernel). Steps are found by CSS hooks
(``.pb-step``, ``.pb-options``, ``.pb-next`` …); the texts compared against come from the
library under data/, so a wording change in the YAML does not break the tests. Dates are set
relative to the real clock, because the served page reads the real clock.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from playbook.library.library import Library
from tests.browser.conftest import StaffPage
from tests.browser.helpers import (
    BUYER,
    ORDER_ID,
    STORE,
    Flow,
    KernelSocket,
    ago,
    due_text,
    expect_draft_for_this_order,
    fill_fact,
    item_mismatch_facts,
    sign_in,
    stamp,
    unfulfilled_facts,
)

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"


class TestItemMismatch:
    def test_seller_fault_reship(self, staff: StaffPage, lib: Library) -> None:
        flow = Flow(staff, lib, "item-mismatch", "zh")
        flow.switch_language("en")
        requested = ago(hours=40)
        flow.start(
            item_mismatch_facts(refund_requested_at=stamp(requested), manages_own_returns="yes")
        )
        # The records and the refund status are checked before any message to the buyer.
        expect(flow.page.locator(".pb-drafts textarea")).to_have_count(0)
        flow.answer("our-error", "refund-status")
        flow.answer("open", "own-it")

        # The store manages its own returns: 48 h reply clock, 40 h gone: under a day left.
        expect(flow.deadline()).to_have_class(re.compile(r"\bsoon\b"))
        expect(flow.deadline()).to_contain_text(due_text(requested, hours=48))
        expect(flow.deadline()).to_contain_text(re.compile(r"\(7 h \d+ min left\)"))
        expect_draft_for_this_order(flow.draft("buyer-apology-remedy"))
        flow.next("choose-remedy")
        flow.answer("reship", "risk-review")
        flow.page.locator(".pb-cause-picking-error input").check()
        flow.next("outcome-reshipped")

        flow.expect_outcome("outcome-reshipped")
        cause = lib.root_causes["picking-error"].text.get("en")
        expect(flow.page.locator(".pb-outcome")).to_contain_text(cause)
        review = flow.page.locator(".pb-review")
        for step_id in ("confirm-order", "refund-status", "own-it", "choose-remedy"):
            expect(review).to_contain_text(flow.scenario.step(step_id).title.get("en"))

    def test_appeal_after_buyer_refuses(self, staff: StaffPage, lib: Library) -> None:
        flow = Flow(staff, lib, "item-mismatch", "zh")
        flow.switch_language("en")
        refunded = ago(days=30)
        flow.start(
            item_mismatch_facts(
                refunded_at=stamp(refunded),
                manages_own_returns="yes",  # the 90-day window is for such stores
                product_name="Blue cotton T-shirt, size M",
                carrier="YunExpress",
                tracking_number="YT2412345678901234",
            )
        )
        flow.answer("shipped-correctly", "refund-status")
        flow.answer("open", "contact-buyer")
        expect_draft_for_this_order(flow.draft("buyer-ask-details"))
        flow.next("buyer-details")
        flow.answer("correct-but-disputed", "explain-with-evidence")
        expect_draft_for_this_order(flow.draft("buyer-explain-evidence"))
        flow.page.locator(".pb-evidence-product-photos input").check()
        flow.next("buyer-response")
        # 24.99 USD is over the low-value limit: straight to the appeal.
        flow.answer("refuses", "prepare-appeal")

        appeal = flow.draft("appeal-item-mismatch")
        expect(appeal).to_have_value(re.compile(re.escape(ORDER_ID)))
        expect(appeal).to_have_value(re.compile(r"24\.99 USD"))
        expect(appeal).to_have_value(re.compile(r"YunExpress YT2412345678901234"))
        expect(appeal).to_have_value(re.compile(re.escape(STORE)))
        expect(appeal).not_to_have_value(re.compile(r"\{\w+\}"))
        # 90-day refund dispute window, 30 days gone.
        expect(flow.deadline()).to_have_class(re.compile(r"\bok\b"))
        expect(flow.deadline()).to_contain_text(due_text(refunded, days=90))
        expect(flow.deadline()).to_contain_text(re.compile(r"\(59 d 23 h left\)"))

        flow.next("appeal-result")
        flow.answer("pending", "risk-review")
        flow.next("outcome-appeal-pending")
        flow.expect_outcome("outcome-appeal-pending")


class TestUnfulfilledOrder:
    def test_adjust_and_ship(self, staff: StaffPage, lib: Library) -> None:
        flow = Flow(staff, lib, "unfulfilled-order", "zh")
        flow.switch_language("en")
        released = ago(days=3)
        flow.start(unfulfilled_facts(released, new_ship_date=stamp(ago(days=-1))[:10]))
        # Five calendar days from release, three gone.
        expect(flow.deadline()).to_have_class(re.compile(r"\bok\b"))
        expect(flow.deadline()).to_contain_text(due_text(released, days=5))
        expect(flow.deadline()).to_contain_text(re.compile(r"\(1 d 23 h left\)"))

        flow.answer("stock-out", "contact-buyer")
        expect_draft_for_this_order(flow.draft("buyer-delay-notice"))
        flow.next("buyer-reply")
        flow.answer("will-wait", "adjust-or-cancel")
        flow.answer("adjust", "adjust-order")
        draft = flow.draft("buyer-new-ship-date")
        expect_draft_for_this_order(draft)
        expect(draft).to_have_value(re.compile(re.escape(stamp(ago(days=-1))[:10])))
        expect(draft).not_to_have_value(re.compile("coupon"))  # no coupon: no source for one
        expect(flow.deadline()).to_contain_text(due_text(released, days=5))
        flow.next("buyer-decision")
        flow.answer("accepted", "lessons-learned")
        flow.next("outcome-shipped")
        flow.expect_outcome("outcome-shipped")

    def test_cancel_and_refund(self, staff: StaffPage, lib: Library) -> None:
        flow = Flow(staff, lib, "unfulfilled-order", "zh")
        flow.switch_language("en")
        released = ago(days=4, hours=12)
        flow.start(unfulfilled_facts(released, product_name="Garden lamp"))
        # Half a day left of the five: flagged.
        expect(flow.deadline()).to_have_class(re.compile(r"\bsoon\b"))
        expect(flow.deadline()).to_contain_text(due_text(released, days=5))
        expect(flow.deadline()).to_contain_text(re.compile(r"\(11 h \d+ min left\)"))

        flow.answer("stock-out", "contact-buyer")
        expect(flow.deadline()).to_have_class(re.compile(r"\bsoon\b"))
        flow.next("buyer-reply")
        flow.answer("will-wait", "adjust-or-cancel")
        flow.answer("cancel", "cancel-order")
        draft = flow.draft("buyer-cancel-notice")
        expect_draft_for_this_order(draft)
        expect(draft).to_have_value(re.compile("Garden lamp"))
        flow.next("lessons-learned")
        flow.page.locator(".pb-cause-inventory-inaccuracy input").check()
        flow.next("outcome-cancelled")
        flow.expect_outcome("outcome-cancelled")


def test_back_keeps_later_answers(staff: StaffPage, lib: Library) -> None:
    flow = Flow(staff, lib, "item-mismatch", "zh")
    flow.switch_language("en")
    flow.start(item_mismatch_facts())
    expect(flow.page.locator(".pb-back")).to_be_disabled()
    flow.answer("our-error", "refund-status")
    flow.answer("open", "own-it")
    flow.next("choose-remedy")
    flow.answer("partial-refund", "risk-review")

    flow.back("choose-remedy")
    expect(flow.radio("choose-remedy", "partial-refund")).to_be_checked()
    expect(flow.page.locator(".pb-next")).to_be_enabled()
    flow.back("own-it")
    flow.back("refund-status")
    expect(flow.radio("refund-status", "open")).to_be_checked()
    flow.back("confirm-order")
    expect(flow.radio("confirm-order", "our-error")).to_be_checked()
    # Forward again on the kept answers, without choosing anything.
    flow.next("refund-status")
    flow.next("own-it")
    flow.next("choose-remedy")
    expect(flow.radio("choose-remedy", "partial-refund")).to_be_checked()
    flow.next("risk-review")
    flow.next("outcome-refunded")
    flow.expect_outcome("outcome-refunded")


def test_language_switch_keeps_the_step(staff: StaffPage, lib: Library) -> None:
    flow = Flow(staff, lib, "item-mismatch", "zh")
    page = flow.page
    scenario = flow.scenario
    expect(page.locator(".pb-disputes")).to_contain_text(scenario.title.get("zh"))
    flow.switch_language("en")
    expect(page.locator(".pb-disputes")).to_contain_text(scenario.title.get("en"))
    expect(page.locator(".pb-disputes")).not_to_contain_text(scenario.title.get("zh"))

    flow.start(item_mismatch_facts())
    flow.expect_step("confirm-order")
    # A choice not yet confirmed with Next survives the switch both ways.
    flow.choose("shipped-correctly")
    flow.switch_language("zh")
    expect(flow.radio("confirm-order", "shipped-correctly")).to_be_checked()
    flow.switch_language("en")
    expect(flow.radio("confirm-order", "shipped-correctly")).to_be_checked()
    flow.next("refund-status")
    flow.answer("open", "contact-buyer")
    flow.next("buyer-details")
    flow.answer("buyer-misunderstanding", "explain-with-evidence")
    step = scenario.step("explain-with-evidence")

    flow.switch_language("zh")  # waits for the zh title of the same step
    expect(page.locator(".pb-step")).to_contain_text(step.text.get("zh"))
    expect(page.locator(".pb-step")).not_to_contain_text(step.text.get("en"))
    expect(page.locator(".pb-back")).to_have_text("上一步")
    item = step.evidence[0]
    expect(page.locator(f".pb-evidence-{item.id}")).to_contain_text(item.item.get("zh"))
    # The reference copy of the draft is in Chinese; the one to send stays English.
    expect(page.locator(".pb-drafts details pre")).to_contain_text(BUYER)
    expect(flow.draft("buyer-explain-evidence")).to_have_value(re.compile("Hello"))

    flow.switch_language("en")
    expect(page.locator(".pb-step")).to_contain_text(step.text.get("en"))
    expect(page.locator(".pb-drafts details")).to_have_count(0)
    flow.next("buyer-response")


def test_xss_in_facts_renders_as_text(staff: StaffPage, lib: Library) -> None:
    flow = Flow(staff, lib, "item-mismatch", "zh")
    page = flow.page
    facts = item_mismatch_facts(refund_requested_at=XSS)
    facts["buyer_name"] = XSS
    facts["buyer_says"] = XSS
    flow.pick_scenario()
    for fact_id, value in facts.items():
        fill_fact(page, lib, fact_id, value, "zh")
    sign_in(page)
    page.locator(".pb-start").click()
    # The bad date is refused, and the refusal quotes it as text.
    error = page.locator(".pb-fact-error-refund_requested_at")
    expect(error).to_contain_text(XSS)
    expect(page.locator(".pb-message .pb-error")).to_be_visible()

    page.locator(".pb-fact-refund_requested_at input").fill(stamp(ago(hours=1)))
    page.locator(".pb-start").click()
    flow.expect_step("confirm-order")
    flow.answer("unclear", "refund-status")
    flow.answer("open", "contact-buyer")
    draft = flow.draft("buyer-ask-details")
    expect(draft).to_have_value(re.compile(re.escape(f"Hello {XSS}")))
    expect(page.locator(".pb-drafts details pre")).to_contain_text(XSS)
    flow.next("buyer-details")
    flow.answer("confirms-error", "own-it")
    expect(flow.draft("buyer-apology-remedy")).to_have_value(re.compile(re.escape(XSS)))

    assert page.locator("img[src='x']").count() == 0
    assert page.locator(".pb-app img").count() == 0
    assert staff.dialogs == []


# --- forged widget messages -------------------------------------------------------------------


def test_forged_click_on_disabled_next_changes_nothing(staff: StaffPage, lib: Library) -> None:
    flow = Flow(staff, lib, "item-mismatch", "zh")
    page = flow.page
    flow.switch_language("en")
    flow.start(item_mismatch_facts())
    kernel_id = page.evaluate(
        "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
    )
    kernel = KernelSocket(staff.url, kernel_id)
    try:
        # Control: the same forged message on the enabled button does move the walk.
        flow.choose("unclear")
        expect(page.locator(".pb-next")).to_be_enabled()
        states = kernel.states()
        next_id = kernel.model_id(states, "pb-next")
        step_id = kernel.model_id(states, "pb-step")
        assert states[next_id]["state"]["disabled"] is False
        kernel.click(next_id)
        flow.expect_step("refund-status")

        # A question with nothing chosen: Next is disabled, in the page and in the kernel.
        expect(page.locator(".pb-next")).to_be_disabled()
        states = kernel.states()
        assert states[next_id]["state"]["disabled"] is True
        before = states[step_id]["state"]["value"]

        kernel.click(next_id)
        after = kernel.states()  # answered after the click was handled
        assert after[step_id]["state"]["value"] == before
        assert after[next_id]["state"]["disabled"] is True
        expect(flow.title).to_have_text(flow.scenario.step("refund-status").title.get("en"))
        expect(page.locator(".pb-options input:checked")).to_have_count(0)
        expect(page.locator(".pb-message .pb-error")).to_have_count(0)
        expect(page.locator(".pb-review")).not_to_contain_text(
            flow.scenario.step("refund-status").title.get("en")
        )
    finally:
        kernel.close()

    # The page still works normally afterwards.
    flow.answer("open", "contact-buyer")
