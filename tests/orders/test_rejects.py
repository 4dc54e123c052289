"""Broken order files: one clear error naming the file, or exact rejects.

A value's verdict is the same whatever its neighbours, the read block size or the fast path
taken.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from playbook.config import REPO_ROOT
from playbook.errors import OrderFileError
from playbook.orders import formats as orders_formats
from playbook.orders.reader import read_orders
from tests.orders.order_files import BAD, gen, write_orders

AMAZON_REPORT = (
    Path(__file__).parent.parent / "data" / "orders" / "amazon" / "all_orders_by_order_date.txt"
)

# --- broken files ---------------------------------------------------------------------------

ERRORS = [
    ("empty.csv", "error.order_file_empty", {}),
    ("blank_lines.csv", "error.order_file_empty", {}),
    ("binary.csv", "error.order_file_binary", {}),
    ("utf16.csv", "error.order_file_encoding", {"encoding": "UTF-16"}),
    ("latin1.csv", "error.order_file_encoding", {"encoding": "not UTF-8 or GB18030"}),
    ("missing_column.csv", "error.order_file_columns", {"columns": ["Order State"]}),
    (
        "not_wish.csv",
        "error.order_file_columns",
        {"columns": ["Transaction Date", "Order Id", "Order State", "Quantity"]},
    ),
    ("old_excel.xls", "error.order_file_xls", {}),
    ("broken.xlsx", "error.order_file", {}),
    ("truncated.json", "error.order_file_json", {"line": 9, "column": 19}),
    ("api_error.json", "error.order_file_api", {"code": 1015, "detail": "token expired"}),
    ("not_orders.json", "error.order_file_json_shape", {}),
]


@pytest.mark.parametrize(("name", "code", "params"), ERRORS, ids=[e[0] for e in ERRORS])
def test_unreadable_file_gives_one_error_naming_it(name, code, params):
    """A file that is not an order file raises one OrderFileError that names the file."""
    with pytest.raises(OrderFileError) as info:
        read_orders(BAD / name)
    err = info.value
    assert err.code == code
    assert err.params["file"] == str(BAD / name)
    assert {k: err.params[k] for k in params} == params


# file -> (rows imported, [(row, order id, column, value, reason), ...])
REJECTS = {
    "header_only.csv": ([], []),
    "bom_header_only.csv": ([], []),
    "bad_dates.csv": (
        [2],
        [
            (3, "o2", "Transaction Date", "2026-13-45 10:00:00", "bad_date"),
            (4, "o3", "Shipped on", "yesterday", "bad_date"),
            (5, "o4", "Available for Fulfillment Time", "2026-02-30", "bad_date"),
        ],
    ),
    "bad_money.csv": (
        [5],
        [
            (2, "o1", "Cost (each)", "-5.00", "negative_amount"),
            (3, "o2", "Price (each)", "abc", "bad_money"),
            (4, "o3", "Total Cost", "$10", "bad_money"),
            (6, "o5", "Price (each)", "1.123456", "bad_money"),
        ],
    ),
    "bad_quantity.csv": (
        [5],
        [
            (2, "o1", "Quantity", "-1", "quantity_not_positive"),
            (3, "o2", "Quantity", "0", "quantity_not_positive"),
            (4, "o3", "Quantity", "1.5", "bad_quantity"),
            (6, "o5", "Quantity", "two", "bad_quantity"),
        ],
    ),
    "bad_states.csv": (
        [4, 5, 6],
        [
            (2, "o1", "Order State", "SHIPPED_SOMEWHERE", "unknown_state"),
            (3, "o2", "Order State", "", "missing_state"),
        ],
    ),
    "bad_currency.csv": ([3, 4], [(2, "o1", "Currency Code", "US Dollar", "bad_currency")]),
    "missing_ids.csv": ([2, 5], [(3, "", "Order Id", "", "missing_order_id")]),
    "duplicates.csv": (
        [2, 6],
        [
            (3, "b1", "Order Id", "b1", "duplicate_order_id"),
            (4, "a1", "Order Id", "a1", "duplicate_row"),
            (5, "b1", "Order Id", "b1", "duplicate_order_id"),
            (7, "b1", "Order Id", "b1", "duplicate_order_id"),
        ],
    ),
    "ragged.csv": (
        [2, 4],
        [
            (3, "", "", "4 fields, header has 17", "wrong_field_count"),
            (5, "", "", "18 fields, header has 17", "wrong_field_count"),
        ],
    ),
    "formulas.csv": ([2, 3, 4, 5], []),
    "quoted_newline.csv": ([2, 3], []),
    "semicolon.csv": ([2], []),
    "gbk_late.csv": (list(range(2, 703)), []),
    "v2_bad_values.json": (
        [4],
        [
            (1, "v1", "quantity", "abc", "bad_quantity"),
            (2, "", "", "not an order", "not_an_order"),
            (3, "v3", "order_time", "2026-11-01T25:00:00", "bad_date"),
        ],
    ),
    "v3_bad_values.json": (
        [3],
        [
            (
                1,
                "w1",
                "order_payment.general_payment_details.product_price.amount",
                "-3.5",
                "negative_amount",
            ),
            (
                2,
                "w2",
                "order_payment.general_payment_details.payment_total.currency_code",
                "MIXED",
                "bad_currency",
            ),
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(REJECTS))
def test_bad_rows_are_rejected_exactly(name):
    """Each broken file gives exactly these rejects, and imported + rejected = rows read."""
    rows, expected = REJECTS[name]
    result = read_orders(BAD / name)
    assert result.orders["source_row"].tolist() == rows
    got = result.rejects[["source_row", "order_id", "column", "value", "reason"]]
    assert [tuple(r) for r in got.fillna({"order_id": ""}).itertuples(index=False)] == expected
    assert result.rows_read == len(rows) + len(expected)


def test_duplicate_detail_names_the_other_rows():
    """A duplicate's detail says which rows share the id, so staff can compare them."""
    rejects = read_orders(BAD / "duplicates.csv").rejects
    assert rejects["detail"].tolist() == [
        "Order Id: duplicate_order_id (rows 3, 5, 7)",
        "Order Id: duplicate_row (rows 2, 4)",
        "Order Id: duplicate_order_id (rows 3, 5, 7)",
        "Order Id: duplicate_order_id (rows 3, 5, 7)",
    ]


def test_values_read_from_odd_files():
    """Lower-case states, GB18030 after 64 KiB, quoted line breaks and HTML escapes survive."""
    states = read_orders(BAD / "bad_states.csv").orders
    assert states[["state", "refund_source"]].fillna("").values.tolist() == [
        ["REFUNDED", "MERCHANT"],
        ["APPROVED", ""],
        ["REQUIRE_REVIEW", ""],
    ]
    assert read_orders(BAD / "gbk_late.csv").orders["product_name"].iloc[-1] == "手机壳"
    assert read_orders(BAD / "quoted_newline.csv").orders["product_name"].iloc[0] == "Phone\nCase"
    v2 = read_orders(BAD / "v2_bad_values.json").orders
    assert v2["product_name"].iloc[0] == "Kid's Hat"
    assert read_orders(BAD / "bad_quantity.csv").orders["quantity"].tolist() == [2]
    assert read_orders(BAD / "bad_currency.csv").orders["currency"].tolist() == ["EUR", "USD"]


def test_many_rows_counted_in_large_broken_file(truth, tmp_path):
    """A broken row far down a file is reported with its own row number."""
    path = tmp_path / "big.csv"
    gen.write_csv(gen.build(3000, seed=3), path)
    lines = path.read_text().splitlines()
    lines[2500] = lines[2500].replace(",SKU-", ",SKU-,extra-field", 1)
    path.write_text("\n".join(lines) + "\n")
    result = read_orders(path)
    assert result.rejects[["source_row", "reason"]].values.tolist() == [
        [2501, "wrong_field_count"]
    ]
    assert result.rows_read == 3000


# --- one value, one verdict ------------------------------------------------------------------

# CSV column -> (order table column, neighbour sets). Each value is imported next to values
# the plain cast takes ('good'), good values only the careful path takes ('careful') and a bad
# value ('bad'); its verdict must be the same in all of them.
NEIGHBOURS = {
    "Price (each)": (
        "price",
        {"good": ["4.51", "7.00", "12.5"], "careful": [" 4.51 "], "bad": ["abc"]},
    ),
    "Refund Responsibility Amount": (
        "refund_responsibility_amount",
        {"good": ["4.51", "-7.00"], "careful": [" 4.51"], "bad": ["abc"]},
    ),
    "Quantity": ("quantity", {"good": ["1", "2", "3"], "careful": ["2.0", " 3 "], "bad": ["x"]}),
    "Days to Fulfill": ("days_to_fulfill", {"good": ["1", "20"], "careful": ["+2"], "bad": ["x"]}),
    "% Refund Responsibility": (
        "refund_responsibility_pct",
        {"good": ["50", "100", "0"], "careful": ["50%"], "bad": ["x%"]},
    ),
    "Transaction Date": (
        "ordered_at",
        {
            "good": ["2026-11-01 10:00:00", "2026-11-02"],
            "careful": ["2026-11-01T10:00:00.123456789", "11/19/2026 10:00"],
            "bad": ["yesterday"],
        },
    ),
}
# (CSV column, value as written, reject reason or the value imported; None: imported empty)
VERDICTS = [
    ("Price (each)", "4.5", Decimal("4.5")),
    ("Price (each)", " 4.50 ", Decimal("4.5")),
    ("Price (each)", "4.51000", Decimal("4.51")),  # zeros past the 4 decimals change nothing
    ("Price (each)", "1." + "0" * 40, Decimal("1")),  # more digits than Arrow can rescale
    ("Price (each)", "+.5", Decimal("0.5")),
    ("Price (each)", "5.", Decimal("5")),
    ("Price (each)", "99999999999999.9999", Decimal("99999999999999.9999")),
    ("Price (each)", "", None),
    ("Price (each)", "-1.00", "negative_amount"),
    ("Price (each)", "1e3", "bad_money"),
    ("Price (each)", "1E3", "bad_money"),
    ("Price (each)", "1,000.00", "bad_money"),
    ("Price (each)", "abc", "bad_money"),
    ("Price (each)", "$10", "bad_money"),
    ("Price (each)", "4.51001", "bad_money"),
    ("Price (each)", "123456789012345", "bad_money"),
    ("Price (each)", "nan", "bad_money"),
    ("Price (each)", "\u0663", "bad_money"),  # an Arabic-Indic digit
    ("Refund Responsibility Amount", "-1.00", Decimal("-1")),
    ("Refund Responsibility Amount", "-1e3", "bad_money"),
    ("Quantity", "3", 3),
    ("Quantity", " 3 ", 3),
    ("Quantity", "+2", 2),
    ("Quantity", "2.000000", 2),
    ("Quantity", "2." + "0" * 40, 2),
    ("Quantity", "0", "quantity_not_positive"),
    ("Quantity", "-1", "quantity_not_positive"),
    ("Quantity", "1e3", "bad_quantity"),
    ("Quantity", "1.5", "bad_quantity"),
    ("Quantity", "1,000", "bad_quantity"),
    ("Quantity", "1234567890123", "bad_quantity"),  # 13 digits: the int64 cast took it
    ("Days to Fulfill", "-4", -4),
    ("Days to Fulfill", "1e1", "bad_number"),
    ("% Refund Responsibility", "50%", 50.0),
    ("% Refund Responsibility", "12.5", 12.5),
    ("% Refund Responsibility", "50.000000%", 50.0),
    ("% Refund Responsibility", "1e2", "bad_number"),
    ("% Refund Responsibility", "1e2%", "bad_number"),
    ("Transaction Date", "2500-01-01 00:00:00", pd.Timestamp("2500-01-01", tz="UTC")),
    ("Transaction Date", "2026-02-30", "bad_date"),
]


def _one_column_file(path: Path, column: str, cells: list[str]) -> Path:
    """A CSV export whose rows differ only in ``column`` (row 2 holds ``cells[0]``)."""
    import csv

    base = {
        "Transaction Date": "2026-11-01 10:00:00",
        "Order State": "SHIPPED",
        "Quantity": "1",
        "Price (each)": "4.99",
        "Refund Responsibility Amount": "",
        "% Refund Responsibility": "100",
        "Days to Fulfill": "5",
    }
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, ["Order Id", *base], lineterminator="\n")
        writer.writeheader()
        for i, cell in enumerate(cells):
            writer.writerow({**base, "Order Id": f"o{i}", column: cell})
    return path


@pytest.mark.parametrize(("column", "value", "expected"), VERDICTS)
def test_a_value_gets_the_same_verdict_whatever_its_neighbours(
    tmp_path, monkeypatch, column, value, expected
):
    """Whether a number or date is imported, and why not, depends on that value alone.

    Not on the other values of its column, nor on whether the column is converted per distinct
    value.
    """
    from playbook.orders import reader as orders

    field, contexts = NEIGHBOURS[column]
    for share in (0.0, 1.0):  # never / always per distinct value
        monkeypatch.setattr(orders, "PER_VALUE_SHARE", share)
        for name, neighbours in contexts.items():
            path = _one_column_file(tmp_path / f"{name}.csv", column, [value, *neighbours])
            result = read_orders(path)
            where = f"{value!r} next to {name} values, per value: {share == 1.0}"
            rejects = result.rejects[result.rejects["source_row"] == 2]
            got = rejects[["column", "value", "reason"]].values.tolist()
            imported = result.orders.set_index("source_row")
            if isinstance(expected, str):
                assert got == [[column, value, expected]], where
                assert 2 not in imported.index, where
            else:
                assert got == [], where
                cell = imported.loc[2, field]
                assert pd.isna(cell) if expected is None else cell == expected, where


def test_catalogue_has_every_code():
    """Every error and reject code the import uses has en and zh text (orders.yaml)."""
    from playbook.library.yamlio import load_yaml

    entries = dict(load_yaml(REPO_ROOT / "data/i18n/messages.yaml"))
    entries.update(load_yaml(REPO_ROOT / "data/i18n/orders.yaml"))
    codes = {code for _, code, _ in ERRORS}
    for _, rejects in REJECTS.values():
        codes |= {"reject." + r[-1] for r in rejects}
    codes |= {"reject.duplicate_row", "reject.bad_boolean", "reject.bad_number"}
    for code in codes:
        assert set(entries[code]) == {"en", "zh"}, code


# --- fast paths -----------------------------------------------------------------------------

FAST_PATH_FILES = sorted(
    p.name
    for p in BAD.iterdir()
    if p.name in REJECTS and p.suffix in (".csv", ".json") and REJECTS[p.name][0]
)


def test_per_value_conversion_matches_per_row(truth, tmp_path, monkeypatch):
    """Columns with few distinct values are converted once per value; same tables either way."""
    from playbook.orders import reader as orders

    big = tmp_path / "big.csv"
    gen.write_csv(gen.build(400, seed=5), big)
    paths = [BAD / name for name in FAST_PATH_FILES] + [
        write_orders("csv-utf-8", truth, tmp_path),
        big,
    ]
    results = {}
    for share in (0.0, 1.0):  # never / always per value
        monkeypatch.setattr(orders, "PER_VALUE_SHARE", share)
        results[share] = [read_orders(p) for p in paths]
    for path, per_row, per_value in zip(paths, results[0.0], results[1.0], strict=True):
        pd.testing.assert_frame_equal(per_value.orders, per_row.orders, obj=path.name)
        pd.testing.assert_frame_equal(per_value.rejects, per_row.rejects, obj=path.name)


def test_consuming_the_raw_table_gives_the_same_result(tmp_path):
    """normalise(consume=True) empties the raw table as it goes; the result is unchanged."""
    import pyarrow as pa

    from playbook.orders.reader import normalise

    path = BAD / "bad_money.csv"
    head = path.read_bytes()[:65536]
    kept = normalise(orders_formats.read_csv(path, head))
    raw = orders_formats.read_csv(path, head)
    consumed = normalise(raw, consume=True)
    assert raw.table.num_rows == 0
    for a, b in zip(kept, consumed, strict=True):
        pd.testing.assert_frame_equal(a, b)
    assert pa.default_memory_pool().backend_name  # the import left a working default pool


def test_import_restores_the_arrow_memory_pool(tmp_path):
    """The import's memory pool is only used during the import."""
    import pyarrow as pa

    before = pa.default_memory_pool().backend_name
    read_orders(BAD / "duplicates.csv")
    assert pa.default_memory_pool().backend_name == before


def test_import_gives_freed_memory_back_soon(tmp_path, monkeypatch):
    """The import gives the pages it frees back after 0.1 s, not 1 s (jemalloc, if built in)."""
    import pyarrow as pa

    from playbook.orders import reader

    try:
        pa.jemalloc_memory_pool()
    except NotImplementedError:
        pytest.skip("pyarrow without jemalloc")
    decays: list[int] = []
    monkeypatch.setattr(pa, "jemalloc_set_decay_ms", decays.append)
    read_orders(BAD / "duplicates.csv")
    assert decays == [reader.IMPORT_DECAY_MS] == [100]


def _with_bad_values(rows: int, seed: int) -> pd.DataFrame:
    """A generated export (all text) with bad values, padding, blanks and repeated ids.

    They are spread through it, so that they fall into different read blocks.
    """
    frame = gen.to_export_frame(gen.build(rows, seed=seed)).copy()
    n = len(frame)
    injected = {
        "Price (each)": ["1.123456", " 4.51 ", "1e3", "abc", "-2.00", ""],
        "Total Cost": ["12345678901234567", "  ", "7.", ".5"],
        "Transaction Date": ["2026-13-01 00:00:00", "11/19/2026 10:00", " 2026-11-19 10:00:00"],
        "Last Updated": ["yesterday", "2026-11-19T10:00:00+08:00"],
        "Quantity": ["0", "2.0", " 3 ", "x", "-1"],
        "Order State": ["shipped", "NOPE", "", "Refunded_by_merchant"],
        "Currency Code": ["usd", "EURO", " EUR "],
        "Is Wish Express": ["yes", "maybe", " TRUE "],
        "% Refund Responsibility": ["50%", "100", "x%"],
        "SKU": ["  SKU-PADDED  "],
        "Order Id": ["", " padded-id "],
    }
    rng = np.random.default_rng(seed)
    for col, values in injected.items():
        for value, row in zip(values, rng.choice(n, len(values), replace=False), strict=True):
            frame.loc[row, col] = value
    repeats = frame.iloc[rng.choice(n, 6, replace=False)].copy()
    repeats.loc[repeats.index[:3], "Product"] = "changed"  # three differing, three identical
    return pd.concat([frame, repeats], ignore_index=True)


def test_csv_block_size_does_not_change_the_result(truth, tmp_path, monkeypatch):
    """Tiny CSV read blocks give the same order table and rejects as one block.

    The CSV is read in blocks (one Arrow chunk per block and column). Checked for clean files,
    the broken fixtures and a file with bad values, repeated ids and distinct values spread
    over many blocks.
    """
    import pyarrow as pa

    big = tmp_path / "injected.csv"
    _with_bad_values(600, seed=11).to_csv(big, index=False, lineterminator="\n")
    paths = [BAD / n for n in FAST_PATH_FILES if n.endswith(".csv")]
    paths += [write_orders("csv-utf-8", truth, tmp_path), big]
    results = {}
    for size in (1 << 12, 1 << 26):
        monkeypatch.setattr(orders_formats, "CSV_BLOCK_SIZE", size)
        results[size] = [read_orders(p) for p in paths]
        raw = orders_formats.read_csv(big, big.read_bytes()[:65536])
        chunks = raw.table.column("order_id").num_chunks  # the Arrow reader, not the careful one
        assert raw.table.column("order_id").type == pa.string()
        assert chunks > 10 if size == 1 << 12 else chunks == 1
    bad = results[1 << 12][-1]
    assert len(bad.rejects) > 20
    assert bad.rows_read == 606
    for path, small, one in zip(paths, results[1 << 12], results[1 << 26], strict=True):
        pd.testing.assert_frame_equal(small.orders, one.orders, obj=path.name)
        pd.testing.assert_frame_equal(small.rejects, one.rejects, obj=path.name)


def test_duplicate_check_shortcut_matches_counting():
    """The 'every id distinct' shortcut of the duplicate check agrees with counting the ids."""
    import pyarrow as pa

    from playbook.orders.reader import find_duplicates

    cases = [
        ["a", "b", None, "c", None],
        ["a", "b", "a", None],
        [None, None],
        ["a", "a"],
        [],
    ]
    for ids in cases:
        arr = pa.chunked_array([pa.array(ids, pa.large_string())], pa.large_string())
        n = len(ids)
        table = pa.table({"order_id": arr, "x": pa.array(["1"] * n, pa.large_string())})
        found = find_duplicates(table, arr, np.arange(2, n + 2), np.zeros(n, bool))
        rows = {code: mask.tolist() for _, code, mask in found}
        counts = pd.Series(ids, dtype=object).dropna().value_counts()
        repeated = bool((counts > 1).any())
        assert bool(rows) == repeated, ids
        if repeated:
            first = {i for i, v in enumerate(ids) if v is not None and ids.index(v) != i}
            assert {i for i, hit in enumerate(rows["duplicate_row"]) if hit} == first


def _key_table(ids: list, skus: list | None, *, chunks: int = 1):
    import pyarrow as pa

    def column(values, type_):
        size = -(-len(values) // chunks) or 1
        parts = [values[i : i + size] for i in range(0, len(values), size)] or [[]]
        return pa.chunked_array([pa.array(p, type_) for p in parts], type_)

    cols = {"order_id": column(ids, pa.string())}
    if skus is not None:
        cols["sku"] = column(skus, pa.string())
    return pa.table(cols)


@pytest.mark.parametrize(
    ("ids", "skus", "distinct", "repeated"),
    [
        # Amazon-shaped ids (one length), one row per item: distinct keys, told by the hash
        (["111-0000001-0000001", "111-0000001-0000001", "111-0000002-0000001"],
         ["MUG-1", "MUG-2", "MUG-1"], True, False),
        # ids sharing their first 16 bytes and differing after them
        (["111-0000001-0000001", "111-0000001-0000002"], None, True, False),
        # the same id and SKU once with spaces around it, or blank and missing: one key
        (["111-0000001-0000001", "111-0000001-0000001"], ["MUG-1", " MUG-1 "], False, True),
        (["111-0000001-0000001", "111-0000001-0000001"], ["", None], False, True),
        (["111-0000001-0000001", "111-0000001-0000001"], ["  ", ""], False, True),
        # a SKU met again in a later chunk of the column, after a new one
        (["111-0000001-0000001"] * 4, ["MUG-1", "MUG-2", "MUG-2", "MUG-3"], False, True),
        # a repeated key, ids of different lengths, a missing id: not known, compared exactly
        (["a1", "a1"], None, False, True),
        (["a1", "b12"], None, False, False),
        (["a1", None], None, False, False),
    ],
)  # fmt: skip
@pytest.mark.parametrize("chunks", [1, 2])
def test_the_quick_distinct_key_check(ids, skus, distinct, repeated, chunks):
    """The hashed check says 'distinct' only when the row keys are, and is used when they are."""
    from playbook.orders.reader import _order_ids, _row_key, _surely_distinct, find_duplicates

    table = _key_table(ids, skus, chunks=chunks)
    fields = ("order_id", "sku")
    order_id, blank = _order_ids(table)  # cleaned, as the import gives them
    assert _surely_distinct(table, order_id, fields) is distinct
    n = len(ids)
    exact = find_duplicates(table, _row_key(table, order_id, fields), np.arange(2, n + 2), blank)
    assert bool(exact) is repeated  # and where the hash says distinct, they are


def test_items_of_one_order_with_the_same_sku_written_twice_are_repeats(lib, tmp_path):
    """An Amazon report listing one item twice (once with spaces around the SKU) rejects both."""
    header = AMAZON_REPORT.read_text(encoding="utf-8").splitlines()[0].split("\t")
    lines = ["\t".join(header)]
    for sku in ["MUG-1", "MUG-2", " MUG-1 "]:
        row = dict.fromkeys(header, "")
        row.update({"amazon-order-id": "111-0000001-0000001", "sku": sku, "quantity": "1",
                    "order-status": "Shipped", "purchase-date": "2026-11-01T10:00:00+00:00",
                    "last-updated-date": "2026-11-02T10:00:00+00:00", "currency": "USD",
                    "item-price": "5.00", "fulfillment-channel": "MFN"})  # fmt: skip
        lines.append("\t".join(row[c] for c in header))
    path = tmp_path / "report.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = read_orders(path, formats=lib.order_formats)
    assert list(result.orders["sku"]) == ["MUG-2"]
    assert list(result.rejects["source_row"]) == [2, 4]
    assert set(result.rejects["reason"]) == {"duplicate_order_id"}  # they differ in spaces
    assert all(d.endswith("(rows 2, 4)") for d in result.rejects["detail"])
