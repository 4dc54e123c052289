"""Amazon on the real staff page: an item-not-as-described case walked in 中文, then in English.

The deadlines are worked out by hand from the rules of ``data/policies/amazon.yaml`` (the
numbers are quoted beside each date below); the test types the facts a person would and reads
the dates the page prints. All dates are in the past, so every deadline shows as passed
whenever the test runs.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from playbook.library.library import Library
from tests.browser.conftest import StaffPage
from tests.browser.helpers import Flow, expect_deadline, expect_draft, restart_in
from tests.store_fixtures import AMAZON_FACTS

pytestmark = pytest.mark.browser

SCENARIO = "amazon-not-as-described"


def test_amazon_item_not_as_described_in_chinese_then_english(
    staff: StaffPage, lib: Library
) -> None:
    flow = Flow(staff, lib, SCENARIO, "zh")
    # The platform is a heading of the picker: Amazon's disputes are listed under 亚马逊.
    expect(staff.page.locator(".pb-disputes")).to_contain_text("亚马逊 · ")

    # 中文: a return request on amazon.com for an item we got wrong, refunded after the return.
    flow.start(
        {
            **AMAZON_FACTS,
            "claim_type": "return",
            "buyer_contacted_at": "2026-11-13 22:30",  # a Friday
            "return_requested_at": "2026-11-14 06:15",
            "return_received_at": "2026-11-19 16:00",  # a Thursday
        }
    )
    flow.next("compare-order")  # check-order is the order record, read first
    flow.answer("our-error", "complaint-stage")
    # atoz_contact_first_wait: 48 hours; atoz_seller_response: 72 hours (amazon.com, MFN).
    expect_deadline(flow, ("complaint-stage", 0), "2026-11-15 22:30 UTC", "past")
    expect_deadline(flow, ("complaint-stage", 1), "2026-11-16 22:30 UTC", "past")
    flow.answer("return-request", "own-it")
    expect_deadline(flow, ("own-it", 0), "2026-11-16 22:30 UTC", "past")
    # return_request_response: 24 hours after the return request (a recommendation).
    expect_deadline(flow, ("own-it", 1), "2026-11-15 06:15 UTC", "past")
    expect_draft(flow, "amazon-buyer-apology", "Emily Carter", "113-4827305-1940263")
    flow.next("choose-remedy")
    flow.answer("return-refund", "refund-after-return")
    # return_refund_deadline: 2 business days after the return arrived: Thu -> Fri, Mon.
    expect_deadline(flow, ("refund-after-return", 0), "2026-11-23 16:00 UTC", "past")
    flow.next("risk-review")
    flow.next("outcome-refunded")
    flow.expect_outcome("outcome-refunded")
    expect(staff.page.locator(".pb-case")).to_contain_text("亚马逊")

    # English: an A-to-z claim granted to the buyer although we shipped the right item; appealed.
    restart_in(flow, "en")
    flow.start(
        {
            **AMAZON_FACTS,
            "claim_type": "a-to-z",
            "claim_decided_at": "2026-10-30 14:45",
        }
    )
    flow.next("compare-order")
    flow.answer("shipped-correctly", "complaint-stage")
    flow.answer("claim-granted", "appeal-decision")
    # atoz_appeal_window: 30 calendar days from the decision (amazon.com, MFN, A-to-z).
    expect_deadline(flow, ("appeal-decision", 0), "2026-11-29 14:45 UTC", "past")
    flow.answer("new-information", "prepare-appeal")
    expect_deadline(flow, ("prepare-appeal", 0), "2026-11-29 14:45 UTC", "past")
    expect_draft(flow, "amazon-atoz-appeal", "113-4827305-1940263")
    flow.next("appeal-result")
    flow.answer("won", "risk-review")
    flow.next("outcome-appeal-won")
    flow.expect_outcome("outcome-appeal-won")
    expect(staff.page.locator(".pb-case")).to_contain_text("Amazon")
