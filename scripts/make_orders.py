"""Make synthetic Wish order files: the sample under data/sample/ and large benchmark files.

Deterministic for a seed. Names, addresses and ids are made up. The same orders can be written
as the merchant CSV export (both header variants), .xlsx, Merchant API v2 JSON and v3 JSON.

    python scripts/make_orders.py                      # rewrite data/sample/
    python scripts/make_orders.py --rows 1000000 --out /tmp/orders_1m.csv
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
SAMPLE_DIR = REPO / "data" / "sample"
SAMPLE_FILE = "wish_orders_sample.csv"
SAMPLE_ROWS = 2000
SAMPLE_SEED = 20261120
# The "as of" time the sample is built around; tests triage the sample at this time.
SAMPLE_AS_OF = dt.datetime(2026, 11, 20, 12, 0, 0, tzinfo=dt.UTC)

# Header order of the later export (wish_formats.md 3.1) and of the earlier one (3.2).
HEADERS_NEW = [
    "Transaction Date",
    "Order Id",
    "Transaction ID",
    "Order State",
    "SKU",
    "Product",
    "Product ID",
    "Product Link",
    "Product Image URL",
    "Size",
    "Color",
    "Currency Code",
    "Price (each)",
    "Cost (each)",
    "Shipping (each)",
    "Shipping Cost (each)",
    "Quantity",
    "Total Cost",
    "SE Cashback Amount",
    "Available for Fulfillment Time",
    "Shipped on",
    "Confirmed Delivery",
    "Date Shipping Carrier Confirmed Delivery",
    "Provider",
    "Tracking",
    "Tracking Confirmed",
    "Tracking Confirmed Date",
    "Shipping Address",
    "Name",
    "First Name",
    "Last Name",
    "Street Address 1",
    "Street Address 2",
    "City",
    "State",
    "Zipcode",
    "Country",
    "Last Updated",
    "Phone Number",
    "Country Code",
    "% Refund Responsibility",
    "Refund Responsibility Amount",
    "Refund Date",
    "Refund Reason",
    "Is Wish Express",
    "Wish Express Delivery Deadline",
    "Requires Delivery Confirmation",
    "Advanced Logistics",
    "Is Combined Order",
    "PremiumCarrier Upgraded",
    "Late Confirmed Fulfillment Fine Amount",
    "Customer Identity Number",
    "Final Product Price",
    "Final Shipping Price",
    "Final Total Product Price",
    "Final Total Shipping Price",
    "Final Total Price",
    "Final Prices Currency",
    "Is Replacement Order",
    "Original Replacement Order ID",
    "Fulfillment By Store (FBS) Order",
]
HEADERS_OLD = [
    "Transaction Date",
    "Order Id",
    "Transaction ID",
    "Order State",
    "SKU",
    "Product",
    "Product ID",
    "Product Link",
    "Product Image URL",
    "Size",
    "Color",
    "Price (each)",
    "Cost (each)",
    "Shipping (each)",
    "Shipping Cost (each)",
    "Quantity",
    "Total Cost",
    "Days to Fulfill",
    "Hours to Fulfill",
    "Shipped on",
    "Confirmed Delivery",
    "Provider",
    "Tracking",
    "Tracking Confirmed",
    "Tracking Confirmed Date",
    "Last Updated",
    "Shipping Address",
    "Name",
    "First Name",
    "Last Name",
    "Street Address 1",
    "Street Address 2",
    "City",
    "State",
    "Zipcode",
    "Country",
    "Phone Number",
    "Country Code",
    "% Refund Responsibility",
    "Refund Responsibility Amount",
    "Refund Date",
    "Refund Reason",
    "Is Wish Express",
    "Wish Express Delivery Deadline",
]

# How the generator builds each order. ``expect`` is the triage outcome the case is built
# for (scenario id, or "" for none): written here from the case design, not from the rules.
# (case, weight, CSV state, expected scenario)
CASES = [
    ("unfulfilled_past", 4, "APPROVED", "unfulfilled-order"),
    ("unfulfilled_soon", 4, "APPROVED", "unfulfilled-order"),
    ("unfulfilled_ok", 8, "APPROVED", ""),
    ("pending", 2, "PENDING", ""),
    ("delaying", 1, "DELAYING", ""),
    ("declined", 1, "DECLINED", ""),
    ("fraud_review", 1, "UNDER REVIEW FOR FRAUD", ""),
    ("flagged", 1, "CANCELLED BY WISH (FLAGGED TRANSACTION)", ""),
    ("customer_cancel", 2, "CANCELLED BY CUSTOMER", ""),
    ("shipped_ok", 30, "SHIPPED", ""),
    ("shipped_late_cf", 6, "SHIPPED", "late-confirmed-fulfilment"),
    ("shipped_not_delivered", 5, "SHIPPED", "order-not-delivered"),
    # the same, but the order need not be confirmed delivered: no case
    ("shipped_no_confirmation_needed", 2, "SHIPPED", ""),
    ("refund_mismatch", 14, "REFUNDED", "item-mismatch"),
    ("refund_not_delivered", 6, "REFUNDED", "order-not-delivered"),
    ("refund_other", 15, "REFUNDED", ""),
]
REFUND_STATES = ["REFUNDED BY MERCHANT", "REFUNDED BY WISH", "REFUNDED BY WISH FOR MERCHANT"]
# Refund reason spellings used per case (display texts as in wish_formats.md 2.1/2.4).
REASONS = {
    "refund_mismatch": [
        "Item does not fit",
        "Received the wrong item",
        "Item is counterfeit",
        "Item does not work as described",
        "Item does not match listing",
        "Incomplete Order",
        "Received the wrong color",
        "Package was empty",
        "Order shipped was incomplete",
        "Item did not work as described",
        "Product listing is missing information",
    ],
    "refund_not_delivered": [
        "Shipping taking too long",
        "Item delivered to wrong address",
        "Item was returned to sender",
        "Item marked delivered but user did not receive it",
        "Item did not arrive on time",
        "Replacement item shipment beyond latest delivery date",
        "Item returned to sender",
    ],
    "refund_other": [
        "Other",
        "Placed order by mistake",
        "Customer provided the wrong address",
        "Store is unable to fulfill order",
        "Item is damaged",
        "Item is of poor quality",
        "Item did not meet expectations",
        "User cancelled order",
        "This order was refunded because it is fraudulent",
        "Customer cancelled the order",
        "Unable to fulfill order",
    ],
    "customer_cancel": ["Customer cancelled the order", "User cancelled order"],
    "flagged": ["This order was refunded because it is fraudulent"],
}
FIRST = ["Alex", "Maria", "Jonas", "Lena", "Sam", "Ana", "Tom", "Eva", "Luca", "Mia", "Noah"]
LAST = ["Miller", "Garcia", "Novak", "Berg", "Rossi", "Silva", "Klein", "Dubois", "Lee"]
CITIES = [
    ("US", "Springfield", "IL"),
    ("DE", "Musterstadt", "BY"),
    ("FR", "Villeneuve", "IDF"),
    ("GB", "Newtown", "ENG"),
    ("BR", "Cidade Nova", "SP"),
    ("MX", "Villa Azul", "JAL"),
    ("CA", "Maple Falls", "ON"),
    ("ES", "Pueblo Nuevo", "MD"),
]
PRODUCTS = [
    ("Cotton T-Shirt", "S"),
    ("Running Shoes", "42"),
    ("Phone Case", ""),
    ("Silk Scarf", ""),
    ("LED Desk Lamp", ""),
    ("Yoga Pants", "M"),
    ("Bluetooth Earbuds", ""),
    ("Denim Jacket", "L"),
]
COLORS = ["black", "white", "red", "blue", "green", ""]
CARRIERS = ["WishPost", "Yanwen", "USPS", "EMS", "SingaporePost", "EPacket"]


def _hex(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` distinct-looking 24-hex ObjectIds."""
    hi = rng.integers(0, 2**48, n, dtype=np.int64)
    lo = rng.integers(0, 2**48, n, dtype=np.int64)
    return np.char.add(
        np.char.zfill(np.char.mod("%x", hi).astype(str), 12),
        np.char.zfill(np.char.mod("%x", lo).astype(str), 12),
    )


def build(rows: int, seed: int, as_of: dt.datetime = SAMPLE_AS_OF) -> pd.DataFrame:
    """Build the orders as a "truth" frame: one row per order, typed, plus its ``case``.

    Every case appears at least once when ``rows`` >= the number of cases.
    """
    rng = np.random.default_rng(seed)
    names = [c[0] for c in CASES]
    weights = np.array([c[1] for c in CASES], dtype=float)
    case_idx = rng.choice(len(CASES), size=rows, p=weights / weights.sum())
    case_idx[: min(rows, len(CASES))] = np.arange(min(rows, len(CASES)))
    case = np.array(names, dtype=object)[case_idx]
    csv_state = np.array([c[2] for c in CASES], dtype=object)[case_idx]
    expect = np.array([c[3] for c in CASES], dtype=object)[case_idx]

    now = pd.Timestamp(as_of).floor("s")
    hour = pd.Timedelta(hours=1)
    # Hours between release and "as of", chosen per case so the case is what it claims.
    age_h = rng.uniform(24 * 8, 24 * 60, rows)  # default: released 8-60 days ago
    sel = case == "unfulfilled_past"
    age_h[sel] = rng.uniform(24 * 5 + 1, 24 * 7, sel.sum())
    sel = case == "unfulfilled_soon"
    age_h[sel] = rng.uniform(24 * 4 + 1, 24 * 5 - 1, sel.sum())
    sel = np.isin(case, ["unfulfilled_ok", "pending", "delaying", "declined", "fraud_review"])
    age_h[sel] = rng.uniform(1, 24 * 4 - 1, sel.sum())
    sel = case == "shipped_ok"
    age_h[sel] = rng.uniform(24 * 8, 24 * 29, sel.sum())
    # confirmed delivery is due 30 days after release
    sel = np.isin(case, ["shipped_not_delivered", "shipped_no_confirmation_needed"])
    age_h[sel] = rng.uniform(24 * 31, 24 * 60, sel.sum())
    released = now - pd.to_timedelta(np.round(age_h * 3600), unit="s")
    ordered = released - 8 * hour

    shipped_case = np.isin(
        case,
        [
            "shipped_ok",
            "shipped_late_cf",
            "shipped_not_delivered",
            "shipped_no_confirmation_needed",
            "refund_mismatch",
            "refund_not_delivered",
            "refund_other",
        ],
    )
    ship_after_h = rng.uniform(4, 60, rows)
    shipped = (released + pd.to_timedelta(np.round(ship_after_h * 3600), unit="s")).floor("D")
    shipped = shipped.where(shipped_case)
    # Confirmed fulfilment (first carrier scan): within 168 h of release unless late.
    cf_after_h = ship_after_h + rng.uniform(6, 90, rows)
    sel = case == "shipped_late_cf"
    cf_after_h[sel] = rng.uniform(170, 190, sel.sum())
    confirmed = released + pd.to_timedelta(np.round(cf_after_h * 3600), unit="s")
    confirmed = confirmed.where(shipped_case)
    shipped_late = case == "shipped_late_cf"
    shipped = shipped.where(~shipped_late, (confirmed - 2 * hour).floor("D"))
    delivered_ok = np.isin(case, ["shipped_ok", "shipped_late_cf", "refund_mismatch"])
    deliver_after_h = cf_after_h + rng.uniform(24 * 4, 24 * 9, rows)
    delivered = released + pd.to_timedelta(np.round(deliver_after_h * 3600), unit="s")
    delivered = delivered.where(delivered_ok & (delivered < now))
    # shipped_ok orders young enough may legitimately have no delivery yet (< 30 days).
    refund_case = np.isin(case, ["refund_mismatch", "refund_not_delivered", "refund_other"])
    cancel_case = np.isin(case, ["customer_cancel", "flagged"])
    refunded = (now - pd.to_timedelta(rng.integers(1, 60, rows), unit="D")).floor("D")
    refunded = refunded.where(refund_case | cancel_case)
    refunded = refunded.where(
        ~(refunded.notna() & (refunded < released.floor("D"))),
        released.floor("D") + pd.Timedelta(days=1),
    )

    ref_pick = rng.integers(0, len(REFUND_STATES), rows)
    state_out = np.where(
        csv_state == "REFUNDED", np.array(REFUND_STATES, dtype=object)[ref_pick], csv_state
    )
    reason = np.full(rows, "", dtype=object)
    for key, texts in REASONS.items():
        sel = case == key
        reason[sel] = np.array(texts, dtype=object)[rng.integers(0, len(texts), sel.sum())]
    # every listed reason text appears at least once when there are enough rows
    for key, texts in REASONS.items():
        where = np.flatnonzero(case == key)
        for i, text in zip(where, texts, strict=False):
            reason[i] = text

    prod = rng.integers(0, len(PRODUCTS), rows)
    city = rng.integers(0, len(CITIES), rows)
    qty = rng.integers(1, 4, rows)
    cost = np.round(rng.uniform(1, 40, rows), 2)
    ship_cost = np.round(rng.uniform(0.5, 8, rows), 2)
    price = np.round(cost * 1.18, 2)
    shipping = np.round(ship_cost * 1.18, 2)
    total = np.round(qty * (cost + ship_cost), 2)
    currency = np.where(rng.random(rows) < 0.9, "USD", "CNY")
    merchant_liable = case == "refund_mismatch"
    resp_pct = np.where(refund_case | cancel_case, np.where(merchant_liable, 100, 0), np.nan)
    resp_amt = np.where(merchant_liable, total, np.where(refund_case | cancel_case, 0.0, np.nan))
    tracking = np.char.add("LX", np.char.zfill(rng.integers(0, 10**9, rows).astype(str), 9))
    countries = np.array([c[0] for c in CITIES], dtype=object)[city]
    first = np.array(FIRST, dtype=object)[rng.integers(0, len(FIRST), rows)]
    last = np.array(LAST, dtype=object)[rng.integers(0, len(LAST), rows)]
    updated = pd.Series(released)
    for col in (shipped, confirmed, delivered, refunded):
        col_s = pd.Series(col)
        updated = updated.where(~(col_s > updated), col_s)

    out = pd.DataFrame(
        {
            "case": case,
            "expect": expect,
            "order_id": _hex(rng, rows),
            "transaction_id": _hex(rng, rows),
            "csv_state": state_out,
            "ordered_at": ordered,
            "released_at": released,
            "updated_at": updated.to_numpy(),
            "shipped_at": shipped,
            "confirmed_fulfilled_at": confirmed,
            "delivered_at": delivered,
            "refunded_at": refunded,
            "refund_reason": reason,
            "refund_responsibility_pct": resp_pct,
            "refund_responsibility_amount": resp_amt,
            "product_id": _hex(rng, rows),
            "product_name": np.array([p[0] for p in PRODUCTS], dtype=object)[prod],
            "size": np.array([p[1] for p in PRODUCTS], dtype=object)[prod],
            "color": np.array(COLORS, dtype=object)[rng.integers(0, len(COLORS), rows)],
            "sku": np.char.add("SKU-", np.char.zfill((prod * 1000 + city).astype(str), 5)),
            "currency": currency,
            "price": price,
            "cost": cost,
            "shipping": shipping,
            "shipping_cost": ship_cost,
            "quantity": qty,
            "order_total": total,
            "carrier": np.array(CARRIERS, dtype=object)[rng.integers(0, len(CARRIERS), rows)],
            "tracking_number": tracking,
            "buyer_name": first + " " + last,
            "first_name": first,
            "last_name": last,
            "street": np.char.add(rng.integers(1, 999, rows).astype(str), " Example Street"),
            "city": np.array([c[1] for c in CITIES], dtype=object)[city],
            "region": np.array([c[2] for c in CITIES], dtype=object)[city],
            "zipcode": np.char.zfill(rng.integers(0, 99999, rows).astype(str), 5),
            "country": countries,
            "phone": np.char.add(
                "+1 555 01", np.char.zfill(rng.integers(0, 99, rows).astype(str), 2)
            ),
            "is_wish_express": rng.random(rows) < 0.1,
            # Confirmed Delivery Policy orders: always for the case built on it, never for
            # the one built against it, about half of the others.
            "requires_delivery_confirmation": np.where(
                case == "shipped_not_delivered",
                True,
                np.where(case == "shipped_no_confirmation_needed", False, rng.random(rows) < 0.5),
            ),
        }
    )
    no_ship = ~shipped_case
    out.loc[no_ship, ["carrier", "tracking_number"]] = ""
    return out


def _fmt_dt(s: pd.Series, fmt: str) -> pd.Series:
    return pd.Series(pd.DatetimeIndex(s).strftime(fmt), index=s.index).fillna("")


def _fmt_money(x: pd.Series) -> pd.Series:
    return x.map(lambda v: "" if pd.isna(v) else f"{v:.2f}")


def to_export_frame(truth: pd.DataFrame, variant: str = "new") -> pd.DataFrame:
    """The merchant CSV export for ``truth`` as a frame of strings, in file column order."""
    t = truth
    dtf = "%Y-%m-%d %H:%M:%S"
    shipped_any = t["shipped_at"].notna()
    tf = {True: "True", False: "False"}
    cols = {
        "Transaction Date": _fmt_dt(t["ordered_at"], dtf),
        "Order Id": t["order_id"],
        "Transaction ID": t["transaction_id"],
        "Order State": t["csv_state"],
        "SKU": t["sku"],
        "Product": t["product_name"],
        "Product ID": t["product_id"],
        "Product Link": "https://www.wish.com/c/" + t["product_id"],
        "Product Image URL": "https://img.example.invalid/" + t["product_id"] + ".jpg",
        "Size": t["size"],
        "Color": t["color"],
        "Currency Code": t["currency"],
        "Price (each)": _fmt_money(t["price"]),
        "Cost (each)": _fmt_money(t["cost"]),
        "Shipping (each)": _fmt_money(t["shipping"]),
        "Shipping Cost (each)": _fmt_money(t["shipping_cost"]),
        "Quantity": t["quantity"].astype(str),
        "Total Cost": _fmt_money(t["order_total"]),
        "SE Cashback Amount": "",
        "Available for Fulfillment Time": _fmt_dt(t["released_at"], dtf),
        "Days to Fulfill": "",
        "Hours to Fulfill": "",
        "Shipped on": _fmt_dt(t["shipped_at"], "%Y-%m-%d"),
        "Confirmed Delivery": t["delivered_at"].notna().map(tf),
        "Date Shipping Carrier Confirmed Delivery": _fmt_dt(t["delivered_at"], dtf),
        "Provider": t["carrier"],
        "Tracking": t["tracking_number"],
        "Tracking Confirmed": t["confirmed_fulfilled_at"].notna().map(tf).where(shipped_any, ""),
        "Tracking Confirmed Date": _fmt_dt(t["confirmed_fulfilled_at"], dtf),
        "Shipping Address": t["street"] + ", " + t["city"],
        "Name": t["buyer_name"],
        "First Name": t["first_name"],
        "Last Name": t["last_name"],
        "Street Address 1": t["street"],
        "Street Address 2": "",
        "City": t["city"],
        "State": t["region"],
        "Zipcode": t["zipcode"],
        "Country": t["country"],
        "Last Updated": _fmt_dt(t["updated_at"], dtf),
        "Phone Number": t["phone"],
        "Country Code": t["country"],
        "% Refund Responsibility": t["refund_responsibility_pct"].map(
            lambda v: "" if pd.isna(v) else f"{v:g}"
        ),
        "Refund Responsibility Amount": _fmt_money(t["refund_responsibility_amount"]),
        "Refund Date": _fmt_dt(t["refunded_at"], "%Y-%m-%d"),
        "Refund Reason": t["refund_reason"],
        "Is Wish Express": t["is_wish_express"].map(tf),
        "Requires Delivery Confirmation": t["requires_delivery_confirmation"].map(tf),
        "Is Combined Order": "False",
    }
    if variant == "old":
        # The earlier export has no Currency Code (older data is USD) and no release time; it
        # has Wish's count of the time left to fulfil, as of the order's last update.
        approved = t["csv_state"] == "APPROVED"
        left_h = t["released_at"] + pd.Timedelta(days=5) - t["updated_at"]
        hours = (left_h.dt.total_seconds() // 3600).astype("int64")
        cols["Hours to Fulfill"] = hours.astype(str).where(approved, "")
        cols["Days to Fulfill"] = (hours // 24).astype(str).where(approved, "")
        headers = HEADERS_OLD
    else:
        headers = HEADERS_NEW
    frame = pd.DataFrame({h: cols.get(h, "") for h in headers}, index=t.index)
    return frame.astype(str)


def write_csv(truth: pd.DataFrame, path: Path, variant: str = "new", encoding: str = "utf-8"):
    """Write ``truth`` as a merchant CSV export (``encoding`` as Python names it)."""
    to_export_frame(truth, variant).to_csv(
        path, index=False, encoding=encoding, lineterminator="\n"
    )


def write_xlsx(truth: pd.DataFrame, path: Path, variant: str = "new") -> None:
    """Write ``truth`` as the CSV export re-saved from Excel (numbers and dates typed)."""
    frame = to_export_frame(truth, variant).replace("", None).astype(object)
    for col in (
        "Price (each)",
        "Cost (each)",
        "Shipping (each)",
        "Shipping Cost (each)",
        "Total Cost",
        "Refund Responsibility Amount",
        "% Refund Responsibility",
    ):
        frame[col] = pd.to_numeric(frame[col]).astype(object)
    frame["Quantity"] = truth["quantity"].astype(int).astype(object)
    for col, src in (
        ("Transaction Date", "ordered_at"),
        ("Last Updated", "updated_at"),
        ("Available for Fulfillment Time", "released_at"),
    ):
        if col in frame:
            frame[col] = [
                None if pd.isna(v) else v.to_pydatetime().replace(tzinfo=None) for v in truth[src]
            ]
    frame = frame.where(frame.notna(), None)
    frame.to_excel(path, index=False, engine="openpyxl")


def _iso(v, fmt: str = "%Y-%m-%dT%H:%M:%S") -> str | None:
    return None if pd.isna(v) else v.strftime(fmt)


def to_v2(truth: pd.DataFrame) -> dict:
    """The Merchant API v2 ``/order/multi-get`` response for ``truth`` (string values)."""
    data = []
    for r in truth.itertuples(index=False):
        state = r.csv_state
        refunded_by = None
        if state.startswith(("REFUNDED BY", "CANCELLED BY")):
            refunded_by, state = state, "REFUNDED"
        elif state == "UNDER REVIEW FOR FRAUD":
            state = "REQUIRE_REVIEW"
        order = {
            "order_id": r.order_id,
            "transaction_id": r.transaction_id,
            "order_time": _iso(r.ordered_at),
            "released_to_merchant_time": _iso(r.released_at),
            "last_updated": _iso(r.updated_at),
            "state": state,
            "sku": r.sku,
            "product_id": r.product_id,
            "product_name": r.product_name,
            "size": r.size,
            "color": r.color,
            "quantity": str(r.quantity),
            "price": f"{r.price:.2f}",
            "shipping": f"{r.shipping:.2f}",
            "cost": f"{r.cost:.2f}",
            "shipping_cost": f"{r.shipping_cost:.2f}",
            "order_total": f"{r.order_total:.2f}",
            "currency_code": r.currency,
            "is_wish_express": "True" if r.is_wish_express else "False",
            "requires_delivery_confirmation": "True"
            if r.requires_delivery_confirmation
            else "False",
            "is_combined_order": "False",
            "ShippingDetail": {
                "name": r.buyer_name,
                "street_address1": r.street,
                "city": r.city,
                "state": r.region,
                "zipcode": r.zipcode,
                "country": r.country,
                "phone_number": r.phone,
            },
        }
        if r.tracking_number:
            order["shipping_provider"] = r.carrier
            order["tracking_number"] = r.tracking_number
        if not pd.isna(r.shipped_at):
            order["shipped_date"] = _iso(r.shipped_at, "%Y-%m-%d")
        if not pd.isna(r.confirmed_fulfilled_at):
            order["tracking_confirmed"] = "True"
            order["tracking_confirmed_date"] = _iso(r.confirmed_fulfilled_at)
        if refunded_by:
            order["refunded_by"] = refunded_by
        if not pd.isna(r.refunded_at):
            order["refunded_time"] = _iso(r.refunded_at, "%Y-%m-%d")
        if r.refund_reason:
            order["refunded_reason"] = r.refund_reason
        if not pd.isna(r.refund_responsibility_amount):
            order["merchant_responsible_refund_amount"] = f"{r.refund_responsibility_amount:.2f}"
        data.append({"Order": order})
    return {"code": 0, "data": data, "message": "", "paging": {}}


def to_v3(truth: pd.DataFrame) -> dict:
    """The Merchant API v3 ``GET /api/v3/orders`` response for ``truth`` (typed values)."""
    source = {
        "REFUNDED BY MERCHANT": "MERCHANT",
        "REFUNDED BY WISH": "WISH",
        "REFUNDED BY WISH FOR MERCHANT": "WISH",
        "CANCELLED BY CUSTOMER": "CUSTOMER",
        "CANCELLED BY WISH (FLAGGED TRANSACTION)": "WISH",
    }
    z = "%Y-%m-%dT%H:%M:%S.000Z"
    data = []
    for r in truth.itertuples(index=False):
        state = r.csv_state
        if state in source:
            state = "REFUNDED"
        elif state == "UNDER REVIEW FOR FRAUD":
            state = "REQUIRE_REVIEW"

        def money(v, cur=r.currency):
            return {"amount": float(v), "currency_code": cur}

        events = [{"event_type": "ORDER_RELEASED", "event_time": _iso(r.released_at, z)}]
        for col, kind in (
            ("shipped_at", "MARK_SHIPPED"),
            ("confirmed_fulfilled_at", "CONFIRM_FULFILLED"),
            ("delivered_at", "CONFIRMED_DELIVERED"),
        ):
            v = getattr(r, col)
            if not pd.isna(v):
                events.append({"event_type": kind, "event_time": _iso(v, z)})
        order = {
            "id": r.order_id,
            "transaction_id": r.transaction_id,
            "state": state,
            "released_at": _iso(r.released_at, z),
            "updated_at": _iso(r.updated_at, z),
            "product_information": {
                "id": r.product_id,
                "sku": r.sku,
                "name": r.product_name,
                "color": r.color,
                "size": r.size,
            },
            "full_address": {
                "shipping_detail": {
                    "name": r.buyer_name,
                    "street_address1": r.street,
                    "city": r.city,
                    "state": r.region,
                    "zipcode": r.zipcode,
                    "country_code": r.country,
                }
            },
            "tracking_information": [
                {"tracking_number": r.tracking_number, "shipping_provider": {"name": r.carrier}}
            ]
            if r.tracking_number
            else [],
            "fulfillment_records": events,
            "fulfillment_order_types": ["WISH_EXPRESS"] if r.is_wish_express else [],
            "order_payment": {
                "general_payment_details": {
                    "product_quantity": int(r.quantity),
                    "product_price": money(r.price),
                    "product_merchant_payment": money(r.cost),
                    "product_shipping_price": money(r.shipping),
                    "shipping_merchant_payment": money(r.shipping_cost),
                    "payment_total": money(r.order_total),
                }
            },
            "refunds": [],
        }
        if not pd.isna(r.refunded_at):
            refund = {
                "refund_time": _iso(r.refunded_at, "%Y-%m-%dT%H:%M:%S+00:00"),
                "refund_reason": r.refund_reason,
                "refund_source": source.get(r.csv_state, "MERCHANT"),
            }
            if not pd.isna(r.refund_responsibility_amount):
                refund["merchant_responsible_amount"] = money(r.refund_responsibility_amount)
            order["refunds"].append(refund)
        data.append(order)
    return {"message": "", "code": 0, "data": data}


def write_json(payload: dict, path: Path, encoding: str = "utf-8") -> None:
    """Write an API payload as JSON."""
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding=encoding)


def main(argv: list[str] | None = None) -> int:
    """Command line: write the sample (default) or a large CSV export."""
    ap = argparse.ArgumentParser(prog="python scripts/make_orders.py", description=__doc__)
    ap.add_argument("--rows", type=int, default=SAMPLE_ROWS)
    ap.add_argument("--seed", type=int, default=SAMPLE_SEED)
    ap.add_argument("--out", type=Path, default=SAMPLE_DIR / SAMPLE_FILE)
    ap.add_argument("--variant", choices=["new", "old"], default="new")
    args = ap.parse_args(argv)
    truth = build(args.rows, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_csv(truth, args.out, args.variant)
    print(f"wrote {len(truth):,} orders to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
