"""No field of an order file is lost, and the fields of the v2 and v3 payloads are typed.

Every JSON key and CSV header is a typed column or kept as an extra; typed fields are cleaned.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pandas as pd
import pytest

from playbook.orders.reader import ORDER_COLUMNS, read_orders, write_table
from tests.orders.order_files import SHAPES, gen


def _leaves(obj, path: str = "") -> list[tuple[str, object]]:
    """(path, value) of every leaf of a JSON value.

    Paths read 'a.b', list items 'a[]'; a list of plain values is one leaf.
    """
    if isinstance(obj, dict):
        return [x for k, v in obj.items() for x in _leaves(v, f"{path}.{k}" if path else k)]
    if isinstance(obj, list) and any(isinstance(v, dict) for v in obj):
        return [x for v in obj for x in _leaves(v, f"{path}[]")]
    return [(path, obj)]


def _kept(path: str, paths: dict, extras: list[str]) -> bool:
    """Whether a path is kept: as a typed column, an extra column, or inside an extra column.

    An extra column can hold the path's object or list as JSON.
    """
    if path in paths or path in extras:
        return True
    cut = [i for i, ch in enumerate(path) if ch in ".["]
    return any(path[:i] in extras for i in cut) or path.replace("[]", "[0]", 1) in extras


@pytest.mark.parametrize(
    ("name", "unwrap"), [("v2_orders.json", "Order"), ("v3_orders.json", None)]
)
def test_no_field_of_a_json_order_is_lost(name, unwrap):
    """Every key of every order is a typed column (V2_PATHS/V3_PATHS) or a listed extra.

    Every typed column an order has a value for holds one.
    """
    from playbook.orders.columns import V2_PATHS, V3_PATHS

    paths = V2_PATHS if unwrap else V3_PATHS
    doc = json.loads((SHAPES / name).read_text())
    result = read_orders(SHAPES / name)
    assert len(result.rejects) == 0
    orders = result.orders.set_index("source_row")
    for pos, item in enumerate(doc["data"], start=1):
        order = item[unwrap] if unwrap else item
        for path, value in _leaves(order):
            assert _kept(path, paths, result.extra_columns), (name, pos, path)
            if path in paths and value not in (None, "", []):
                column = paths[path]
                if column in ("shipped_at", "confirmed_fulfilled_at") and not unwrap:
                    continue  # a cancelled tracking clears them (see the v3 test)
                held = orders.loc[pos, column]
                assert not (pd.api.types.is_scalar(held) and pd.isna(held)), (pos, path)
    assert not set(result.extra_columns) & set(ORDER_COLUMNS)


@pytest.mark.parametrize("variant", ["new", "old"])
def test_no_column_of_a_csv_export_is_lost(truth, tmp_path, variant):
    """Every header of both CSV variants is a typed column or kept under its own name."""
    from playbook.orders.columns import CSV_FIELDS

    path = tmp_path / f"{variant}.csv"
    gen.write_csv(truth, path, variant=variant)
    result = read_orders(path)
    header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    for name in header:
        canon = CSV_FIELDS.get(" ".join(name.split()).casefold())
        assert canon in result.orders.columns or name in result.extra_columns, name


def test_v2_fields_are_typed_and_cleaned():
    """v2 buyer_name and country are fields (cleaned, not extras).

    Combined orders keep the buyer's address and Wish's warehouse apart; flags are booleans;
    fine ids a list.
    """
    result = read_orders(SHAPES / "v2_orders.json")
    assert "buyer_name" not in result.extra_columns
    assert "country" not in result.extra_columns
    o = result.orders.set_index("order_id")
    combined = o.loc[f"5a{10:022x}"]
    assert combined["country"] == "DE"  # written " de"
    assert combined["city"] == "Musterstadt"
    assert combined["buyer_name"] == "Test Buyer Ten"
    assert combined["epc_address"].startswith("EPC Demo Warehouse, 9 Depot Way")
    assert bool(combined["is_combined_order"]) is True
    assert list(combined["fine_ids"]) == ["f0000000000000000000000a", "f0000000000000000000000b"]
    assert o.loc[f"5a{11:022x}", "buyer_name"] == "Test Buyer Eleven"
    assert str(o["requires_delivery_confirmation"].dtype) == "boolean"
    assert o.loc[f"5a{3:022x}", "requires_delivery_confirmation"] == False  # noqa: E712
    assert o.loc[f"5a{9:022x}", "hours_to_fulfill"] == 20  # an integer in the payload
    assert o.loc[f"5a{1:022x}", "shipped_at"] == pd.Timestamp("2015-03-06T00:00:00Z")


def test_v3_fields_are_typed():
    """v3 fields: refunds, tracking origin, penalties, every fulfilment event.

    Refund amounts count all refunds, the reason and note are the latest refund's; a cancelled
    tracking clears the shipped state.
    """
    result = read_orders(SHAPES / "v3_orders.json")
    o = result.orders.set_index("order_id")
    refunded = o.loc[f"6b{3:022x}"]
    assert refunded["refund_amount"] == Decimal("5.0")
    assert refunded["refund_count"] == 2
    assert refunded["refund_reason"] == "Item does not match listing"
    assert refunded["refund_note"] == "second part"
    assert refunded["refund_source"] == "WISH"
    assert "refunds" in result.extra_columns  # two refunds: the list is kept as it came
    first = o.loc[f"6b{1:022x}"]
    assert first["tracking_origin_country"] == "CN"
    assert first["ship_note"] == "demo note"
    assert first["phone_number"] == "555-0111"
    assert list(first["fine_ids"]) == ["9f0000000000000000000001"]
    assert first["delivered_at"] == pd.Timestamp("2016-01-30T12:00:00Z")
    cancelled = o.loc[f"6b{2:022x}"]
    assert pd.isna(cancelled["shipped_at"])
    assert cancelled["re_released_at"] == pd.Timestamp("2026-11-05T00:00:00Z")
    assert (
        cancelled["fulfilment_events"].split("; ")[3]
        == "TRACKING_CANCELLED 2026-11-05T00:00:00.000Z"
    )


def test_fine_ids_are_written_as_text(tmp_path):
    result = read_orders(SHAPES / "v2_orders.json")
    back = pd.read_csv(write_table(result.orders, tmp_path / "o.csv"), dtype=str)
    assert "f0000000000000000000000a; f0000000000000000000000b" in back["fine_ids"].tolist()
