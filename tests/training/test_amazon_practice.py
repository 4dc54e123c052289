"""Amazon practice cases: two per Amazon scenario.

Their "by when?" questions are answered from the Amazon policy file (hand-worked dates), and
their feedback cites Amazon rules.
"""

from __future__ import annotations

import pytest

from playbook.training.items import Practice

AMAZON = [
    "amazon-not-as-described",
    "amazon-late-shipment",
    "amazon-atoz-not-received",
    "amazon-chargeback",
]


@pytest.mark.parametrize("scenario_id", AMAZON)
def test_two_practice_cases_per_amazon_scenario(lib, scenario_id) -> None:
    cases = [c for c in lib.practice.values() if c.scenario == scenario_id]
    assert len(cases) >= 2
    amazon = lib.policies["amazon"].policies
    for case in cases:
        practice = Practice(lib, case)  # refuses a case whose answers do not walk
        assert practice.expected_path[-1] == case.outcome
        for question in case.questions:
            for feedback in question.feedback.values():
                assert feedback.policy is None or feedback.policy in amazon


def right(practice: Practice, key: str) -> list[str]:
    item = practice.item(key)
    return [c.text.en for c in item.choices if c.correct]


def test_return_request_deadlines_by_hand(lib) -> None:
    practice = Practice(lib, lib.practice["ana-wrong-colour-return"])
    # the return request came on Fri 2026-11-20 15:00 UTC
    assert right(practice, "complaint-stage#deadline:atoz_contact_first_wait") == [
        "2026-11-22 15:00 UTC"  # + 48 hours
    ]
    assert right(practice, "complaint-stage#deadline:atoz_seller_response") == [
        "2026-11-23 15:00 UTC"  # + 72 hours
    ]
    assert right(practice, "own-it#deadline:return_request_response") == [
        "2026-11-21 15:00 UTC"  # + 24 hours (recommended)
    ]
    # the return arrived on Fri 2026-11-27 11:00: two business days are Mon 11-30, Tue 12-01
    assert right(practice, "refund-after-return#deadline:return_refund_deadline") == [
        "2026-12-01 11:00 UTC"
    ]


def test_appeal_and_information_deadlines_by_hand(lib) -> None:
    appeal = Practice(lib, lib.practice["ana-empty-box-appeal"])
    # granted Sat 2026-11-28 16:00 + 30 calendar days (2 in November, 28 in December)
    assert right(appeal, "appeal-decision#deadline:atoz_appeal_window") == ["2026-12-28 16:00 UTC"]
    info = Practice(lib, lib.practice["anr-delivered-info-request"])
    # Amazon asked on Tue 2026-11-24 08:00: + 48 hours
    assert right(info, "respond-to-amazon#deadline:atoz_more_info_deadline") == [
        "2026-11-26 08:00 UTC"
    ]
    # latest estimated delivery Wed 2026-11-18 23:59: + 3 days, and + 90 days
    assert right(info, "tracking#deadline:atoz_not_received_wait") == ["2026-11-21 23:59 UTC"]
    assert right(info, "tracking#deadline:atoz_claim_window") == ["2027-02-16 23:59 UTC"]


def test_chargeback_and_ship_by_deadlines_by_hand(lib) -> None:
    chargeback = Practice(lib, lib.practice["acb-represent-delivered"])
    # the chargeback email of Wed 2026-12-02 14:00 + 7 calendar days
    assert right(chargeback, "check-order#deadline:chargeback_response") == [
        "2026-12-09 14:00 UTC"
    ]
    late = Practice(lib, lib.practice["als-stock-out-buyer-cancels"])
    # ordered Fri 2026-11-27 20:00 + 2 business days: Mon 11-30, Tue 12-01
    assert right(late, "check-order#deadline:default_handling_time") == ["2026-12-01 20:00 UTC"]
