"""The order table's field names and kinds, and Wish's order states. No pyarrow, no pandas:
the data checker and the staff page read these without loading the import machinery.
"""

from __future__ import annotations

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
}
DATETIME_FIELDS = [f for f, k in FIELDS.items() if k == "datetime"]
ORDER_COLUMNS = [
    "source_format",
    "source_row",
    "order_id",
    "transaction_id",
    "state",
    "state_raw",
    *[f for f in FIELDS if f not in ("order_id", "transaction_id", "state")],
]
REJECT_COLUMNS = ["source_row", "order_id", "column", "value", "reason", "detail"]

# Order state as written (upper case, '_' as space) -> (API state, who refunded).
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
