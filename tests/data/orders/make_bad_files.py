"""Write the broken order files of tests/data/orders/bad/ (run once; the files are committed).

Each file is small and hand-made so the rejects or the error it must give can be checked by
reading it; tests/orders/test_rejects.py holds the expected results.
"""

from __future__ import annotations

import codecs
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent / "bad"
H = (
    "Transaction Date,Order Id,Transaction ID,Order State,SKU,Product,Currency Code,"
    "Price (each),Cost (each),Shipping (each),Shipping Cost (each),Quantity,Total Cost,"
    "Available for Fulfillment Time,Shipped on,Refund Date,Refund Reason"
)


def row(oid: str, **kw: str) -> str:
    """One CSV data row; keyword arguments override the defaults by short name."""
    v = {
        "date": "2026-11-01 10:00:00",
        "id": oid,
        "tx": "tx" + oid,
        "state": "SHIPPED",
        "sku": "SKU-1",
        "product": "Phone Case",
        "cur": "USD",
        "price": "5.90",
        "cost": "5.00",
        "ship": "1.18",
        "ship_cost": "1.00",
        "qty": "1",
        "total": "6.00",
        "released": "2026-11-01 18:00:00",
        "shipped": "2026-11-02",
        "refunded": "",
        "reason": "",
    }
    v.update(kw)
    return ",".join(v.values())


def csv(name: str, *rows: str, header: str = H, encoding: str = "utf-8") -> None:
    """Write a CSV file from a header and rows."""
    (HERE / name).write_bytes(("\n".join([header, *rows]) + "\n").encode(encoding))


def main() -> None:
    """Write every file."""
    HERE.mkdir(parents=True, exist_ok=True)
    (HERE / "empty.csv").write_bytes(b"")
    (HERE / "blank_lines.csv").write_bytes(b"\n \n\t\n")
    csv("header_only.csv")
    (HERE / "bom_header_only.csv").write_bytes(codecs.BOM_UTF8 + (H + "\r\n").encode())
    csv(
        "missing_column.csv",
        "2026-11-01,o1,SKU-1,1",
        header="Transaction Date,Order Id,SKU,Quantity",
    )
    csv("not_wish.csv", "Ana,12.50", header="name,amount")
    (HERE / "binary.csv").write_bytes(bytes(range(256)) * 4)
    (HERE / "utf16.csv").write_bytes(("\n".join([H, row("o1")]) + "\n").encode("utf-16"))
    csv("latin1.csv", row("o1", product="Café crème"), encoding="latin-1")
    (HERE / "old_excel.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    (HERE / "broken.xlsx").write_bytes(b"PK\x03\x04" + b"not really a zip file" * 10)
    good_v2 = {
        "code": 0,
        "data": [
            {
                "Order": {
                    "order_id": "o1",
                    "state": "APPROVED",
                    "quantity": "1",
                    "order_time": "2026-11-01T10:00:00",
                }
            }
        ],
    }
    (HERE / "truncated.json").write_text(json.dumps(good_v2, indent=1)[:-30])
    (HERE / "api_error.json").write_text(
        json.dumps({"code": 1015, "message": "token expired", "data": {}})
    )
    (HERE / "not_orders.json").write_text(json.dumps({"products": [{"name": "x"}]}))
    csv(
        "bad_dates.csv",
        row("o1"),
        row("o2", date="2026-13-45 10:00:00"),
        row("o3", shipped="yesterday"),
        row("o4", released="2026-02-30"),
    )
    csv(
        "bad_money.csv",
        row("o1", cost="-5.00"),
        row("o2", price="abc"),
        row("o3", total="$10"),
        row("o4"),
        row("o5", cost="4.99", price="1.123456"),
    )
    csv(
        "bad_quantity.csv",
        row("o1", qty="-1"),
        row("o2", qty="0"),
        row("o3", qty="1.5"),
        row("o4", qty="2.0"),
        row("o5", qty="two"),
    )
    csv(
        "bad_states.csv",
        row("o1", state="SHIPPED_SOMEWHERE"),
        row("o2", state=""),
        row("o3", state="refunded by merchant"),
        row("o4", state=" Approved "),
        row("o5", state="UNDER REVIEW FOR FRAUD"),
    )
    csv("missing_ids.csv", row("o1"), row(""), ",,,,,,,,,,,,,,,,", row("o4"))
    csv(
        "duplicates.csv", row("a1"), row("b1"), row("a1"), row("b1", qty="2"), row("c1"), row("b1")
    )
    csv(
        "ragged.csv",
        row("o1"),
        "2026-11-01 10:00:00,o2,tx,SHIPPED",
        row("o3"),
        row("o4") + ",extra",
    )
    csv(
        "formulas.csv",
        row("o1", product='"=HYPERLINK(""http://x.invalid"",""click"")"'),
        row("o2", sku="+1-555"),
        row("o3", sku="@SUM(A1)"),
        row("o4", product="-rm"),
    )
    csv("bad_currency.csv", row("o1", cur="US Dollar"), row("o2", cur="eur"), row("o3", cur=""))
    csv("quoted_newline.csv", row("o1", product='"Phone\nCase"'), row("o2"))
    csv("semicolon.csv", row("o1").replace(",", ";"), header=H.replace(",", ";"))
    # GB18030 text only after the first 64 KiB: the start looks like UTF-8.
    filler = [row(f"f{i:05d}") for i in range(700)]
    csv("gbk_late.csv", *filler, row("z1", product="手机壳"), encoding="gb18030")
    v2 = {
        "code": 0,
        "data": [
            {"Order": {"order_id": "v1", "state": "SHIPPED", "quantity": "abc", "price": "1.0"}},
            "not an order",
            {
                "Order": {
                    "order_id": "v3",
                    "state": "APPROVED",
                    "quantity": "1",
                    "order_time": "2026-11-01T25:00:00",
                }
            },
            {
                "Order": {
                    "order_id": "v4",
                    "state": "APPROVED",
                    "quantity": "2",
                    "product_name": "Kid&#39;s Hat",
                    "order_time": "2026-11-01T10:00:00",
                }
            },
        ],
    }
    (HERE / "v2_bad_values.json").write_text(json.dumps(v2, indent=1))
    v3 = {
        "code": 0,
        "message": "",
        "data": [
            {
                "id": "w1",
                "state": "SHIPPED",
                "released_at": "2026-11-01T10:00:00.000Z",
                "order_payment": {
                    "general_payment_details": {
                        "product_quantity": 1,
                        "product_price": {"amount": -3.5, "currency_code": "USD"},
                    }
                },
            },
            {
                "id": "w2",
                "state": "REFUNDED",
                "released_at": "2026-11-01T10:00:00+08:00",
                "order_payment": {
                    "general_payment_details": {
                        "product_quantity": 1,
                        "product_price": {"amount": 3.5, "currency_code": "USD"},
                        "payment_total": {"amount": 3.0, "currency_code": "EUR"},
                    }
                },
            },
            {
                "id": "w3",
                "state": "SHIPPED",
                "released_at": "2026-11-01T10:00:00+08:00",
                "order_payment": {"general_payment_details": {"product_quantity": 1}},
            },
        ],
    }
    (HERE / "v3_bad_values.json").write_text(json.dumps(v3, indent=1))


if __name__ == "__main__":
    main()
