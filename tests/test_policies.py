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
        assert policy_text(text, POLICIES, "en", AS_OF) == "48 hours, $10, 0.5%, 3, 1 business day"
        assert policy_text(text, POLICIES, "zh", AS_OF) == "48 小时, 10 美元, 0.5%, 3, 1 个工作日"

    def test_verify_mark_beside_undated_or_old_rules(self) -> None:
        text = "Dispute within {policy:window}; fine {policy:fine} until {policy:since}."
        assert policy_text(text, POLICIES, "en", AS_OF) == (
            "Dispute within 90 days (verify on the merchant dashboard); "
            "fine $10,000 (verify on the merchant dashboard) until 2022-02-22."
        )
        assert (
            policy_text("{policy:window}内", POLICIES, "zh", AS_OF) == "90 天(请在商户后台核实)内"
        )

    def test_unverified_mark(self) -> None:
        assert policy_text("{policy:guess}", POLICIES, "en", AS_OF) == "7 days (unverified)"
        assert policy_text("{policy:guess}", POLICIES, "zh", AS_OF) == "7 天（未核实）"

    def test_one_mark_per_rule_per_text(self) -> None:
        text = "{policy:window} … again {policy:window}"
        assert policy_text(text, POLICIES, "en", AS_OF) == (
            "90 days (verify on the merchant dashboard) … again 90 days"
        )

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
