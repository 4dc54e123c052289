"""Order import: every format and encoding gives the same table.

Written tables cannot run spreadsheet formulas.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from playbook.orders import formats as orders_formats
from playbook.orders.reader import ORDER_COLUMNS, neutralise_formulas, read_orders, write_table
from tests.orders.order_files import BAD, gen, write_orders

# The API state each CSV display state stands for (wish_formats.md 1.3), written out here.
API_STATE = {
    "APPROVED": "APPROVED",
    "SHIPPED": "SHIPPED",
    "PENDING": "PENDING",
    "DELAYING": "DELAYING",
    "DECLINED": "DECLINED",
    "UNDER REVIEW FOR FRAUD": "REQUIRE_REVIEW",
    "REFUNDED BY MERCHANT": "REFUNDED",
    "REFUNDED BY WISH": "REFUNDED",
    "REFUNDED BY WISH FOR MERCHANT": "REFUNDED",
    "CANCELLED BY CUSTOMER": "REFUNDED",
    "CANCELLED BY WISH (FLAGGED TRANSACTION)": "REFUNDED",
}
TEXT = [
    "order_id",
    "transaction_id",
    "product_id",
    "product_name",
    "sku",
    "size",
    "color",
    "currency",
    "refund_reason",
    "carrier",
    "tracking_number",
    "buyer_name",
    "country",
]
MONEY = ["price", "cost", "shipping", "shipping_cost", "order_total"]
TIMES = ["released_at", "updated_at", "shipped_at", "confirmed_fulfilled_at", "refunded_at"]


def _expected(truth: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """What the order table must hold for ``truth``, built from the generator's own values."""
    out = pd.DataFrame(index=truth.index)
    for col in columns:
        if col == "state":
            out[col] = truth["csv_state"].map(API_STATE)
        elif col in TEXT:
            out[col] = truth[col].replace("", None).astype("str")
        elif col in MONEY:
            out[col] = truth[col].map(lambda v: Decimal(f"{v:.2f}"))
        elif col == "quantity":
            out[col] = truth[col].astype("int64")
        elif col == "is_wish_express":
            out[col] = truth[col].astype(bool)
        else:
            out[col] = truth[col]
    return out.reset_index(drop=True)


def _actual(orders: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = orders[columns].copy()
    for col in columns:
        if col in MONEY:
            out[col] = out[col].map(lambda v: Decimal(v).quantize(Decimal("0.01")))
        elif col == "quantity":
            out[col] = out[col].astype("int64")
        elif col == "is_wish_express":
            out[col] = out[col].astype(bool)
        elif col in TEXT or col == "state":
            out[col] = out[col].astype("str")
    return out.reset_index(drop=True)


COMMON = [
    "order_id",
    "transaction_id",
    "state",
    "product_id",
    "product_name",
    "sku",
    "size",
    "color",
    "quantity",
    *MONEY,
    "currency",
    *TIMES,
    "refund_reason",
    "carrier",
    "tracking_number",
    "buyer_name",
    "country",
    "is_wish_express",
]


@pytest.mark.parametrize(
    ("kind", "fmt", "encoding", "extra"),
    [
        ("csv-utf-8", "csv", "utf-8", ["ordered_at", "delivered_at"]),
        ("csv-utf-8-sig", "csv", "utf-8", ["ordered_at", "delivered_at"]),
        ("csv-gb18030", "csv", "gb18030", ["ordered_at", "delivered_at"]),
        ("xlsx", "xlsx", None, ["ordered_at", "delivered_at"]),
        ("v2", "api_v2", "utf-8", ["ordered_at"]),
        ("v3", "api_v3", "utf-8", ["delivered_at"]),
    ],
)
def test_each_format_gives_the_generated_orders(truth, tmp_path, kind, fmt, encoding, extra):
    """Every format and encoding reads back to the orders it was written from."""
    result = read_orders(write_orders(kind, truth, tmp_path))
    assert (result.format, result.encoding) == (fmt, encoding)
    assert len(result.rejects) == 0
    assert list(result.orders.columns[: len(ORDER_COLUMNS)]) == ORDER_COLUMNS
    cols = COMMON + extra
    pd.testing.assert_frame_equal(
        _actual(result.orders, cols), _expected(truth, cols), check_dtype=False
    )


def test_all_formats_give_the_same_table(truth, tmp_path):
    """The same orders in six files make one order table (on the fields all formats carry)."""
    kinds = ["csv-utf-8", "csv-utf-8-sig", "csv-gb18030", "xlsx", "v2", "v3"]
    tables = [_actual(read_orders(write_orders(k, truth, tmp_path)).orders, COMMON) for k in kinds]
    for kind, table in zip(kinds[1:], tables[1:], strict=True):
        pd.testing.assert_frame_equal(table, tables[0], check_dtype=False, obj=kind)


def test_old_header_variant(truth, tmp_path):
    """The earlier export (Days/Hours to Fulfill, no currency, no release time) is read too."""
    path = tmp_path / "old.csv"
    gen.write_csv(truth, path, variant="old")
    result = read_orders(path)
    assert len(result.rejects) == 0
    assert result.orders["released_at"].isna().all()
    assert (result.orders["currency"] == "USD").all()
    approved = truth["csv_state"].eq("APPROVED").to_numpy()
    assert result.orders["hours_to_fulfill"].notna().to_numpy().tolist() == approved.tolist()
    cols = [c for c in COMMON if c not in ("currency", "released_at")]
    pd.testing.assert_frame_equal(
        _actual(result.orders, cols), _expected(truth, cols), check_dtype=False
    )


def test_types_of_the_order_table(truth, tmp_path):
    """Times are UTC, money is decimal, counts are integers, text is pandas text."""
    orders = read_orders(write_orders("csv-utf-8", truth, tmp_path)).orders
    assert str(orders["released_at"].dtype) == "datetime64[us, UTC]"
    assert str(orders["order_total"].dtype) == "decimal128(18, 4)[pyarrow]"
    assert str(orders["quantity"].dtype) == "Int64"
    assert orders["source_row"].tolist() == list(range(2, 62))
    assert isinstance(orders["order_id"].dtype, pd.StringDtype)
    assert "Product Link" in orders.columns  # columns the table does not use are kept
    assert orders["phone_number"].tolist() == truth["phone"].tolist()  # address parts typed
    assert str(orders["delivery_confirmed"].dtype) == "boolean"


def test_v3_offsets_become_utc(tmp_path):
    """v3 times with an offset are converted; v2 times without a zone are taken as UTC."""
    path = tmp_path / "v3.json"
    path.write_text(
        '[{"id": "a", "state": "APPROVED", "released_at": "2026-11-01T10:00:00.000+08:00"}]'
    )
    got = read_orders(path).orders["released_at"].iloc[0]
    assert got == pd.Timestamp("2026-11-01T02:00:00Z")
    path = tmp_path / "v2.json"
    path.write_text(
        '{"data": {"Order": {"order_id": "b", "state": "APPROVED",'
        ' "order_time": "2015-08-03T22: 59: 02"}}}'
    )
    assert read_orders(path).orders["ordered_at"].iloc[0] == pd.Timestamp("2015-08-03T22:59:02Z")


def test_progress_reports_and_same_result(truth, tmp_path):
    """With a progress callback the CSV is streamed, reports reach the total, same table."""
    path = write_orders("csv-utf-8", truth, tmp_path)
    seen: list[tuple[int, int]] = []
    with_progress = read_orders(path, progress=lambda done, total: seen.append((done, total)))
    assert seen
    assert seen[-1] == (path.stat().st_size, path.stat().st_size)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    pd.testing.assert_frame_equal(with_progress.orders, read_orders(path).orders)


def test_careful_reader_matches_fast_reader(truth, tmp_path):
    """The csv-module reader (used for ragged files) types the same table as pyarrow's."""
    path = write_orders("csv-utf-8", truth, tmp_path)
    fast = read_orders(path)
    header, delim = orders_formats._header(path, path.read_bytes()[:65536], "utf-8")
    names, sources, extras = orders_formats._columns(path, header)
    raw = orders_formats._python_csv(path, "utf-8", delim, names, sources, extras)
    from playbook.orders.reader import normalise

    careful, rejects = normalise(raw)
    assert len(rejects) == 0
    pd.testing.assert_frame_equal(careful, fast.orders)


# --- writing back ---------------------------------------------------------------------------


def test_formula_cells_are_neutralised_on_write(tmp_path):
    """Text starting with = + - @ gets an apostrophe in CSV and XLSX; numbers do not."""
    orders = read_orders(BAD / "formulas.csv").orders
    safe = neutralise_formulas(orders)
    assert safe["product_name"].tolist() == [
        '\'=HYPERLINK("http://x.invalid","click")',
        "Phone Case",
        "Phone Case",
        "'-rm",
    ]
    assert safe["sku"].tolist() == ["SKU-1", "'+1-555", "'@SUM(A1)", "SKU-1"]
    assert orders["product_name"].iloc[0].startswith("=")  # the table itself is unchanged
    out = write_table(orders, tmp_path / "out.csv")
    back = pd.read_csv(out, dtype=str, encoding="utf-8-sig")
    assert back["product_name"].iloc[0].startswith("'=")
    assert back["cost"].iloc[0] == "5.00"
    xlsx = write_table(orders, tmp_path / "out.xlsx")
    from openpyxl import load_workbook

    ws = load_workbook(xlsx).worksheets[0]
    header = [c.value for c in ws[1]]
    cell = ws.cell(row=2, column=header.index("product_name") + 1)
    assert cell.data_type == "s"
    assert cell.value.startswith("'=")


def test_negative_numbers_are_not_text():
    """Money columns are numbers, so a negative amount is not turned into text."""
    frame = pd.DataFrame({"amount": [-1.5], "note": ["-1.5"]})
    safe = neutralise_formulas(frame)
    assert safe["amount"].tolist() == [-1.5]
    assert safe["note"].tolist() == ["'-1.5"]
