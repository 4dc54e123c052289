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
street_address1/2, city,        str                      the buyer's address (for combined
address_state, zipcode,                                  orders the buyer's, not Wish's
phone_number                                             warehouse); street and phone are
                                                         contact details (CONTACT_COLUMNS)
delivery_confirmed,             boolean                  CSV "Confirmed Delivery"; v2 and CSV
requires_delivery_confirmation,                          flags
is_combined_order
epc_address                     str                      combined (EPC) orders: the Wish
                                                         warehouse the order ships to
fine_ids                        list<str>                v2 fine_ids, v3 penalties
refund_amount                   decimal128(18, 4)        all refunds of the order together
refund_count                    Int64                    refunds listed (JSON only)
refund_note                     str                      the latest refund's note
tracking_origin_country         str                      v3 tracking origin (ISO alpha-2)
ship_note                       str                      the merchant's note at fulfilment
tracking_cancelled_at,          datetime64[us, UTC]      v3 fulfilment events; a tracking
re_released_at                                           cancelled after MARK_SHIPPED clears
                                                         shipped_at
fulfilment_events               str                      every v3 event with its time,
                                                         'EVENT time; EVENT time'
==============================  =======================  =====================================

Then, for a file of a declared format (data/order_formats/), the fields its platform's formats
map that are not above (``PLATFORM_FIELDS``: Amazon's ``fulfilment_channel`` (enum, ``mfn`` or
``afn``), ``sales_channel``, ``merchant_order_id``, ``asin``, ``item_status``,
``is_business_order``, ``return_requested_at``, ``return_delivered_at``, ``return_status``,
``rma_id``, ``atoz_claim``). For Amazon, ``price`` and ``shipping`` are the item line's
``item-price`` and ``shipping-price`` (the aggregate of the quantity, not per unit) and
``order_total`` is the returns report's ``Order Amount``.

The rejects table has one row per rejected input row: ``source_row``, ``order_id``, ``column``
(as named in the file), ``value``, ``reason`` (a code; text under ``reject.<code>`` in the
message catalogue) and ``detail`` (every problem of that row).
"""

from __future__ import annotations

import datetime as dt
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

__all__ = [
    "CSV_FIELDS",
    "CSV_REQUIRED",
    "MONEY",
    "NULL_TYPES",
    "UTC_US",
    "V2_PARTIAL",
    "V2_PATHS",
    "V2_SOURCES",
    "V3_PATHS",
    "V3_SOURCES",
    "flatten_v2",
    "flatten_v3",
    "json_format",
    "scalar",
]

MONEY = pa.decimal128(18, 4)
UTC_US = pa.timestamp("us", tz="UTC")

# kind -> column type when the file has no such field (other kinds: text).
NULL_TYPES = {
    "datetime": UTC_US,
    "int": pa.int64(),
    "quantity": pa.int64(),
    "money": MONEY,
    "money_nonneg": MONEY,
    "percent": pa.float64(),
    "bool": pa.bool_(),
    "id_list": pa.list_(pa.large_string()),
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
    "confirmed delivery": "delivery_confirmed",
    "street address 1": "street_address1",
    "street address 2": "street_address2",
    "city": "city",
    "state": "address_state",
    "zipcode": "zipcode",
    "phone number": "phone_number",
    "requires delivery confirmation": "requires_delivery_confirmation",
    "is combined order": "is_combined_order",
}
# A file is only taken for a Wish export when it has all of these headers.
CSV_REQUIRED = ("Transaction Date", "Order Id", "Order State", "Quantity")


# --- Merchant API v2: {"Order": {...}} with string values -----------------------------------

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
    "ship_note": "ship_note",
    "shipped_date": "shipped_at",
    "tracking_confirmed": "tracking_confirmed",
    "tracking_confirmed_date": "confirmed_fulfilled_at",
    "refunded_time": "refunded_at",
    "refunded_reason": "refund_reason",
    "merchant_responsible_refund_amount": "refund_responsibility_amount",
    "is_wish_express": "is_wish_express",
    "requires_delivery_confirmation": "requires_delivery_confirmation",
    "is_combined_order": "is_combined_order",
    "fine_ids": "fine_ids",
}
# Address keys (v2 ShippingDetail, v3 full_address.shipping_detail) -> fields.
ADDRESS_FIELDS = {
    "name": "buyer_name",
    "street_address1": "street_address1",
    "street_address2": "street_address2",
    "city": "city",
    "state": "address_state",
    "zipcode": "zipcode",
    "phone_number": "phone_number",
}
# One refund (v2 refunds[] items, possibly wrapped in {"Refund": ...}; v3 refunds[]) -> fields
# of the latest refund; refund_amount adds up every refund.
REFUND_FIELDS = {
    "refund_time": "refunded_at",
    "refund_reason": "refund_reason",
    "refund_reason_note": "refund_note",
    "refund_source": "refund_source",
    "merchant_responsible_amount": "refund_responsibility_amount",
    "refund_amount": "refund_amount",
}
# Every JSON path v2 orders are read from -> its field ('[]' marks the items of a list).
# Keys of an order that are not here are kept as extra columns under their path.
V2_PATHS = {
    **V2_FIELDS,
    **{f"ShippingDetail.{k}": f for k, f in ADDRESS_FIELDS.items()},
    "ShippingDetail.country": "country",
    **{f"OriginalShippingDetail.{k}": f for k, f in ADDRESS_FIELDS.items()},
    "OriginalShippingDetail.country": "country",
    **{f"refunds[].{k}": f for k, f in REFUND_FIELDS.items()},
    **{f"refunds[].{k}.amount": f for k, f in REFUND_FIELDS.items() if k.endswith("amount")},
}


def scalar(value: Any) -> str | None:
    """A JSON value as the text the order table types: lists and objects as JSON text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float):
        return repr(round(value, 4))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def json_format(items: list) -> str | None:
    """'api_v2' or 'api_v3' by the first order's keys; None when no item looks like one."""
    for item in items:
        if isinstance(item, dict):
            if "Order" in item or "order_id" in item:
                return "api_v2"
            if "id" in item and ("released_at" in item or "order_payment" in item):
                return "api_v3"
    return None if items else "api_v3"


def _keep_rest(rec: dict, obj: Any, path: str) -> None:
    """Every leaf of ``obj`` as an extra column named by its path (lists as JSON text)."""
    if isinstance(obj, dict) and obj:
        for key, value in obj.items():
            _keep_rest(rec, value, f"{path}.{key}" if path else str(key))
    elif obj is not None and obj != {}:
        rec[path] = scalar(obj)


def _money(value: Any) -> Any:
    return value.get("amount") if isinstance(value, dict) else value


def _is_true(value: Any) -> bool:
    return str(value).strip().casefold() in ("true", "1", "yes")


def _address(rec: dict, ship: Any, path: str) -> None:
    if not isinstance(ship, dict):
        _keep_rest(rec, ship, path)
        return
    for key, value in ship.items():
        canon = ADDRESS_FIELDS.get(key) or ("country" if key == "country" else None)
        if canon and canon not in rec:
            rec[canon] = scalar(value)
        else:
            _keep_rest(rec, value, f"{path}.{key}")


def _one_line(ship: Any) -> str | None:
    if not isinstance(ship, dict):
        return scalar(ship)
    parts = [scalar(v) for v in ship.values() if not isinstance(v, dict | list)]
    return ", ".join(p for p in parts if p) or None


def _refunds(rec: dict, refunds: Any, path: str) -> None:
    """The latest refund's fields, the total refunded and the count.

    The full list is kept as an extra column when there is more than one refund.
    """
    if not isinstance(refunds, list):
        _keep_rest(rec, refunds, path)
        return
    items = [r.get("Refund", r) if isinstance(r, dict) else r for r in refunds]
    items = [r for r in items if isinstance(r, dict)]
    if len(items) != len(refunds) or len(items) > 1:
        rec[path] = scalar(refunds)
    rec["refund_count"] = str(len(items))
    if not items:
        return
    last = max(items, key=lambda r: str(r.get("refund_time") or ""))
    for key, canon in REFUND_FIELDS.items():
        if key in last and key != "refund_amount":
            rec[canon] = scalar(_money(last[key]))
    amounts = [_money(r.get("refund_amount")) for r in items if r.get("refund_amount") is not None]
    if amounts:
        try:
            rec["refund_amount"] = scalar(round(sum(float(a) for a in amounts), 4))
        except (TypeError, ValueError):
            rec["refund_amount"] = scalar(amounts[-1])  # not a number: rejected when typed


def flatten_v2(item: Any) -> dict[str, str | None] | None:
    """One v2 order (``{"Order": {...}}`` or the bare order) as text per field and extra column.

    None when ``item`` is not an order.
    """
    order = item.get("Order", item) if isinstance(item, dict) else None
    if not isinstance(order, dict) or "order_id" not in order:
        return None
    rec: dict[str, str | None] = {}
    for key, value in order.items():
        canon = V2_FIELDS.get(key)
        if canon:
            rec[canon] = scalar(value)
        elif key not in ("ShippingDetail", "OriginalShippingDetail", "refunds"):
            _keep_rest(rec, value, key)
    if rec.get("product_name"):
        rec["product_name"] = html.unescape(rec["product_name"])
    # Combined (EPC) orders ship to Wish's warehouse (ShippingDetail); the buyer's address is
    # in OriginalShippingDetail.
    original = order.get("OriginalShippingDetail")
    ship = order.get("ShippingDetail")
    if original is not None:
        _address(rec, original, "OriginalShippingDetail")
        rec["epc_address"] = _one_line(ship)
        if ship is not None:
            rec["ShippingDetail"] = scalar(ship)
    elif ship is not None:
        if _is_true(order.get("is_combined_order")):
            rec["epc_address"] = _one_line(ship)
            rec["ShippingDetail"] = scalar(ship)
        else:
            _address(rec, ship, "ShippingDetail")
    if "refunds" in order:
        _refunds(rec, order["refunds"], "refunds")
    return rec


# --- Merchant API v3: typed JSON -------------------------------------------------------------

V3_EVENTS = {
    "ORDER_RELEASED": "released_at",
    "MARK_SHIPPED": "shipped_at",
    "CONFIRM_FULFILLED": "confirmed_fulfilled_at",
    "CONFIRMED_DELIVERED": "delivered_at",
    "ORDER_DELIVERED": "delivered_at",
    "TRACKING_CANCELLED": "tracking_cancelled_at",
    "ORDER_RE_RELEASED": "re_released_at",
}
V3_MONEY = {
    "product_price": "price",
    "product_merchant_payment": "cost",
    "product_shipping_price": "shipping",
    "shipping_merchant_payment": "shipping_cost",
    "payment_total": "order_total",
}
_PAY = "order_payment.general_payment_details"
_SHIP = "full_address.shipping_detail"
V3_SCALARS = {
    "id": "order_id",
    "transaction_id": "transaction_id",
    "state": "state",
    "released_at": "released_at",
    "updated_at": "updated_at",
    "fulfillment_requirements.expected_ship_time": "fulfil_by",
    "product_information.id": "product_id",
    "product_information.name": "product_name",
    "product_information.sku": "sku",
    "product_information.size": "size",
    "product_information.color": "color",
    f"{_PAY}.product_quantity": "quantity",
    **{f"{_SHIP}.{k}": f for k, f in ADDRESS_FIELDS.items() if k != "phone_number"},
    f"{_SHIP}.phone_number.number": "phone_number",
    f"{_SHIP}.country_code": "country",
}
V3_TRACKING = {
    "tracking_number": "tracking_number",
    "shipping_provider.name": "carrier",
    "origin_country": "tracking_origin_country",
    "ship_note": "ship_note",
}
# Every JSON path v3 orders are read from -> its field ('[]': the items of a list).
V3_PATHS = {
    **V3_SCALARS,
    f"{_SHIP}.country": "country",
    **{f"{_PAY}.{k}.amount": f for k, f in V3_MONEY.items()},
    **{f"{_PAY}.{k}.currency_code": "currency" for k in V3_MONEY},
    **{f"tracking_information[].{k}": f for k, f in V3_TRACKING.items()},
    "fulfillment_records[].event_type": "fulfilment_events",
    "fulfillment_records[].event_time": "fulfilment_events",
    "fulfillment_order_types": "is_wish_express",
    "penalties": "fine_ids",
    **{f"refunds[].{k}": f for k, f in REFUND_FIELDS.items()},
    **{f"refunds[].{k}.amount": f for k, f in REFUND_FIELDS.items() if k.endswith("amount")},
    **{f"refunds[].{k}.currency_code": f for k, f in REFUND_FIELDS.items() if "amount" in k},
}
V3_SOURCES = {field: path for path, field in reversed(V3_PATHS.items())}
V3_SOURCES["shipped_at"] = "fulfillment_records[MARK_SHIPPED]"
V3_SOURCES["confirmed_fulfilled_at"] = "fulfillment_records[CONFIRM_FULFILLED]"
V3_SOURCES["delivered_at"] = "fulfillment_records[CONFIRMED_DELIVERED]"
V3_SOURCES["tracking_cancelled_at"] = "fulfillment_records[TRACKING_CANCELLED]"
V3_SOURCES["re_released_at"] = "fulfillment_records[ORDER_RE_RELEASED]"
V3_SOURCES["is_wish_express"] = "fulfillment_order_types"
V3_SOURCES["currency"] = f"{_PAY}.payment_total.currency_code"
V2_SOURCES = {field: path for path, field in reversed(V2_PATHS.items())}
# v2 fields that older orders do not carry at all, so that an empty value says nothing:
# ``tracking_confirmed_date`` came later (whether the order says ``tracking_confirmed`` tells).
V2_PARTIAL = frozenset({"confirmed_fulfilled_at"})


def _when(text: Any) -> dt.datetime | None:
    try:
        stamp = dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


def _events(rec: dict, records: Any) -> None:
    """Fulfilment events: the latest time of each kind, and all of them as text.

    A tracking cancelled at or after the last MARK_SHIPPED clears ``shipped_at`` (and a confirmed
    fulfilment of that tracking): the order is not shipped any more.
    """
    if not isinstance(records, list):
        _keep_rest(rec, records, "fulfillment_records")
        return
    latest: dict[str, tuple[dt.datetime | None, str]] = {}
    written = []
    for event in records:
        if not isinstance(event, dict) or set(event) - {"event_type", "event_time"}:
            rec["fulfillment_records"] = scalar(records)  # an odd event: keep them as they came
        if not isinstance(event, dict):
            continue
        kind, time = event.get("event_type"), event.get("event_time")
        written.append(f"{kind} {time}" if time else str(kind))
        canon = V3_EVENTS.get(str(kind))
        if canon and time is not None:
            when = _when(time)
            before = latest.get(canon)
            if before is None or (when and before[0] and when >= before[0]) or not before[0]:
                latest[canon] = (when, str(time))
    rec["fulfilment_events"] = "; ".join(written) or None
    cancel = latest.get("tracking_cancelled_at")
    for canon, (when, text) in latest.items():
        if canon == "released_at" and rec.get("released_at"):
            continue
        if canon in ("shipped_at", "confirmed_fulfilled_at") and cancel and cancel[0] and when:
            if when <= cancel[0]:
                continue  # the tracking this event belongs to was cancelled
        rec[canon] = text


def _get(obj: Any, path: str) -> Any:
    for key in path.split("."):
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _tracking(rec: dict, tracking: Any) -> None:
    if not isinstance(tracking, list):
        _keep_rest(rec, tracking, "tracking_information")
        return
    if tracking and isinstance(tracking[0], dict):
        first = dict(tracking[0])
        for path, canon in V3_TRACKING.items():
            rec[canon] = scalar(_get(first, path))
        rest = {k: v for k, v in first.items() if k not in ("tracking_number", "origin_country")}
        rest.pop("ship_note", None)
        provider = rest.pop("shipping_provider", None)
        if isinstance(provider, dict):
            _keep_rest(
                rec,
                {k: v for k, v in provider.items() if k != "name"},
                "tracking_information[0].shipping_provider",
            )
        elif provider is not None:
            rec["tracking_information[0].shipping_provider"] = scalar(provider)
        _keep_rest(rec, rest, "tracking_information[0]")
    if len(tracking) > 1 or (tracking and not isinstance(tracking[0], dict)):
        rec["tracking_information"] = scalar(tracking)  # earlier trackings, as they came


def _payment(rec: dict, pay: Any) -> None:
    currencies = set()
    if not isinstance(pay, dict):
        return
    for key, money in pay.items():
        canon = V3_MONEY.get(key)
        if canon and isinstance(money, dict):
            rec[canon] = scalar(money.get("amount"))
            if money.get("currency_code"):
                currencies.add(str(money["currency_code"]))
            rest = {k: v for k, v in money.items() if k not in ("amount", "currency_code")}
            _keep_rest(rec, rest, f"{_PAY}.{key}")
        elif key != "product_quantity":
            _keep_rest(rec, money, f"{_PAY}.{key}")
    # Mixed currencies in one order cannot be one money column: mark the order as bad.
    rec["currency"] = (
        currencies.pop() if len(currencies) == 1 else ("MIXED" if currencies else None)
    )


_V3_LISTS = ("tracking_information", "fulfillment_records", "refunds")


def flatten_v3(item: Any) -> dict[str, str | None] | None:
    """One v3 order as text per field and extra column; None when ``item`` is not an order."""
    if not isinstance(item, dict) or "id" not in item:
        return None
    rec: dict[str, str | None] = {}
    for path, canon in V3_SCALARS.items():
        value = _get(item, path)
        if value is not None:
            rec[canon] = scalar(value)
    consumed = set(V3_SCALARS) | {f"{_SHIP}.phone_number.number"}
    ship = _get(item, _SHIP)
    if not rec.get("country") and isinstance(ship, dict) and ship.get("country"):
        rec["country"] = scalar(ship["country"])
        consumed.add(f"{_SHIP}.country")
    _payment(rec, _get(item, _PAY))
    _tracking(rec, item.get("tracking_information"))
    _events(rec, item.get("fulfillment_records"))
    if "refunds" in item:
        _refunds(rec, item["refunds"], "refunds")
    types = item.get("fulfillment_order_types")
    if isinstance(types, list):
        rec["is_wish_express"] = "True" if "WISH_EXPRESS" in types else "False"
        rec["fulfillment_order_types"] = ", ".join(map(str, types)) or None
    if "penalties" in item:
        rec["fine_ids"] = scalar(item["penalties"])
    rest = {k: v for k, v in item.items() if k not in (*_V3_LISTS, "penalties")}
    rest.pop("fulfillment_order_types", None)
    pay = _get(rest, "order_payment")
    if isinstance(pay, dict):
        rest["order_payment"] = {k: v for k, v in pay.items() if k != "general_payment_details"}
        if not isinstance(pay.get("general_payment_details"), dict | None):
            rest["order_payment"]["general_payment_details"] = pay["general_payment_details"]
    for path, value in _leaves(rest):
        if path not in consumed:
            rec[path] = scalar(value)
    return rec


def _leaves(obj: dict, prefix: str = "") -> list[tuple[str, Any]]:
    out = []
    for key, value in obj.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict) and value:
            out += _leaves(value, path)
        elif value is not None and value != {}:
            out.append((path, value))
    return out
