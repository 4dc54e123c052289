"""Make synthetic Amazon "All Orders" reports for benchmarks and tests.

Tab-delimited, with the Selling Partner API's GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL
columns.

Deterministic for a seed. Order ids, SKUs, names and places are made up. One row per order
item (one to three items per order); statuses and channels are written as real reports may
write them (spaced and unspaced, "Canceled" and "Cancelled", AFN/MFN and Amazon/Merchant),
dates as ISO 8601 with offsets, booleans as "true"/"false", amounts as plain decimals.

    python scripts/make_amazon_orders.py --rows 1000000 --out bench/out/amazon_orders_1m.txt
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

# As documented (Order Tracking reports attributes), order-date variant.
HEADER = [
    "amazon-order-id", "merchant-order-id", "purchase-date", "last-updated-date", "order-status",
    "fulfillment-channel", "sales-channel", "order-channel", "ship-service-level",
    "product-name", "sku", "asin", "item-status", "quantity", "currency", "item-price",
    "item-tax", "shipping-price", "shipping-tax", "gift-wrap-price", "gift-wrap-tax",
    "item-promotion-discount", "ship-promotion-discount", "ship-city", "ship-state",
    "ship-postal-code", "ship-country", "promotion-ids", "cpf", "is-business-order",
    "purchase-order-number", "price-designation",
]  # fmt: skip
AS_OF = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
STATUSES = [
    ("Shipped", 0.62), ("Unshipped", 0.08), ("Pending", 0.05), ("PartiallyShipped", 0.02),
    ("Partially Shipped", 0.02), ("Canceled", 0.04), ("Cancelled", 0.02), ("Complete", 0.15),
]  # fmt: skip
CHANNELS = [("AFN", 0.35), ("MFN", 0.55), ("Amazon", 0.04), ("Merchant", 0.06)]
OFFSETS = ["-08:00", "-07:00", "+00:00", "+01:00"]
PRODUCTS = ["Ceramic mug", "Linen tablecloth", "Desk lamp", "Wool scarf", "Garden gloves",
            "Steel ruler", "Bluetooth speaker", "Teapot", "Phone case", "Yoga mat"]  # fmt: skip
CITIES = [("Springfield", "IL", "62701"), ("Portland", "OR", "97201"), ("Austin", "TX", "73301"),
          ("Columbus", "OH", "43004"), ("Madison", "WI", "53703")]  # fmt: skip


def _pick(rng: np.random.Generator, table: list[tuple[str, float]], n: int) -> np.ndarray:
    values, weights = zip(*table, strict=True)
    return rng.choice(np.array(values, dtype=object), size=n, p=np.array(weights) / sum(weights))


def build(rows: int, seed: int = 20261207) -> pd.DataFrame:
    """``rows`` report rows (order items) as text, one to three per order."""
    rng = np.random.default_rng(seed)
    items = rng.choice([1, 2, 3], size=rows, p=[0.75, 0.18, 0.07])
    order_of_row = np.repeat(np.arange(rows), items)[:rows]
    item_no = np.concatenate([np.arange(k) for k in items])[:rows]
    n_orders = int(order_of_row.max()) + 1
    a = rng.integers(100, 1000, n_orders)
    b = rng.integers(0, 10_000_000, n_orders)
    c = rng.integers(0, 10_000_000, n_orders)
    ids = np.char.add(
        np.char.add(np.char.add(a.astype(str), "-"), np.char.zfill(b.astype(str), 7)),
        np.char.add("-", np.char.zfill(c.astype(str), 7)),
    )
    seconds = rng.integers(0, 40 * 86400, n_orders)
    bought = pd.Timestamp(AS_OF) - pd.to_timedelta(seconds, unit="s")
    offset = rng.choice(OFFSETS, n_orders)
    shift = pd.to_timedelta([int(o[:3]) for o in OFFSETS], unit="h").to_numpy()[
        np.searchsorted(np.array(OFFSETS), offset, sorter=np.argsort(OFFSETS))
    ]
    local = (bought.tz_localize(None) + shift).strftime("%Y-%m-%dT%H:%M:%S")
    purchase = np.char.add(np.asarray(local, dtype=str), offset)
    updated = (bought + pd.to_timedelta(rng.integers(0, 86400, n_orders), unit="s")).strftime(
        "%Y-%m-%dT%H:%M:%S+00:00"
    )
    status = _pick(rng, STATUSES, n_orders)
    channel = _pick(rng, CHANNELS, n_orders)
    product = rng.choice(np.array(PRODUCTS, dtype=object), rows)
    sku = np.char.add(
        np.char.add(np.char.upper(np.char.replace(product.astype(str), " ", "-")), "-"),
        item_no.astype(str),
    )
    city = rng.integers(0, len(CITIES), rows)
    qty = rng.choice([1, 1, 1, 2, 3], rows)
    price = np.round(rng.uniform(3, 120, rows), 2) * qty
    o = order_of_row
    frame = pd.DataFrame(
        {
            "amazon-order-id": ids[o],
            "merchant-order-id": "",
            "purchase-date": purchase[o],
            "last-updated-date": np.asarray(updated, dtype=str)[o],
            "order-status": status[o],
            "fulfillment-channel": channel[o],
            "sales-channel": "Amazon.com",
            "order-channel": "",
            "ship-service-level": rng.choice(["Standard", "Expedited"], rows),
            "product-name": product,
            "sku": sku,
            "asin": np.char.add("B0", np.char.zfill(rng.integers(0, 10**8, rows).astype(str), 8)),
            "item-status": np.where(
                np.isin(status[o], ["Shipped", "Complete"]), "Shipped", "Unshipped"
            ),
            "quantity": qty.astype(str),
            "currency": "USD",
            "item-price": np.char.mod("%.2f", price),
            "item-tax": np.char.mod("%.2f", np.round(price * 0.08, 2)),
            "shipping-price": np.char.mod("%.2f", rng.choice([0.0, 4.99, 7.99], rows)),
            "shipping-tax": "0.00",
            "gift-wrap-price": "",
            "gift-wrap-tax": "",
            "item-promotion-discount": "0.00",
            "ship-promotion-discount": "0.00",
            "ship-city": np.array([c[0] for c in CITIES], dtype=object)[city],
            "ship-state": np.array([c[1] for c in CITIES], dtype=object)[city],
            "ship-postal-code": np.array([c[2] for c in CITIES], dtype=object)[city],
            "ship-country": "US",
            "promotion-ids": "",
            "cpf": "",
            "is-business-order": rng.choice(["false", "false", "false", "true"], rows),
            "purchase-order-number": "",
            "price-designation": "",
        }
    )
    return frame[HEADER]


def write(frame: pd.DataFrame, path: Path) -> None:
    """The report as Amazon delivers it: tab-delimited, one header row, no quoting."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, sep="\t", index=False, lineterminator="\n", quoting=3)


def main(argv: list[str] | None = None) -> int:
    """Write one synthetic All Orders report."""
    ap = argparse.ArgumentParser(prog="python scripts/make_amazon_orders.py")
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=20261207)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    write(build(args.rows, args.seed), args.out)
    print(f"wrote {args.rows:,} report rows to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
