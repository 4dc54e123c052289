"""data/policies/amazon.yaml: every entry sourced, dated, checked and scoped.

A rule without a number is cited by its source's title, with the sentence's mark; deadlines
are worked out by hand.
"""

from __future__ import annotations

import datetime as dt

import pytest

from playbook.library.model import Policy, Text
from playbook.scenarios.policies import add_duration, policy_text

AS_OF = dt.date(2026, 12, 7)
UTC = dt.UTC


@pytest.fixture(scope="module")
def amazon(lib):
    return lib.policies["amazon"].policies


def test_every_entry_is_sourced_checked_and_scoped(amazon) -> None:
    for key, policy in amazon.items():
        assert policy.source or policy.confidence == "unverified", key
        assert policy.source_date is not None, key
        assert policy.checked_on == dt.date(2026, 12, 7), key
        assert policy.applies_to, key  # the scope the page itself gives
        assert policy.summary.en, key
        assert policy.summary.zh, key


def test_conflicting_official_figures_are_kept_under_others(amazon) -> None:
    more_info = amazon["atoz_more_info_deadline"]
    assert (more_info.value, more_info.unit) == (48, "hours")
    assert sorted((o.value, o.unit) for o in more_info.others) == [
        (3, "calendar_days"),
        (72, "hours"),
    ]
    assert [o.value for o in amazon["atoz_seller_response"].others] == [48, 48]


def test_a_rule_without_a_number_is_cited_by_its_sources_title() -> None:
    rule = Policy(
        unit="rule",
        summary=Text(en="x", zh="x"),
        source="https://example.com/p",
        source_date="undated",
        confidence="high",
        source_title="Manage seller-fulfilled returns",
    )
    text = "Refund in Manage Orders (Amazon: {policy:r}). Again (Amazon: {policy:r})."
    # the mark goes inside the citation's parenthesis, once per text
    assert policy_text(text, {"r": rule}, "en", AS_OF) == (
        "Refund in Manage Orders (Amazon: Manage seller-fulfilled returns; verify on the "
        "merchant dashboard). Again (Amazon: Manage seller-fulfilled returns)."
    )
    fresh = rule.model_copy(update={"source_date": dt.date(2026, 11, 1)})
    assert policy_text(text, {"r": fresh}, "en", AS_OF) == (
        "Refund in Manage Orders (Amazon: Manage seller-fulfilled returns). "
        "Again (Amazon: Manage seller-fulfilled returns)."
    )
    unsourced = rule.model_copy(update={"source": None, "confidence": "unverified"})
    assert policy_text("退款（亚马逊：{policy:r}）。", {"r": unsourced}, "zh", AS_OF) == (
        "退款（亚马逊：《Manage seller-fulfilled returns》）（未核实）。"
    )


def test_amazon_rules_without_a_number_read_as_citations(amazon) -> None:
    """Their source titles name a page, not a parenthesis: "(Amazon: TITLE; verify ...)"."""
    for key, policy in amazon.items():
        if policy.unit == "rule":
            assert policy.source_title, key
            assert "(" not in policy.source_title, key
            assert "stored copy" not in policy.source_title, key
    text = "Refund in part (Amazon: {policy:refund_full_or_partial})."
    assert policy_text(text, amazon, "en", AS_OF) == (
        "Refund in part (Amazon: Seller Central help 69126 on returns and refunds, US; verify "
        "on the merchant dashboard)."
    )


def test_a_numbered_rule_needs_its_value() -> None:
    with pytest.raises(ValueError, match="only 'unit: rule' has none"):
        Policy(unit="hours", summary=Text(en="x", zh="x"), confidence="unverified")


def test_amazon_numbers_render_with_their_mark(amazon) -> None:
    text = (
        "Within {policy:atoz_more_info_deadline}. Under {policy:cancel_rate_target}. "
        "Paid {policy:unconfirmed_shipment_payment}."
    )
    assert policy_text(text, amazon, "en", AS_OF) == (
        "Within 48 hours (verify on the merchant dashboard). Under 2.5% (verify on the merchant "
        "dashboard). Paid $0.00 (verify on the merchant dashboard)."
    )
    # one sentence citing several undated rules carries the mark once, at its end
    assert policy_text(
        "{policy:atoz_more_info_deadline}; {policy:cancel_rate_target}", amazon, "en", AS_OF
    ) == ("48 hours; 2.5% (verify on the merchant dashboard)")
    assert policy_text("{policy:atoz_appeal_window}", amazon, "zh", AS_OF) == (
        "30 天（请在商户后台核实）"
    )


def test_deadlines_from_the_amazon_policy_file_worked_by_hand(amazon) -> None:
    # The buyer wrote on Thu 2026-11-19 at 10:00 UTC: 72 hours later is Sun 2026-11-22 10:00.
    contact = dt.datetime(2026, 11, 19, 10, 0, tzinfo=UTC)
    assert add_duration(contact, amazon["atoz_seller_response"]) == dt.datetime(
        2026, 11, 22, 10, 0, tzinfo=UTC
    )
    # ... and may file a claim 48 hours after writing: Sat 2026-11-21 10:00.
    assert add_duration(contact, amazon["atoz_contact_first_wait"]) == dt.datetime(
        2026, 11, 21, 10, 0, tzinfo=UTC
    )
    # Claim granted Mon 2026-11-30 15:30: 30 calendar days (1 in November, 29 in December)
    # end Wed 2026-12-30 15:30.
    decided = dt.datetime(2026, 11, 30, 15, 30, tzinfo=UTC)
    assert add_duration(decided, amazon["atoz_appeal_window"]) == dt.datetime(
        2026, 12, 30, 15, 30, tzinfo=UTC
    )
    # Chargeback email Tue 2026-12-01 09:00: seven calendar days end Tue 2026-12-08 09:00.
    email = dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert add_duration(email, amazon["chargeback_response"]) == dt.datetime(
        2026, 12, 8, 9, 0, tzinfo=UTC
    )
    # Return received Fri 2026-12-04 16:00: two business days are Mon 12-07 and Tue 12-08.
    received = dt.datetime(2026, 12, 4, 16, 0, tzinfo=UTC)
    assert add_duration(received, amazon["return_refund_deadline"]) == dt.datetime(
        2026, 12, 8, 16, 0, tzinfo=UTC
    )
    # Ordered Sat 2026-12-05 20:00 with the default handling time of two business days:
    # Mon 12-07 and Tue 12-08.
    ordered = dt.datetime(2026, 12, 5, 20, 0, tzinfo=UTC)
    assert add_duration(ordered, amazon["default_handling_time"]) == dt.datetime(
        2026, 12, 8, 20, 0, tzinfo=UTC
    )
