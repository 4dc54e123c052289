"""Case facts typed by staff: parsed to typed values or refused with the field named."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from playbook.errors import FactError
from playbook.scenarios.facts import facts_to_json, parse_fact, parse_facts


@pytest.mark.parametrize(
    ("fact", "raw", "value"),
    [
        ("order_total", " 24.99 ", Decimal("24.99")),
        ("order_total", "1,024.5", Decimal("1024.5")),
        ("currency", "usd", "USD"),
        ("country", "de", "DE"),
        ("released_at", "2026-11-20 08:00", dt.datetime(2026, 11, 20, 8, tzinfo=dt.UTC)),
        ("released_at", "2026-11-20T16:00:00+08:00", dt.datetime(2026, 11, 20, 8, tzinfo=dt.UTC)),
        ("released_at", "2026-11-20T08:00:00Z", dt.datetime(2026, 11, 20, 8, tzinfo=dt.UTC)),
        ("new_ship_date", "2026-11-24", dt.date(2026, 11, 24)),
        ("quantity", "3", 3),
        ("buyer_name", "<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"),
        ("buyer_name", "   ", None),
    ],
)
def test_parse_fact(lib, fact: str, raw: str, value) -> None:
    assert parse_fact(lib.facts[fact], raw) == value


@pytest.mark.parametrize(
    ("fact", "raw", "message"),
    [
        ("order_total", "-3", "order_total: '-3' is not an amount"),
        ("order_total", "1.999", "order_total: '1.999' is not an amount"),
        ("order_total", "NaN", "order_total: 'NaN' is not an amount"),
        ("currency", "US$", "currency: 'US$' is not a currency code"),
        ("country", "USA", "country: 'USA' is not a country code"),
        ("released_at", "yesterday", "released_at: 'yesterday' is not a date and time"),
        ("quantity", "-1", "quantity: '-1' is not a whole number"),
        ("buyer_name", "x" * 121, "buyer_name: at most 120 characters"),
        ("buyer_name", "a\x00b", "buyer_name: contains control characters"),
    ],
)
def test_bad_fact_names_the_field(lib, fact: str, raw: str, message: str) -> None:
    with pytest.raises(FactError) as info:
        parse_fact(lib.facts[fact], raw)
    assert str(info.value).startswith(message)
    assert info.value.params["field"] == fact
    assert info.value.render("zh").startswith(fact + "：")  # full-width colon in Chinese


def test_parse_facts_reports_every_field(lib) -> None:
    scenario = lib.scenario("item-mismatch")
    facts, errors = parse_facts(
        scenario,
        lib.facts,
        {"order_id": "A1", "order_total": "abc", "currency": "USD", "unasked": "x"},
    )
    assert facts == {"order_id": "A1", "currency": "USD"}
    assert sorted(errors) == ["buyer_name", "order_total", "store_name"]
    assert str(errors["buyer_name"]) == "buyer_name: required."


def test_facts_json_round_trip(lib) -> None:
    scenario = lib.scenario("unfulfilled-order")
    raw = {
        "order_id": "A1",
        "buyer_name": "Ana",
        "store_name": "S",
        "released_at": "2026-11-20T16:00:00+08:00",
        "order_total": "5.5",
        "new_ship_date": "2026-11-24",
    }
    facts, errors = parse_facts(scenario, lib.facts, raw)
    assert errors == {}
    again, errors = parse_facts(scenario, lib.facts, facts_to_json(facts))
    assert errors == {}
    assert again == facts
