"""Policy status (ok / verify / unverified) and {policy:KEY} numbers in step texts."""

from __future__ import annotations

import datetime as dt

import pytest

from playbook.library.model import Policy, Text
from playbook.scenarios.policies import months_before, policy_status, policy_text

AS_OF = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
SUMMARY = Text(zh="规则", en="A rule")
URL = "https://merchantfaq.wish.com/hc/en-us/articles/7001687933851"


def rule(value, unit: str, **source) -> Policy:
    fields = {"source": URL, "source_date": dt.date(2026, 6, 1), "confidence": "high"}
    return Policy(value=value, unit=unit, summary=SUMMARY, **{**fields, **source})


class TestStatus:
    # 12 months before 2026-11-23 is 2025-11-23 (worked out by hand).
    @pytest.mark.parametrize(
        ("source_date", "expected"),
        [
            (dt.date(2026, 11, 23), "ok"),
            (dt.date(2025, 11, 23), "ok"),  # exactly 12 months old: not older
            (dt.date(2025, 11, 22), "verify"),  # one day more
            (dt.date(2021, 7, 29), "verify"),
            ("undated", "verify"),
            (None, "verify"),
        ],
    )
    def test_dated_sources(self, source_date, expected) -> None:
        assert policy_status(rule(48, "hours", source_date=source_date), AS_OF) == expected

    def test_no_source_is_unverified(self) -> None:
        unverified = rule(48, "hours", source=None, source_date=None, confidence="unverified")
        assert policy_status(unverified, AS_OF) == "unverified"

    def test_the_clock_decides(self) -> None:
        dated = rule(48, "hours", source_date=dt.date(2025, 12, 1))
        assert policy_status(dated, dt.date(2026, 12, 1)) == "ok"
        assert policy_status(dated, dt.date(2026, 12, 2)) == "verify"

    def test_twelve_months_before_a_leap_day(self) -> None:
        # 2028-02-29 minus 12 months: 2027 has no 29 February, so 2027-02-28.
        assert months_before(dt.date(2028, 2, 29), 12) == dt.date(2027, 2, 28)
        assert months_before(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
        leap = dt.date(2028, 2, 29)
        assert policy_status(rule(1, "count", source_date=dt.date(2027, 2, 28)), leap) == "ok"
        assert policy_status(rule(1, "count", source_date=dt.date(2027, 2, 27)), leap) == "verify"


POLICIES = {
    "window": rule(90, "calendar_days", source_date="undated"),
    "reply": rule(48, "hours"),
    "limit": rule(10, "usd"),
    "fine": rule(10000, "usd", source_date=dt.date(2021, 7, 29)),
    "ratio": rule(0.5, "percent"),
    "rejections": rule(3, "count"),
    "one_day": rule(1, "business_days"),
    "since": rule("2022-02-22", "date"),
    "guess": rule(7, "calendar_days", source=None, source_date=None, confidence="unverified"),
}


class TestPolicyText:
    def test_numbers_with_units_in_english_and_chinese(self) -> None:
        text = (
            "{policy:reply}, {policy:limit}, {policy:ratio}, {policy:rejections}, {policy:one_day}"
        )
        assert (
            policy_text(text, POLICIES, "en", AS_OF) == "48 hours, $10.00, 0.5%, 3, 1 business day"
        )
        assert (
            policy_text(text, POLICIES, "zh", AS_OF) == "48 小时, 10.00 美元, 0.5%, 3, 1 个工作日"
        )

    def test_verify_mark_ends_the_sentence_that_cites_an_undated_or_old_rule(self) -> None:
        text = "Dispute within {policy:window} of the refund. " + (
            "Fine {policy:fine} until {policy:since}."
        )
        assert policy_text(text, POLICIES, "en", AS_OF) == (
            "Dispute within 90 days of the refund (verify on the merchant dashboard). "
            "Fine $10,000.00 until 2022-02-22 (verify on the merchant dashboard)."
        )
        assert (
            policy_text("退款日起 {policy:window} 内申诉。", POLICIES, "zh", AS_OF)
            == "退款日起 90 天内申诉（请在商户后台核实）。"
        )

    def test_the_mark_goes_into_a_closing_parenthesis(self) -> None:
        text = "Reply within {policy:window} (UTC, weekends included)."
        assert policy_text(text, POLICIES, "en", AS_OF) == (
            "Reply within 90 days (UTC, weekends included; verify on the merchant dashboard)."
        )
        assert policy_text("在 {policy:window}内回复(UTC)。", POLICIES, "zh", AS_OF) == (
            "在 90 天内回复(UTC；请在商户后台核实)。"
        )

    def test_unverified_mark(self) -> None:
        assert policy_text("{policy:guess}", POLICIES, "en", AS_OF) == "7 days (unverified)"
        assert policy_text("{policy:guess}", POLICIES, "zh", AS_OF) == "7 天（未核实）"

    def test_historical_rule_is_not_sent_to_the_dashboard(self) -> None:
        old = {"old_fine": rule(50, "usd", source_date=dt.date(2021, 7, 29), historical=True)}
        assert policy_text("It cost {policy:old_fine} per order.", old, "en", AS_OF) == (
            "It cost $50.00 per order (historical rule)."
        )
        both = {**POLICIES, **old}
        text = "Before {policy:window} it cost {policy:old_fine}."
        assert policy_text(text, both, "zh", AS_OF) == (
            "Before 90 天 it cost 50.00 美元（历史规则；请在商户后台核实）."
        )

    def test_a_rule_with_no_number_shows_its_source_title(self) -> None:
        cited = {"not_counted": rule("customer cancellations", "rule", source_title="OCP")}
        text = "A buyer's cancellation does not count (Wish: {policy:not_counted})."
        assert policy_text(text, cited, "en", AS_OF) == (
            "A buyer's cancellation does not count (Wish: OCP)."
        )
        assert policy_text("不计入（Wish {policy:not_counted}）。", cited, "zh", AS_OF) == (
            "不计入（Wish《OCP》）。"
        )

    def test_one_mark_per_rule_per_text(self) -> None:
        text = "{policy:window} here. And again {policy:window}."
        assert policy_text(text, POLICIES, "en", AS_OF) == (
            "90 days here (verify on the merchant dashboard). And again 90 days."
        )

    def test_no_stray_space_between_a_chinese_unit_and_the_next_character(self) -> None:
        assert policy_text("在 {policy:window} 内", POLICIES, "zh", AS_OF).startswith("在 90 天内")
        assert policy_text("驳回 {policy:rejections} 次", POLICIES, "zh", AS_OF) == "驳回 3 次"

    def test_fresh_rule_has_no_mark_and_text_without_placeholders_is_unchanged(self) -> None:
        assert policy_text("{policy:reply}", POLICIES, "en", AS_OF) == "48 hours"
        plain = "Reply within {order_id} {policy} {policy:} 48 hours"
        assert policy_text(plain, POLICIES, "en", AS_OF) == plain

    def test_unknown_key_stays_visible(self) -> None:
        assert policy_text("{policy:nope}", POLICIES, "en", AS_OF) == "{policy:nope}"

    def test_a_policy_change_changes_the_text(self) -> None:
        changed = {**POLICIES, "reply": rule(72, "hours")}
        assert policy_text("{policy:reply}", changed, "en", AS_OF) == "72 hours"


def test_every_real_policy_renders(lib) -> None:
    policies = lib.policies["wish"].policies
    for key in policies:
        for lang in ("en", "zh"):
            shown = policy_text(f"{{policy:{key}}}", policies, lang, AS_OF)
            assert "{" not in shown, (key, lang, shown)
            assert "policy." not in shown, (key, lang, shown)
