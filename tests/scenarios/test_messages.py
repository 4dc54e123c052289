"""The message layer's number formatting: plurals in English, units and money in both languages."""

from __future__ import annotations

import datetime as dt

from playbook.i18n import fill, text
from playbook.library.model import Policy, Text
from playbook.scenarios.policies import UNVERIFIED_MARK, policy_value

AS_OF = dt.date(2026, 12, 7)


def rule(value, unit: str) -> Policy:
    return Policy(
        value=value, unit=unit, summary=Text(en="x", zh="x"), source="https://x.example/a",
        source_date="undated", confidence="high",
    )  # fmt: skip


def test_english_plurals_come_from_the_message_layer(lib) -> None:
    assert text("error.data_invalid", "en", count=1, problems="p").startswith(
        "The playbook data has 1 problem:"
    )
    assert text("error.data_invalid", "en", count=2, problems="p").startswith(
        "The playbook data has 2 problems:"
    )
    assert text("ui.case_count", "en", total=1, first=1, last=1).startswith("1 case;")
    assert text("ui.case_count", "en", total=12, first=1, last=10).startswith("12 cases;")
    assert (
        fill(text("packet.pdf.pages_follow", "en"), pages=1) == "This document's 1 page follows."
    )
    assert (
        fill(text("packet.pdf.pages_follow", "en"), pages=4) == "This document's 4 pages follow."
    )
    assert "(s)" not in "".join(e["en"] for e in lib.catalogue.values())


def test_chinese_has_no_plural_and_no_machine_spacing(lib) -> None:
    assert text("error.data_invalid", "zh", count=1, problems="p").startswith(
        "手册数据有 1 处问题"
    )
    assert policy_value(rule(8, "hours"), "zh") == "8 小时"
    assert policy_value(rule(10000, "usd"), "zh") == "10,000.00 美元"


def test_units_and_money_in_english() -> None:
    assert policy_value(rule(8, "hours"), "en") == "8 hours"
    assert policy_value(rule(1, "hours"), "en") == "1 hour"
    assert policy_value(rule(1, "calendar_days"), "en") == "1 day"
    assert policy_value(rule(3, "business_days"), "en") == "3 business days"
    assert policy_value(rule(10000, "usd"), "en") == "$10,000.00"
    assert policy_value(rule(0.3, "usd"), "en") == "$0.30"
    assert policy_value(rule("16.20", "percent"), "en") == "16.20%"
    assert policy_value(rule(0.5, "percent"), "en") == "0.5%"


def test_a_placeholder_left_unfilled_keeps_its_plural_form(lib) -> None:
    raw = text("packet.pdf.pages_follow", "en")
    assert "{pages:page follows|pages follow}" in raw


def test_the_unverified_marker_is_the_one_every_platform_shares(lib) -> None:
    assert text("policy.mark.unverified", "en") == UNVERIFIED_MARK["en"] == "(unverified)"
    assert text("policy.mark.unverified", "zh") == UNVERIFIED_MARK["zh"] == "（未核实）"
