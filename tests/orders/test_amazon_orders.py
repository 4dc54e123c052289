"""Amazon order reports read through their declared formats (data/order_formats/).

The All Orders flat file (both variants, real header rows from the Selling Partner API
documentation, made-up values) and the seller-fulfilled returns report, as delivered, saved as
GB18030 and as .xlsx, with optional columns missing; every row imported or rejected with its
row, column and reason; triaged by Amazon's rules with hand-worked deadlines.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from playbook.errors import OrderFileError
from playbook.orders.reader import ORDER_COLUMNS, read_orders, write_table
from playbook.orders.triage import TriageSet, triage

HERE = Path(__file__).parent.parent / "data" / "orders" / "amazon"
ALL_ORDERS = HERE / "all_orders_by_order_date.txt"
NO_CHANNEL = HERE / "all_orders_by_last_update_no_channel.txt"
RETURNS = HERE / "returns.txt"
WISH_CSV = Path(__file__).parent.parent / "data" / "orders" / "bad" / "bad_money.csv"
AS_OF = "2026-11-20T12:00:00Z"
UTC = dt.UTC


@pytest.fixture(scope="module")
def formats(lib):
    return lib.order_formats


@pytest.fixture(scope="module")
def rules(lib):
    return TriageSet.from_library(lib)


def _rejects(result) -> list[tuple]:
    r = result.rejects
    return list(zip(r["source_row"], r["column"], r["value"], r["reason"], strict=True))


def test_all_orders_report_rows_are_imported_or_rejected_with_row_column_and_reason(formats):
    result = read_orders(ALL_ORDERS, formats=formats)
    assert (result.platform, result.format, result.encoding) == (
        "amazon",
        "amazon-all-orders",
        "utf-8",
    )
    assert result.rows_read == 17 == len(result.orders) + len(result.rejects)
    assert _rejects(result) == [
        (8, "amazon-order-id", "111-0000005-0000005", "duplicate_row"),
        (9, "item-price", "12,99", "bad_money"),
        (10, "order-status", "Lost in space", "unknown_state"),
        (11, "fulfillment-channel", "Drone", "unknown_value"),
        (16, "is-business-order", "maybe", "bad_boolean"),
    ]
    assert "rows 6, 8" in result.rejects["detail"].iloc[0]


def test_all_orders_values_as_real_reports_write_them(formats):
    orders = read_orders(ALL_ORDERS, formats=formats).orders.set_index("source_row")
    # spaced and unspaced statuses, British and American spellings
    assert orders.loc[3, ["state", "state_raw"]].tolist() == [
        "PARTIALLY_SHIPPED",
        "Partially Shipped",
    ]
    assert orders.loc[12, ["state", "state_raw"]].tolist() == [
        "PARTIALLY_SHIPPED",
        "PartiallyShipped",
    ]
    assert orders.loc[5, "state"] == "CANCELED"
    # AFN/MFN and Amazon/Merchant, empty when the cell is
    assert orders["fulfilment_channel"].fillna("").tolist() == [
        "mfn", "mfn", "afn", "mfn", "afn", "afn", "mfn", "mfn", "afn", "afn", "", "",
    ]  # fmt: skip
    # ISO 8601 with offsets, date only, the documentation's stray spaces, the day-first form
    assert orders.loc[2, "ordered_at"] == pd.Timestamp("2026-11-17T18:00:00Z")
    assert orders.loc[6, "ordered_at"] == pd.Timestamp("2026-11-10T00:00:00Z")
    assert orders.loc[14, "ordered_at"] == pd.Timestamp("2003-07-14T18:53:56Z")
    assert orders.loc[15, "ordered_at"] == pd.Timestamp("2010-07-14T18:53:56Z")
    # "true"/"false" strings, money as text with spaces, quantities
    assert orders.loc[3, "is_business_order"] is True or orders.loc[3, "is_business_order"]
    assert not orders.loc[2, "is_business_order"]
    assert str(orders.loc[3, "price"]) == "39.0000"
    assert orders.loc[12, "quantity"] == 3
    # the report is not quoted: double quotes stay in the name, even at its start
    assert orders.loc[12, "product_name"] == '"Deluxe" 12" steel ruler'
    # one order, two items: two rows (keyed by order id and SKU)
    assert orders.loc[[6, 7], "sku"].tolist() == ["SCARF-RED", "HAT-RED"]


def test_every_column_of_the_report_is_kept(formats):
    result = read_orders(ALL_ORDERS, formats=formats)
    header = ALL_ORDERS.read_text(encoding="utf-8").splitlines()[0].split("\t")
    mapped = {"amazon-order-id", "merchant-order-id", "purchase-date", "last-updated-date",
              "order-status", "fulfillment-channel", "sales-channel", "product-name", "sku",
              "asin", "item-status", "quantity", "currency", "item-price", "shipping-price",
              "ship-city", "ship-state", "ship-postal-code", "ship-country",
              "is-business-order"}  # fmt: skip
    assert set(result.extra_columns) == set(header) - mapped
    assert list(result.orders.columns[: len(ORDER_COLUMNS)]) == ORDER_COLUMNS
    assert result.orders.set_index("source_row").loc[2, "ship-service-level"] == "Standard"
    # every Amazon table has the fields of Amazon's formats (the returns report's too) ...
    platform = list(result.orders.columns[len(ORDER_COLUMNS) : len(ORDER_COLUMNS) + 11])
    assert platform[0] == "fulfilment_channel"
    assert "atoz_claim" in platform
    assert result.orders["atoz_claim"].isna().all()
    # ... and a Wish table none of them: its files can never fill them
    wish = read_orders(WISH_CSV, formats=formats).orders
    assert "fulfilment_channel" not in wish.columns
    assert "atoz_claim" not in wish.columns


def test_fields_the_report_lacks_are_empty_columns_of_their_type_kept_apart(formats):
    orders = read_orders(ALL_ORDERS, formats=formats).orders
    assert list(orders.columns[: len(ORDER_COLUMNS)]) == ORDER_COLUMNS
    dates = ["shipped_at", "delivered_at", "refunded_at", "fulfil_by"]  # Wish's, never Amazon's
    for name in dates:
        assert str(orders[name].dtype) == "datetime64[us, UTC]", name
        assert orders[name].isna().all(), name
    assert str(orders["refund_count"].dtype) == "Int64"
    assert str(orders["is_wish_express"].dtype) == "boolean"
    assert str(orders["refund_responsibility_pct"].dtype) == "float64"
    # One empty column per type is made and shared (about 130 MB of columns in 1M rows) ...
    first, second = (orders[n].array._ndarray for n in dates[:2])
    assert np.shares_memory(first, second)
    # ... and filling one leaves the others empty (pandas copies a shared column on write).
    orders.loc[orders.index[0], "shipped_at"] = orders["ordered_at"].iloc[0]
    assert orders["shipped_at"].notna().sum() == 1
    assert all(orders[name].isna().all() for name in dates[1:])


def test_a_gb18030_copy_reads_the_same(formats, tmp_path):
    text = ALL_ORDERS.read_text(encoding="utf-8").replace("Ceramic mug, blue", "蓝色陶瓷杯")
    utf8, gbk = tmp_path / "utf8.txt", tmp_path / "gb18030.txt"
    utf8.write_text(text, encoding="utf-8")
    gbk.write_bytes(text.encode("gb18030"))
    a, b = read_orders(utf8, formats=formats), read_orders(gbk, formats=formats)
    assert b.encoding == "gb18030"
    assert b.orders.set_index("source_row").loc[2, "product_name"] == "蓝色陶瓷杯"
    pd.testing.assert_frame_equal(a.orders, b.orders)
    pd.testing.assert_frame_equal(a.rejects, b.rejects)


def _as_excel_saves_it(value: str):
    """A cell as Excel keeps a typed-in value: numbers and TRUE/FALSE typed, the rest text."""
    low = value.strip().lower()
    if low in ("true", "false"):
        return low == "true"
    try:
        number = float(value)
    except ValueError:
        return value or None
    return int(number) if number.is_integer() and "." not in value else number


def test_an_xlsx_copy_reads_the_same(formats, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for i, line in enumerate(ALL_ORDERS.read_text(encoding="utf-8").splitlines()):
        cells = line.split("\t")
        sheet.append(cells if i == 0 else [_as_excel_saves_it(c) for c in cells])
    path = tmp_path / "all_orders.xlsx"
    book.save(path)
    tsv, xlsx = read_orders(ALL_ORDERS, formats=formats), read_orders(path, formats=formats)
    assert (xlsx.platform, xlsx.format, xlsx.encoding) == ("amazon", "amazon-all-orders", None)
    assert xlsx.rows_read == tsv.rows_read == len(xlsx.orders) + len(xlsx.rejects)
    assert _rejects(xlsx) == _rejects(tsv)
    for column in ("order_id", "state", "fulfilment_channel", "ordered_at", "quantity", "price"):
        assert xlsx.orders[column].tolist() == tsv.orders[column].tolist(), column


def test_missing_optional_columns_leave_their_facts_not_judged(formats, rules):
    result = read_orders(NO_CHANNEL, formats=formats)
    assert "fulfilment_channel" not in result.complete
    assert result.orders["fulfilment_channel"].isna().all()
    tri = triage(result.orders, AS_OF, rules)
    assert set(tri.table["verdict"]) == {"look"}
    assert set(tri.table["missing_facts"]) == {"channel, ship_by", "channel, canceller"}
    unjudged = tri.unjudged.set_index(["rule", "missing"])["orders"]
    assert unjudged[("mfn-not-shipped", "channel, ship_by")] == 2  # the AFN one too: unknown here


def test_a_file_missing_a_required_column_is_refused_naming_it(formats, tmp_path):
    lines = ALL_ORDERS.read_text(encoding="utf-8").splitlines()
    header = lines[0].replace("order-status", "status")
    path = tmp_path / "no_status.txt"
    path.write_text("\n".join([header, *lines[1:]]) + "\n", encoding="utf-8")
    with pytest.raises(OrderFileError) as info:
        read_orders(path, formats=formats)
    assert info.value.code == "error.order_file_columns"
    assert info.value.params["columns"] == ["order-status"]
    assert info.value.params["format"] == "Amazon All Orders report"
    assert info.value.params["file"] == str(path)


def test_all_orders_triage_by_amazons_rules_with_hand_worked_dates(formats, rules):
    result = read_orders(ALL_ORDERS, formats=formats)
    tri = triage(result.orders, AS_OF, rules)
    table = tri.table.set_index("source_row")
    assert list(table.index) == [18, 2, 5]
    assert set(table["verdict"]) == {"look"}  # no report gives a ship-by date or who cancelled
    # bought Tue 11-17 18:00 UTC + 2 business days (Wed, Thu) = Thu 11-19 18:00 UTC: past
    assert table.loc[2, ["rule", "priority", "deadline_state"]].tolist() == [
        "mfn-not-shipped",
        3,
        "past",
    ]
    assert table.loc[2, "due_at"] == pd.Timestamp("2026-11-19T18:00:00Z")
    assert (
        table.loc[2, "deadline_source"] == "default_handling_time (2 business days) + ordered_at"
    )
    assert table.loc[2, "explanation"].startswith(
        "not judged: the file does not give the order's ship-by date"
    )
    assert "fulfilment channel mfn" in table.loc[2, "explanation"]
    assert table.loc[2, "rule_policy"] == "default_handling_time"
    assert (
        table.loc[2, "policy_source"]
        == "https://sellercentral.amazon.com/help/hub/reference/G201648780"
    )
    # cancelled: no act-by date; who cancelled is not in the file
    assert table.loc[5, ["rule", "priority", "missing_facts"]].tolist() == [
        "mfn-cancelled",
        4,
        "canceller",
    ]
    assert pd.isna(table.loc[5, "due_at"])
    # bought Mon 11-16 09:00 + 2 business days = Wed 11-18 09:00; no channel given
    assert table.loc[18, "due_at"] == pd.Timestamp("2026-11-18T09:00:00Z")
    assert table.loc[18, "missing_facts"] == "channel, ship_by"
    assert 3 not in table.index  # due Mon 11-23 20:00: not within 24 hours
    assert 4 not in table.index  # fulfilled by Amazon: Amazon's


def test_returns_report_read_and_triaged_with_hand_worked_dates(formats, rules):
    result = read_orders(RETURNS, formats=formats)
    assert (result.platform, result.format) == ("amazon", "amazon-returns")
    assert result.rows_read == 6 == len(result.orders) + len(result.rejects)
    assert _rejects(result) == [
        (6, "A-to-Z Claim", "perhaps", "bad_boolean"),
        (7, "Order Amount", "$12.00", "bad_money"),
    ]
    tri = triage(result.orders, AS_OF, rules)
    table = tri.table.set_index("source_row")
    assert table.loc[2, ["rule", "scenario", "deadline_state"]].tolist() == [
        "return-atoz-claim",
        "amazon-not-as-described",
        "ok",
    ]
    # requested Thu 11-19 08:00 + 72 hours = Sun 11-22 08:00
    assert table.loc[2, "due_at"] == pd.Timestamp("2026-11-22T08:00:00Z")
    assert "A-to-z claim: yes" in table.loc[2, "explanation"]
    # delivered to us Tue 11-17 00:00, no refunded amount: two business days = Thu 11-19 00:00
    assert table.loc[3, ["rule", "deadline_state", "priority"]].tolist() == [
        "return-not-refunded",
        "past",
        1,
    ]
    assert table.loc[3, "due_at"] == pd.Timestamp("2026-11-19T00:00:00Z")
    # "Not as described" requested Fri 11-20 06:00 + 24 hours (recommended) = Sat 06:00: soon
    assert table.loc[4, ["rule", "reason_group", "deadline_state"]].tolist() == [
        "return-not-as-described",
        "item_mismatch",
        "soon",
    ]
    assert table.loc[4, "due_at"] == pd.Timestamp("2026-11-21T06:00:00Z")
    assert 5 not in table.index
    assert tri.unknown_reasons.to_dict("records") == [{"reason": "Gnome took it", "orders": 1}]


def test_rules_of_one_platform_never_judge_the_others_file(lib, formats):
    from playbook.errors import PlaybookError
    from playbook.orders.triage import Triage

    result = read_orders(ALL_ORDERS, formats=formats)
    with pytest.raises(PlaybookError) as info:
        triage(result.orders, AS_OF, Triage.from_library(lib, "wish"))
    assert info.value.code == "error.triage_platform"


def test_the_platform_can_be_given_and_is_then_enforced(formats):
    assert read_orders(ALL_ORDERS, formats=formats, platform="amazon").platform == "amazon"
    with pytest.raises(OrderFileError) as info:
        read_orders(ALL_ORDERS, formats=formats, platform="wish")
    assert info.value.code == "error.order_file_columns"
    with pytest.raises(OrderFileError) as info:
        read_orders(WISH_CSV, formats=formats, platform="amazon")
    assert info.value.code == "error.order_file_columns"
    assert info.value.params["format"] in (
        "Amazon All Orders report",
        "Amazon returns report (seller-fulfilled)",
    )


def test_a_known_encoding_is_used_and_the_one_used_is_said(formats, tmp_path):
    """A European copy in Windows-1252 is read right with its encoding given.

    Without it, its bytes are also valid GB18030 ("é" and the next letter make one character):
    the import says which encoding it used (ImportResult.encoding, the CLI summary), so it is
    never assumed silently.
    """
    text = ALL_ORDERS.read_text(encoding="utf-8").replace(
        "Ceramic mug, blue", "Tasse en céramique bleue"
    )
    path = tmp_path / "cp1252.txt"
    path.write_bytes(text.encode("cp1252"))
    result = read_orders(path, formats=formats, encoding="cp1252")
    assert result.encoding == "cp1252"
    assert result.orders.set_index("source_row").loc[2, "product_name"] == (
        "Tasse en céramique bleue"
    )
    assert read_orders(path, formats=formats).encoding == "gb18030"
    run = subprocess.run(
        [sys.executable, "-m", "playbook", "triage", str(path), "--out", str(tmp_path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert "(amazon-all-orders, gb18030)" in run.stdout
    with pytest.raises(OrderFileError) as info:
        read_orders(path, formats=formats, encoding="no-such-codec")
    assert info.value.code == "error.order_file_encoding"
    assert info.value.params["encoding"] == "no-such-codec"


def test_formula_cells_are_neutralised_when_tables_are_written(formats, tmp_path):
    result = read_orders(ALL_ORDERS, formats=formats)
    out = write_table(result.orders, tmp_path / "orders.csv")
    written = pd.read_csv(out, encoding="utf-8-sig", dtype=str).set_index("source_row")
    assert written.loc["13", "product_name"] == '\'=HYPERLINK("http://example.com","Click")'


def test_cli_triages_an_amazon_report(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "playbook", "triage", str(ALL_ORDERS), "--as-of", AS_OF,
         "--out", str(tmp_path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 1, run.stderr  # some rows were rejected
    assert "(amazon-all-orders, utf-8): 17 rows read, 12 imported, 5 rejected" in run.stdout
    assert (
        "Platform amazon: rules data/triage/amazon.yaml, policies data/policies/amazon.yaml"
        in run.stdout
    )
    table = pd.read_csv(tmp_path / "all_orders_by_order_date.triage.csv", encoding="utf-8-sig")
    assert table["rule"].tolist() == ["mfn-not-shipped", "mfn-not-shipped", "mfn-cancelled"]
    rejects = pd.read_csv(tmp_path / "all_orders_by_order_date.rejects.csv", encoding="utf-8-sig")
    assert len(rejects) == 5
    wrong = subprocess.run(
        [sys.executable, "-m", "playbook", "triage", str(ALL_ORDERS), "--platform", "wish",
         "--out", str(tmp_path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert wrong.returncode == 2
    assert "is not a complete Wish file" in wrong.stderr


def test_a_case_opens_from_a_triaged_amazon_order(lib, formats, rules):
    """A case starts from a triaged row although the report has no buyer name.

    Amazon leaves customer details out of the report; the draft shows the gap. Staff give what
    the report does not: the store and the marketplace (the rules' scopes need it).
    """
    from playbook.cases.memory_store import MemoryStore
    from playbook.cases.session import CaseSession
    from playbook.orders.facts import order_facts

    result = read_orders(ALL_ORDERS, formats=formats)
    tri = triage(result.orders, AS_OF, rules)
    row = tri.table[tri.table["source_row"] == 2].iloc[0]
    order = result.orders[result.orders["source_row"] == 2].iloc[0]
    facts = order_facts(order, row)
    assert facts["fulfilment_channel"] == "mfn"
    assert facts["ordered_at"] == "2026-11-17T18:00:00Z"
    now = dt.datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    session = CaseSession(lib, MemoryStore(), clock=lambda: now, actor=lambda: "ana")
    assert "marketplace" not in facts
    staff = {"store_name": "Lakeside", "marketplace": "us"}
    assert session.start(row["scenario"], {**facts, **staff}) == {}
    ((_ref, due),) = session.screen().deadlines
    assert due.due == dt.datetime(2026, 11, 19, 18, 0, tzinfo=UTC)
    assert "default_handling_time" in session.walk.facts["triage_note"]
