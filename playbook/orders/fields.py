"""The order table's field names and kinds, and Wish's order states.

No pyarrow, no pandas: the data checker and the staff page read these without loading the import
machinery. The table is the same for every platform: a field a file does not give is an empty
column. Wish's states and refund sources are here because Wish's readers are code; other
platforms declare theirs in their order formats (data/order_formats/).
"""

from __future__ import annotations

# The platform of the built-in (code) readers: Wish's CSV export, .xlsx and API v2/v3 JSON.
WISH = "wish"

# canonical field -> kind. Kinds decide parsing and which problems reject a row.
FIELDS: dict[str, str] = {
    "order_id": "order_id",
    "transaction_id": "text",
    "state": "state",
    "refund_source": "refund_source",
    "ordered_at": "datetime",
    "released_at": "datetime",
    "updated_at": "datetime",
    "fulfil_by": "datetime",
    "shipped_at": "datetime",
    "confirmed_fulfilled_at": "datetime",
    "delivered_at": "datetime",
    "refunded_at": "datetime",
    "days_to_fulfill": "int",
    "hours_to_fulfill": "int",
    "product_id": "text",
    "product_name": "text",
    "sku": "text",
    "size": "text",
    "color": "text",
    "quantity": "quantity",
    "currency": "currency",
    "price": "money_nonneg",
    "cost": "money_nonneg",
    "shipping": "money_nonneg",
    "shipping_cost": "money_nonneg",
    "order_total": "money_nonneg",
    "refund_responsibility_pct": "percent",
    "refund_responsibility_amount": "money",
    "refund_reason": "text",
    "carrier": "text",
    "tracking_number": "text",
    "tracking_confirmed": "bool",
    "is_wish_express": "bool",
    "buyer_name": "text",
    "country": "country",
    # shipping address parts (street and phone are contact details: see CONTACT_COLUMNS)
    "street_address1": "text",
    "street_address2": "text",
    "city": "text",
    "address_state": "text",
    "zipcode": "text",
    "phone_number": "text",
    # delivery confirmation, combined (EPC) shipping, fines
    "delivery_confirmed": "bool",
    "requires_delivery_confirmation": "bool",
    "is_combined_order": "bool",
    "epc_address": "text",
    "fine_ids": "id_list",
    # refunds (the latest refund's reason, source and note; the amounts of all of them)
    "refund_amount": "money",
    "refund_count": "int",
    "refund_note": "text",
    # tracking and the fulfilment history (v3 fulfillment_records)
    "tracking_origin_country": "country",
    "ship_note": "text",
    "tracking_cancelled_at": "datetime",
    "re_released_at": "datetime",
    "fulfilment_events": "text",
}
# The columns every order table has (Wish's, read by code, and every other platform's).
BASE_FIELDS = tuple(FIELDS)
FIELDS |= {
    # Fields only declared formats (data/order_formats/) feed, Amazon's reports first. A table
    # has them when a format of its platform maps them (PlatformColumns), so Wish's tables do
    # not carry columns their files can never fill.
    "fulfilment_channel": "enum",
    "sales_channel": "text",
    "merchant_order_id": "text",
    "asin": "text",
    "item_status": "text",
    "is_business_order": "bool",
    "return_requested_at": "datetime",
    "return_delivered_at": "datetime",
    "return_status": "text",
    "rma_id": "text",
    "atoz_claim": "bool",
}
# Kinds whose values a declared format maps onto the platform's own (``OrderFormat.values``).
MAPPED_KINDS = ("state", "enum")
DATETIME_FIELDS = [f for f, k in FIELDS.items() if k == "datetime"]
# The order table: these columns in this order, then the declared-format fields of the file's
# platform (PLATFORM_FIELDS order), then the file's other columns as text.
ORDER_COLUMNS = [
    "source_format",
    "source_row",
    "order_id",
    "transaction_id",
    "state",
    "state_raw",
    *[f for f in BASE_FIELDS if f not in ("order_id", "transaction_id", "state")],
]
PLATFORM_FIELDS = tuple(f for f in FIELDS if f not in BASE_FIELDS)
# Every column a rule may name (a platform's rules use its own fields).
ALL_COLUMNS = [*ORDER_COLUMNS, *PLATFORM_FIELDS]
# Contact details: kept in the order table, left out of exported triage tables unless asked
# for (``--with-contact``), never put into widget state or case facts.
CONTACT_COLUMNS = ("street_address1", "street_address2", "phone_number", "epc_address")
REJECT_COLUMNS = ["source_row", "order_id", "column", "value", "reason", "detail"]


def enum_key(text: str) -> str:
    """The key states and refund sources are matched by.

    Case, spaces, '_' and punctuation are ignored ('REFUNDEDBYWISHFORMERCHANT' is 'Refunded by
    Wish for merchant').
    """
    return "".join(ch for ch in str(text).upper() if ch.isalnum())


# Order state as written (spaced, upper case) -> (API state, who refunded). Matched by
# :func:`enum_key`.
STATES: dict[str, tuple[str, str | None]] = {
    "APPROVED": ("APPROVED", None),
    "SHIPPED": ("SHIPPED", None),
    "REFUNDED": ("REFUNDED", None),
    "REQUIRE REVIEW": ("REQUIRE_REVIEW", None),
    "DECLINED": ("DECLINED", None),
    "PENDING": ("PENDING", None),
    "DELAYING": ("DELAYING", None),
    "UNDER REVIEW FOR FRAUD": ("REQUIRE_REVIEW", None),
    "REFUNDED BY MERCHANT": ("REFUNDED", "MERCHANT"),
    "REFUNDED BY WISH": ("REFUNDED", "WISH"),
    "REFUNDED BY WISH FOR MERCHANT": ("REFUNDED", "WISH_FOR_MERCHANT"),
    "CANCELLED BY CUSTOMER": ("REFUNDED", "CUSTOMER"),
    "CANCELLED BY WISH (FLAGGED TRANSACTION)": ("REFUNDED", "WISH_FLAGGED"),
}
# Who refunded, as the v2 ``refunded_by`` / v3 ``refund_source`` texts say it (matched by
# :func:`enum_key`) -> the code kept in ``refund_source``. A value not listed here is kept as
# written and reported by triage as an unknown refund source.
REFUND_SOURCES: dict[str, str] = {
    **{k: v[1] for k, v in STATES.items() if v[1]},
    "MERCHANT": "MERCHANT",
    "WISH": "WISH",
    "WISH FOR MERCHANT": "WISH_FOR_MERCHANT",
    "CUSTOMER": "CUSTOMER",
    "USER": "CUSTOMER",
    "PAYMENT PROVIDER": "PAYMENT_PROVIDER",
    "WISH FLAGGED": "WISH_FLAGGED",
}
KNOWN_REFUND_SOURCES = frozenset(REFUND_SOURCES.values())
