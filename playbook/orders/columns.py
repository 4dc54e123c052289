"""The order table's columns, kinds and states, and how each Wish file format names them.

No file reading and no typing of values: CSV headers, API v2 keys and v3 paths (and how one
JSON order is flattened onto them) map onto the canonical fields here; the readers are in
:mod:`playbook.orders.formats`.
Field names, states and enums come from shared/reference/wish_formats.md.

The order table (:data:`ORDER_COLUMNS`, in this order, then the file's other columns as text):

==============================  =======================  =====================================
column                          dtype                    meaning
==============================  =======================  =====================================
source_format                   str                      csv, xlsx, api_v2, api_v3
source_row                      int64                    row in the file (header = row 1) or
                                                         position of the order in the JSON list
order_id, transaction_id        str                      Wish ids
state                           str                      APPROVED, SHIPPED, REFUNDED,
                                                         REQUIRE_REVIEW, DECLINED, PENDING,
                                                         DELAYING
state_raw                       str                      the state as written in the file
refund_source                   str                      MERCHANT, WISH, WISH_FOR_MERCHANT,
                                                         CUSTOMER, WISH_FLAGGED, ... (who
                                                         refunded; from the CSV state or API)
ordered_at ... refunded_at      datetime64[us, UTC]      see DATETIME_FIELDS; zone-less = UTC
days/hours_to_fulfill           Int64                    older exports and v2 only
product_id, product_name, sku,  str
size, color
quantity                        Int64                    >= 1
currency                        str                      ISO 4217; USD when the file has none
price, cost, shipping,          decimal128(18, 4)        per unit; order_total = quantity x
shipping_cost, order_total                               (cost + shipping_cost); never < 0
refund_responsibility_pct       float64                  0-100
refund_responsibility_amount    decimal128(18, 4)        merchant's share of the refund
refund_reason                   str                      as written (text, code or enum name)
carrier, tracking_number        str
tracking_confirmed,             boolean
is_wish_express
buyer_name                      str
country                         str                      ISO 3166 alpha-2 as given
==============================  =======================  =====================================

The rejects table has one row per rejected input row: ``source_row``, ``order_id``, ``column``
(as named in the file), ``value``, ``reason`` (a code; text under ``reject.<code>`` in the
message catalogue) and ``detail`` (every problem of that row).
"""

from __future__ import annotations

import html
import json
from typing import Any

import pyarrow as pa

from playbook.orders.fields import (  # noqa: F401 - re-exported for the readers
    DATETIME_FIELDS,
    FIELDS,
    ORDER_COLUMNS,
    REJECT_COLUMNS,
    STATES,
)

MONEY = pa.decimal128(18, 4)
UTC_US = pa.timestamp("us", tz="UTC")

# kind -> column type when the file has no such field (other kinds: text).
_NULL_TYPES = {
    "datetime": UTC_US,
    "int": pa.int64(),
    "quantity": pa.int64(),
    "money": MONEY,
    "money_nonneg": MONEY,
    "percent": pa.float64(),
    "bool": pa.bool_(),
}

# CSV header (case- and space-insensitive) -> canonical field. Both export variants (3.1, 3.2).
CSV_FIELDS = {
    "transaction date": "ordered_at",
    "order id": "order_id",
    "transaction id": "transaction_id",
    "order state": "state",
    "sku": "sku",
    "product": "product_name",
    "product id": "product_id",
    "size": "size",
    "color": "color",
    "currency code": "currency",
    "price (each)": "price",
    "cost (each)": "cost",
    "shipping (each)": "shipping",
    "shipping cost (each)": "shipping_cost",
    "quantity": "quantity",
    "total cost": "order_total",
    "available for fulfillment time": "released_at",
    "days to fulfill": "days_to_fulfill",
    "hours to fulfill": "hours_to_fulfill",
    "shipped on": "shipped_at",
    "date shipping carrier confirmed delivery": "delivered_at",
    "provider": "carrier",
    "tracking": "tracking_number",
    "tracking confirmed": "tracking_confirmed",
    "tracking confirmed date": "confirmed_fulfilled_at",
    "last updated": "updated_at",
    "name": "buyer_name",
    "country": "country",
    "% refund responsibility": "refund_responsibility_pct",
    "refund responsibility amount": "refund_responsibility_amount",
    "refund date": "refunded_at",
    "refund reason": "refund_reason",
    "is wish express": "is_wish_express",
}
# A file is only taken for a Wish export when it has all of these headers.
CSV_REQUIRED = ("Transaction Date", "Order Id", "Order State", "Quantity")

V2_FIELDS = {
    "order_id": "order_id",
    "transaction_id": "transaction_id",
    "order_time": "ordered_at",
    "released_to_merchant_time": "released_at",
    "last_updated": "updated_at",
    "expected_ship_date": "fulfil_by",
    "state": "state",
    "refunded_by": "refund_source",
    "product_id": "product_id",
    "product_name": "product_name",
    "sku": "sku",
    "size": "size",
    "color": "color",
    "quantity": "quantity",
    "price": "price",
    "shipping": "shipping",
    "cost": "cost",
    "shipping_cost": "shipping_cost",
    "order_total": "order_total",
    "currency_code": "currency",
    "days_to_fulfill": "days_to_fulfill",
    "hours_to_fulfill": "hours_to_fulfill",
    "shipping_provider": "carrier",
    "tracking_number": "tracking_number",
    "shipped_date": "shipped_at",
    "tracking_confirmed": "tracking_confirmed",
    "tracking_confirmed_date": "confirmed_fulfilled_at",
    "refunded_time": "refunded_at",
    "refunded_reason": "refund_reason",
    "merchant_responsible_refund_amount": "refund_responsibility_amount",
    "is_wish_express": "is_wish_express",
}
V3_EVENTS = {
    "MARK_SHIPPED": "shipped_at",
    "CONFIRM_FULFILLED": "confirmed_fulfilled_at",
    "CONFIRMED_DELIVERED": "delivered_at",
    "ORDER_DELIVERED": "delivered_at",
}
V3_MONEY = {
    "product_price": "price",
    "product_merchant_payment": "cost",
    "product_shipping_price": "shipping",
    "shipping_merchant_payment": "shipping_cost",
    "payment_total": "order_total",
}


def _scalar(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float):
        return repr(round(value, 4))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _json_format(items: list) -> str | None:
    for item in items:
        if isinstance(item, dict):
            if "Order" in item or "order_id" in item:
                return "api_v2"
            if "id" in item and ("released_at" in item or "order_payment" in item):
                return "api_v3"
    return None if items else "api_v3"


def _flatten_v2(item: Any) -> dict[str, str | None] | None:
    order = item.get("Order", item) if isinstance(item, dict) else None
    if not isinstance(order, dict) or "order_id" not in order:
        return None
    rec: dict[str, str | None] = {}
    for key, value in order.items():
        canon = V2_FIELDS.get(key)
        if canon:
            rec[canon] = _scalar(value)
        elif key not in ("ShippingDetail", "OriginalShippingDetail", "refunds"):
            rec[key] = _scalar(value)
    if rec.get("product_name"):
        rec["product_name"] = html.unescape(rec["product_name"])
    # For combined (EPC) orders ShippingDetail is Wish's warehouse; the buyer is in Original.
    ship = order.get("OriginalShippingDetail") or order.get("ShippingDetail") or {}
    if isinstance(ship, dict):
        rec["buyer_name"] = _scalar(ship.get("name"))
        rec["country"] = _scalar(ship.get("country"))
    refunds = order.get("refunds") or []
    if isinstance(refunds, list) and refunds:
        first = refunds[0].get("Refund", refunds[0]) if isinstance(refunds[0], dict) else {}
        rec.setdefault("refunded_at", _scalar(first.get("refund_time")))
        rec.setdefault("refund_reason", _scalar(first.get("refund_reason")))
        amount = first.get("merchant_responsible_amount")
        rec.setdefault("refund_responsibility_amount", _scalar(amount))
    return rec


_V3_SOURCES = {
    "order_id": "id",
    "transaction_id": "transaction_id",
    "state": "state",
    "released_at": "released_at",
    "updated_at": "updated_at",
    "fulfil_by": "fulfillment_requirements.expected_ship_time",
    "product_id": "product_information.id",
    "product_name": "product_information.name",
    "sku": "product_information.sku",
    "size": "product_information.size",
    "color": "product_information.color",
    "quantity": "order_payment.general_payment_details.product_quantity",
    "currency": "order_payment.general_payment_details.payment_total.currency_code",
    "buyer_name": "full_address.shipping_detail.name",
    "country": "full_address.shipping_detail.country_code",
    "carrier": "tracking_information[0].shipping_provider.name",
    "tracking_number": "tracking_information[0].tracking_number",
    "refunded_at": "refunds[].refund_time",
    "refund_reason": "refunds[].refund_reason",
    "refund_source": "refunds[].refund_source",
    "refund_responsibility_amount": "refunds[].merchant_responsible_amount.amount",
    "is_wish_express": "fulfillment_order_types",
    **{f: f"fulfillment_records[{e}]" for e, f in V3_EVENTS.items()},
    **{f: f"order_payment.general_payment_details.{k}.amount" for k, f in V3_MONEY.items()},
}


def _get(obj: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _flatten_v3(item: Any) -> dict[str, str | None] | None:
    if not isinstance(item, dict) or "id" not in item:
        return None
    known = {
        "id",
        "transaction_id",
        "state",
        "released_at",
        "updated_at",
        "product_information",
        "full_address",
        "tracking_information",
        "fulfillment_requirements",
        "fulfillment_records",
        "fulfillment_order_types",
        "order_payment",
        "refunds",
    }
    rec: dict[str, str | None] = {
        "order_id": _scalar(item.get("id")),
        "transaction_id": _scalar(item.get("transaction_id")),
        "state": _scalar(item.get("state")),
        "released_at": _scalar(item.get("released_at")),
        "updated_at": _scalar(item.get("updated_at")),
        "fulfil_by": _scalar(_get(item, "fulfillment_requirements", "expected_ship_time")),
    }
    info = item.get("product_information") or {}
    for key, canon in (
        ("id", "product_id"),
        ("name", "product_name"),
        ("sku", "sku"),
        ("size", "size"),
        ("color", "color"),
    ):
        rec[canon] = _scalar(_get(info, key))
    ship = _get(item, "full_address", "shipping_detail") or {}
    rec["buyer_name"] = _scalar(_get(ship, "name"))
    rec["country"] = _scalar(_get(ship, "country_code") or _get(ship, "country"))
    tracking = item.get("tracking_information") or []
    if isinstance(tracking, list) and tracking and isinstance(tracking[0], dict):
        rec["tracking_number"] = _scalar(tracking[0].get("tracking_number"))
        rec["carrier"] = _scalar(_get(tracking[0], "shipping_provider", "name"))
    for event in item.get("fulfillment_records") or []:
        canon = V3_EVENTS.get(_get(event, "event_type") or "")
        if canon:
            rec[canon] = _scalar(_get(event, "event_time"))
    types = item.get("fulfillment_order_types")
    if isinstance(types, list):
        rec["is_wish_express"] = "True" if "WISH_EXPRESS" in types else "False"
    pay = _get(item, "order_payment", "general_payment_details") or {}
    rec["quantity"] = _scalar(_get(pay, "product_quantity"))
    currencies = set()
    for key, canon in V3_MONEY.items():
        money = _get(pay, key)
        if money is not None:
            rec[canon] = _scalar(_get(money, "amount"))
            if _get(money, "currency_code"):
                currencies.add(str(_get(money, "currency_code")))
    # Mixed currencies in one order cannot be one money column: mark the order as bad.
    rec["currency"] = (
        currencies.pop() if len(currencies) == 1 else ("MIXED" if currencies else None)
    )
    refunds = [r for r in item.get("refunds") or [] if isinstance(r, dict)]
    if refunds:
        last = max(refunds, key=lambda r: str(r.get("refund_time") or ""))
        rec["refunded_at"] = _scalar(last.get("refund_time"))
        rec["refund_reason"] = _scalar(last.get("refund_reason"))
        rec["refund_source"] = _scalar(last.get("refund_source"))
        rec["refund_responsibility_amount"] = _scalar(
            _get(last, "merchant_responsible_amount", "amount")
        )
    for key, value in item.items():
        if key not in known:
            rec[key] = _scalar(value)
    return rec
