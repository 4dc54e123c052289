"""Import Wish order files into one typed order table, and every bad row into a rejects table.

Pure pandas/pyarrow (no widgets). ``rows read = imported + rejected`` always holds; a file that
cannot be read at all raises :class:`~playbook.errors.OrderFileError` naming the file.

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

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from playbook import orders_formats as fmts
from playbook.errors import OrderFileError

Progress = Callable[[int, int], None]
MONEY = pa.decimal128(18, 4)
UTC_US = pa.timestamp("us", tz="UTC")

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
TRUE = ["true", "yes", "y", "1"]
FALSE = ["false", "no", "n", "0"]
# Numbers are plain decimal notation, checked value by value before any cast (the cast alone
# would also take '1e3'; a value's fate must not depend on the rest of its column). Around
# the text of a value, spaces are cut first. Money (and percents): an optional sign, at most
# 14 digits before the point and 4 significant ones after it (MONEY's scale), more zeros after
# those allowed ('4.510000'); no exponents, thousands separators or currency signs. Whole
# numbers: an optional sign, at most 12 digits, and '.', '.0', '.00', ... allowed after them.
_MONEY_RE = r"^[+-]?(\d{1,14}(\.\d{0,4}0*)?|\.\d{1,4}0*)$"
_INT_RE = r"^[+-]?\d{1,12}(\.0*)?$"
_FORMULA_RE = r"^[=+\-@\t\r]"


@dataclass
class ImportResult:
    """The outcome of reading one order file.

    Attributes:
        orders: the order table (see the module docstring).
        rejects: one row per rejected input row, with its row number, column and reason.
        file: the path read.
        format: 'csv', 'xlsx', 'api_v2' or 'api_v3'.
        encoding: text encoding used (None for .xlsx).
        extra_columns: columns of the file kept as they are (not part of the order table).
    """

    orders: pd.DataFrame
    rejects: pd.DataFrame
    file: str
    format: str
    encoding: str | None
    extra_columns: list[str] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        """Input rows (orders) read: always imported + rejected."""
        return len(self.orders) + len(self.rejects)


def read_orders(path: str | Path, *, progress: Progress | None = None) -> ImportResult:
    """Read a Wish order file of any supported format and validate every row.

    Args:
        path: CSV export (UTF-8, UTF-8 with BOM or GB18030), .xlsx, or API v2/v3 JSON.
        progress: called as ``progress(done, total)`` while reading (bytes for CSV, rows
            otherwise); None for no progress reports (scripts, the command line).

    Raises:
        OrderFileError: the file cannot be read as an order file; the message names it.
    """
    path = Path(path)
    kind, head = fmts.sniff(path)
    with arrow_memory_pool():
        if kind == "xlsx":
            raw = fmts.read_xlsx(path, progress)
        elif kind == "json":
            raw = fmts.read_json(path, head, progress)
        else:
            raw = fmts.read_csv(path, head, progress)
        orders, rejects = normalise(raw, consume=True)
    return ImportResult(orders, rejects, str(path), raw.format, raw.encoding, raw.extras)


def _import_pool() -> pa.MemoryPool:
    try:
        return pa.jemalloc_memory_pool()
    except NotImplementedError:  # a pyarrow build without jemalloc (e.g. Windows wheels)
        return pa.default_memory_pool()


@contextmanager
def arrow_memory_pool() -> Iterator[None]:
    """Arrow allocates from jemalloc (when built in) inside the block.

    A large import frees most of what it allocates (the text of typed columns, temporary
    masks) while it allocates more; jemalloc reuses and returns that memory better than the
    default mimalloc pool: about 350 MB less peak memory on a 1,000,000-row export. Buffers
    remember their pool, so tables made here stay valid after the block.
    """
    before = pa.default_memory_pool()
    pool = _import_pool()
    if pool.backend_name == before.backend_name:
        yield
        return
    pa.set_memory_pool(pool)
    try:
        yield
    finally:
        pa.set_memory_pool(before)


# --- per-kind converters: string array -> (typed array, [(reason, bad mask)]) ---------------


# Kinds and fields whose surrounding spaces are always cut. Other text is kept as written
# (cutting every column costs a third of the import time on large files).
_TRIM_KINDS = {"order_id", "state", "currency", "country", "bool", "refund_source"}
_TRIM_FIELDS = {"refund_reason", "sku", "tracking_number", "transaction_id"}
# Kinds whose column stays text in the order table (others are typed from any string type).
_TEXT_KINDS = {"order_id", "text", "state", "refund_source", "country", "currency"}


def _flat(arr: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """The column as large strings, chunks kept (joining them would copy the column)."""
    return arr if arr.type == pa.large_string() else arr.cast(pa.large_string())


def _text_bytes(arr: pa.Array | pa.ChunkedArray) -> int:
    return pc.sum(pc.binary_length(arr)).as_py() or 0


def _clean(arr: pa.Array) -> pa.Array:
    """Spaces cut, and empty text as null."""
    cut = pc.utf8_trim_whitespace(arr)
    if _text_bytes(cut) == _text_bytes(arr):
        cut = arr  # nothing was cut: keep the original (no second copy of the column)
    if not pc.any(pc.equal(cut, "")).as_py():
        return cut
    return pc.if_else(pc.not_equal(cut, ""), cut, pa.scalar(None, cut.type))


def _mask(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    filled = pc.fill_null(arr, False)
    if isinstance(filled, pa.ChunkedArray):
        return np.asarray(filled.to_numpy(), dtype=bool)
    return np.asarray(filled.to_numpy(zero_copy_only=False), dtype=bool)


def _conv_datetime(arr: pa.Array) -> tuple[pa.Array, list]:
    try:
        return pc.cast(arr, pa.timestamp("us")).cast(UTC_US), []
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass  # zones, slashes, spaces or bad values: the careful way
    text = pc.replace_substring_regex(_clean(arr), r":\s+", ":")
    # Seconds to the microsecond, as the column keeps them: pandas would otherwise read the
    # whole column in nanoseconds when one value has more digits, and reject dates outside
    # 1677-2262 only then (a value's verdict must not depend on its neighbours).
    text = pc.replace_substring_regex(text, r"(:\d\d\.\d{6})\d+", r"\1")
    ser = pd.Series(text.to_pandas(), dtype="str").reset_index(drop=True)
    out = pd.to_datetime(ser, format="ISO8601", utc=True, errors="coerce")
    for us_fmt in ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y"):
        todo = out.isna() & ser.notna()
        if not todo.any():
            break
        out[todo] = pd.to_datetime(ser[todo], format=us_fmt, utc=True, errors="coerce")
    out = out.astype("datetime64[us, UTC]")
    bad = ser.notna().to_numpy() & out.isna().to_numpy()
    return pa.array(out.to_numpy(dtype="datetime64[us]"), pa.timestamp("us")).cast(UTC_US), [
        ("bad_date", bad)
    ]


def _valid(arr: pa.Array, regex: str) -> tuple[pa.Array, np.ndarray]:
    """``arr`` cleaned (spaces cut, empty as null) with the values not matching ``regex`` made
    null, and the mask of those values. Every path (whole column, distinct values) checks each
    value this way before casting, so a value's verdict depends on that value alone."""
    arr = _clean(arr)
    ok = pc.match_substring_regex(arr, regex)
    if pc.all(ok).as_py() is not False:  # every value good (or none there): the usual case
        return arr, np.zeros(len(arr), bool)
    return pc.if_else(ok, arr, pa.scalar(None, arr.type)), _mask(pc.invert(ok))


def _conv_decimal(arr: pa.Array, regex: str) -> tuple[pa.Array, np.ndarray]:
    kept, bad = _valid(arr, regex)
    try:
        return pc.cast(kept, MONEY), bad
    except pa.ArrowInvalid:
        # Only the zeros after the 4th decimal can stop the cast of a checked value (Arrow
        # cannot rescale one with more than 38 digits): drop them.
        return pc.cast(pc.replace_substring_regex(kept, r"(\.\d{0,4})0+$", r"\1"), MONEY), bad


def _conv_money(arr: pa.Array, nonneg: bool) -> tuple[pa.Array, list]:
    val, bad = _conv_decimal(arr, _MONEY_RE)
    issues = [("bad_money", bad)]
    if nonneg:
        issues.append(("negative_amount", _mask(pc.less(val, pa.scalar(0, MONEY)))))
    return val, issues


def _conv_int(arr: pa.Array, quantity: bool) -> tuple[pa.Array, list]:
    kept, bad = _valid(arr, _INT_RE)
    try:
        val = pc.cast(kept, pa.int64())  # digits with an optional '-', the usual case
    except pa.ArrowInvalid:
        val = pc.cast(pc.replace_substring_regex(kept, r"^\+|\.0*$", ""), pa.int64())
    if not quantity:
        return val, [("bad_number", bad)]
    return val, [("bad_quantity", bad), ("quantity_not_positive", _mask(pc.less(val, 1)))]


def _conv_bool(arr: pa.Array) -> tuple[pa.Array, list]:
    low = pc.utf8_lower(arr)
    yes, no = pc.is_in(low, pa.array(TRUE)), pc.is_in(low, pa.array(FALSE))
    val = pc.if_else(yes, True, pc.if_else(no, False, pa.scalar(None, pa.bool_())))
    bad = _mask(arr.is_valid()) & ~_mask(yes) & ~_mask(no)
    return val, [("bad_boolean", bad)]


def _conv_percent(arr: pa.Array) -> tuple[pa.Array, list]:
    stripped = pc.utf8_rtrim(_clean(arr), "%")
    dec, bad = _conv_decimal(stripped, _MONEY_RE)
    return pc.cast(dec, pa.float64()), [("bad_number", bad)]


def _conv_currency(arr: pa.Array) -> tuple[pa.Array, list]:
    up = pc.utf8_upper(arr)
    bad = _mask(pc.invert(pc.match_substring_regex(up, r"^[A-Z]{3}$")))
    return pc.fill_null(up, "USD"), [("bad_currency", bad)]


def _state_key(arr: pa.Array) -> pa.Array:
    up = pc.utf8_upper(pc.replace_substring(arr, "_", " "))
    return pc.replace_substring_regex(up, r"\s+", " ")


def _conv_state(arr: pa.Array) -> tuple[tuple[pa.Array, pa.Array], list]:
    keys = list(STATES)
    idx = pc.index_in(_state_key(arr), value_set=pa.array(keys))
    state = pc.take(pa.array([STATES[k][0] for k in keys], pa.large_string()), idx)
    source = pc.take(pa.array([STATES[k][1] for k in keys], pa.large_string()), idx)
    missing = ~_mask(arr.is_valid())
    unknown = ~missing & ~_mask(idx.is_valid())
    return (state, source), [("missing_state", missing), ("unknown_state", unknown)]


def _convert(kind: str, arr: pa.Array) -> tuple[object, list]:
    if kind == "datetime":
        return _conv_datetime(arr)
    if kind in ("money", "money_nonneg"):
        return _conv_money(arr, kind == "money_nonneg")
    if kind in ("int", "quantity"):
        return _conv_int(arr, kind == "quantity")
    if kind == "bool":
        return _conv_bool(arr)
    if kind == "percent":
        return _conv_percent(arr)
    if kind == "currency":
        return _conv_currency(arr)
    if kind == "state":
        return _conv_state(arr)
    if kind == "order_id":
        return arr, [("missing_order_id", ~_mask(arr.is_valid()))]
    if kind == "country":
        return pc.utf8_upper(arr), []
    if kind == "refund_source":
        explicit = pc.take(
            pa.array([STATES.get(k, (None, None))[1] for k in STATES], pa.large_string()),
            pc.index_in(_state_key(arr), value_set=pa.array(list(STATES))),
        )
        return (explicit, pc.utf8_upper(arr)), []
    return arr, []


# Kinds converted once per distinct value when a column has few of them (states, currencies,
# prices, flags): every converter works value by value, so the result is the same.
_PER_VALUE_KINDS = {
    "state",
    "refund_source",
    "currency",
    "country",
    "bool",
    "int",
    "quantity",
    "money",
    "money_nonneg",
    "percent",
}


def _take(value: object, idx: pa.ChunkedArray) -> object:
    if isinstance(value, tuple):
        return tuple(_take(v, idx) for v in value)
    return pc.take(value, idx)


# Convert per distinct value when they are at most this share of the rows.
PER_VALUE_SHARE = 0.25


def _field(
    kind: str, arr: pa.ChunkedArray, trim: bool
) -> tuple[pa.Array, np.ndarray | None, object, list]:
    """Clean and convert one column: (text, codes, typed value, issues).

    A column with few distinct values (states, currencies, prices, flags) is cleaned and
    converted once per distinct value, then spread back: ``text`` is then those values (the
    last one null) and ``codes`` each row's index into them. Every cleaning and converting step
    works value by value, so the result is the same as converting every row (``codes`` None).
    """
    if kind in _PER_VALUE_KINDS and len(arr):
        coded = pc.dictionary_encode(arr)
        chunks = coded.chunks if isinstance(coded, pa.ChunkedArray) else [coded]
        values = chunks[0].dictionary  # one dictionary, shared by every chunk
        if len(values) <= PER_VALUE_SHARE * len(arr):
            values = pa.concat_arrays([values, pa.nulls(1, values.type)])
            idx = pc.fill_null(pa.chunked_array([c.indices for c in chunks]), len(values) - 1)
            if kind in _TEXT_KINDS:
                values = _flat(values)
            if trim:
                values = _clean(values)
            value, issues = _convert(kind, values)
            codes = idx.to_numpy()
            return values, codes, _take(value, idx), [(c, m[codes]) for c, m in issues]
    if kind in _TEXT_KINDS:  # kept as text: large_string, as pandas keeps it
        arr = _flat(arr)
    if trim:
        arr = _clean(arr)
    value, issues = _convert(kind, arr)
    return arr, None, value, issues


def _typed_field(kind: str, arr: pa.ChunkedArray, trim: bool) -> tuple:
    """:func:`_field`, reduced to what normalisation keeps: (typed value, issues that hit some
    row, (rows, text) of the rows with an issue or None, the state as written or None)."""
    text, codes, value, issues = _field(kind, arr, trim)
    del arr
    issues = [(code, mask) for code, mask in issues if mask.any()]
    bad_text = None
    if issues:
        pos = np.flatnonzero(np.logical_or.reduce([mask for _, mask in issues]))
        bad_text = (pos, pc.take(text, pos if codes is None else codes[pos]))
    state_raw = None
    if kind == "state":
        state_raw = text if codes is None else pc.take(text, codes)
    return value, issues, bad_text, state_raw


_WORKERS = max(1, min(4, os.cpu_count() or 1))
_NULL_TYPES = {
    "datetime": UTC_US,
    "int": pa.int64(),
    "quantity": pa.int64(),
    "money": MONEY,
    "money_nonneg": MONEY,
    "percent": pa.float64(),
    "bool": pa.bool_(),
}
_PANDAS_TYPES = {
    pa.int64(): pd.Int64Dtype(),
    pa.bool_(): pd.BooleanDtype(),
    MONEY: pd.ArrowDtype(MONEY),
    pa.large_string(): pd.StringDtype(na_value=np.nan),
}


def normalise(raw: fmts.RawOrders, *, consume: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Type and validate a raw table: (order table, rejects table).

    With ``consume`` the raw table is taken out of ``raw`` (left empty) so that the text of
    each column can be freed as soon as the column is typed; large files then need less memory.
    """
    table = raw.table
    if consume:
        raw.table = table.schema.empty_table()
    if not raw.empty_is_null:
        empty = pa.scalar(None, pa.large_string())
        table = pa.table(
            {
                c: pc.if_else(
                    pc.not_equal(_flat(table.column(c)), ""), _flat(table.column(c)), empty
                )
                for c in table.column_names
            }
        )
    n = table.num_rows
    rows = np.asarray(raw.rows, dtype=np.int64) if n else np.zeros(0, np.int64)
    typed: dict[str, pa.Array] = {}
    problems: list[tuple[str, str, np.ndarray]] = []  # (field, reason, mask)
    # Text of the rows with a problem, per field, for the rejects' 'value': field -> (rows or
    # None for every row, text). Only those rows are kept, so the column's text can go.
    cleaned: dict[str, tuple[np.ndarray | None, pa.Array]] = {}

    if "order_id" in table.column_names:
        typed["order_id"] = _clean(_flat(table.column("order_id")))
        cleaned["order_id"] = (None, typed["order_id"])
    else:
        typed["order_id"] = pa.nulls(n, pa.large_string())
    # Blank rows (nothing in any column; e.g. Excel's trailing empty rows) are not orders.
    no_id = ~_mask(typed["order_id"].is_valid()) if n else np.zeros(0, bool)
    blank = no_id.copy()
    if blank.any():
        for col in table.column_names:
            blank &= ~_mask(_clean(_flat(table.column(col))).is_valid())
    columns = dict(zip(table.column_names, table.columns, strict=True))
    extras = {name: columns[name] for name in raw.extras}
    # Columns are typed in parallel (Arrow and NumPy release the GIL), read in FIELDS order.
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        duplicates = pool.submit(_duplicates, table, typed["order_id"], rows, blank)
        del table
        jobs = {}
        for name, kind in FIELDS.items():
            if kind == "order_id" and name in columns:
                jobs[name] = pool.submit(_typed_field, kind, typed["order_id"], False)
            elif name in columns:
                trim = kind in _TRIM_KINDS or name in _TRIM_FIELDS
                jobs[name] = pool.submit(_typed_field, kind, columns.pop(name), trim)
        # Extras are widened to large_string (new offsets) while the fields are being typed.
        widened = {name: pool.submit(_flat, extras.pop(name)) for name in raw.extras}
        del columns, extras
        for name, kind in FIELDS.items():
            if name not in jobs:
                if name in typed:  # refund_source already set from the state
                    continue
                empty = pa.nulls(n, _NULL_TYPES.get(kind, pa.large_string()))
                typed[name] = pc.fill_null(empty, "USD") if kind == "currency" else empty
                if kind == "state":
                    typed["state_raw"] = empty
                continue
            value, issues, bad_text, state_raw = jobs.pop(name).result()
            if kind == "state":
                (typed["state"], from_state), typed["state_raw"] = value, state_raw
                typed["refund_source"] = from_state
            elif kind == "refund_source":
                explicit, upper = value
                typed[name] = pc.coalesce(explicit, upper, typed.get(name, upper))
            else:
                typed[name] = value
            problems += [(name, code, mask) for code, mask in issues]
            if bad_text is not None and name not in cleaned:
                cleaned[name] = bad_text
            del value, bad_text, state_raw
        problems += duplicates.result()

    reject = np.zeros(n, bool)
    for _, _, mask in problems:
        reject |= mask
    reject &= ~blank
    rejects = _rejects(raw, cleaned, typed["order_id"], rows, problems, reject)

    keep = ~reject & ~blank
    out = {
        "source_format": pa.repeat(pa.scalar(raw.format, pa.large_string()), int(keep.sum())),
        "source_row": pa.array(rows[keep], pa.int64()),
    }
    mask = None if keep.all() else pa.array(keep)  # filtering copies: skip when all are good

    def kept(arr):
        return arr if mask is None else pc.filter(arr, mask)

    for name in ORDER_COLUMNS[2:]:
        out[name] = kept(typed.pop(name))
    for name in raw.extras:
        out[name] = kept(widened.pop(name).result())
    del typed, widened
    result = pa.table(out)
    del out
    # self_destruct frees each Arrow column once converted (dates, counts and flags are
    # copied into NumPy; text and money stay Arrow-backed, without a copy).
    orders = result.to_pandas(types_mapper=_PANDAS_TYPES.get, self_destruct=True)
    del result
    orders["source_row"] = orders["source_row"].astype("int64")
    return orders, rejects


def _duplicates(
    table: pa.Table, order_id: pa.Array, rows: np.ndarray, blank: np.ndarray
) -> list[tuple[str, str, np.ndarray]]:
    """Repeated order ids: an identical repeat is 'duplicate_row'; differing content rejects
    every copy as 'duplicate_order_id' (which one is right cannot be known)."""
    n = len(order_id)
    nulls = order_id.null_count
    # Hashing in Arrow (no Python objects for 1M ids); 'unique' alone is cheaper than counting,
    # and when every id is distinct (the usual case) nothing more is needed.
    if len(pc.unique(order_id)) - (nulls > 0) == n - nulls:
        return []
    counts = pc.value_counts(order_id)
    repeated = pc.filter(counts.field("values"), pc.greater(counts.field("counts"), 1))
    repeated = repeated.drop_null()
    if not len(repeated):
        return []
    dup = _mask(pc.is_in(order_id, value_set=repeated)) & ~blank
    if not dup.any():
        return []
    sub = table.filter(pa.array(dup)).to_pandas().astype("str").fillna("")
    sub.index = np.flatnonzero(dup)
    content = pd.util.hash_pandas_object(
        sub.drop(columns=["order_id"], errors="ignore"), index=False
    )
    ids = pd.Series(pc.filter(order_id, pa.array(dup)).to_pandas(), dtype="str").to_numpy()
    frame = pd.DataFrame({"id": ids, "h": content.to_numpy()}, index=sub.index)
    variants = frame.groupby("id")["h"].transform("nunique")
    differ = np.zeros(n, bool)
    differ[frame.index[variants > 1]] = True
    repeat = np.zeros(n, bool)
    same = frame[variants == 1]
    repeat[same.index[same.duplicated("id", keep="first")]] = True
    return [("order_id", "duplicate_order_id", differ), ("order_id", "duplicate_row", repeat)]


def _rejects(raw, cleaned, order_id, rows, problems, reject) -> pd.DataFrame:
    early = pd.DataFrame(raw.early_rejects, columns=["source_row", "column", "value", "reason"])
    early["order_id"] = pd.NA
    early["detail"] = early["reason"]
    if not reject.any():
        frames = [early]
    else:
        idx = np.flatnonzero(reject)
        ids = pd.Series(pc.take(order_id, pa.array(idx)).to_pandas(), dtype="str")
        first_field = np.full(len(idx), "", dtype=object)
        first_code = np.full(len(idx), "", dtype=object)
        detail = np.full(len(idx), "", dtype=object)
        dup_rows = _dup_rows(order_id, ids, rows)
        for name, code, mask in problems:
            hit = mask[idx]
            label = raw.sources.get(name, name)
            first = hit & (first_code == "")
            first_field[first], first_code[first] = label, code
            note = np.full(int(hit.sum()), f"{label}: {code}", dtype=object)
            if code in ("duplicate_order_id", "duplicate_row"):
                note = note + " (rows " + dup_rows[hit] + ")"
            detail[hit] = detail[hit] + np.where(detail[hit] == "", "", "; ") + note
        values = np.full(len(idx), "", dtype=object)
        for name in set(first_field) - {""}:
            canon = next((f for f, lab in raw.sources.items() if lab == name), name)
            if canon not in cleaned:
                continue
            pos, col = cleaned[canon]
            sel = first_field == name
            want = idx[sel]
            if pos is not None:  # only the rows with a problem in this field were kept
                at = np.minimum(np.searchsorted(pos, want), len(pos) - 1)
                sel[sel] = pos[at] == want
                want = at[pos[at] == want]
            values[sel] = pd.Series(pc.take(col, pa.array(want)).to_pandas()).fillna("")
        frames = [
            early,
            pd.DataFrame(
                {
                    "source_row": rows[idx],
                    "order_id": ids.to_numpy(),
                    "column": first_field,
                    "value": values,
                    "reason": first_code,
                    "detail": detail,
                }
            ),
        ]
    out = (
        pd.concat([f for f in frames if len(f)], ignore_index=True)
        if any(len(f) for f in frames)
        else pd.DataFrame({c: [] for c in REJECT_COLUMNS})
    )
    out = out[REJECT_COLUMNS].sort_values("source_row", kind="stable", ignore_index=True)
    out["source_row"] = out["source_row"].astype("int64")
    for col in REJECT_COLUMNS[1:]:
        out[col] = out[col].astype("str")
    return out


def _dup_rows(order_id: pa.ChunkedArray, ids: pd.Series, rows: np.ndarray) -> np.ndarray:
    """For each rejected row (``ids``: their order ids): the rows that share its order id, as
    text ('2, 7')."""
    dup = ids.dropna()
    if dup.empty:
        return np.full(len(ids), "", dtype=object)
    value_set = pa.array(dup.unique().tolist(), pa.large_string())
    same_at = np.flatnonzero(_mask(pc.is_in(order_id, value_set=value_set)))
    same = pd.Series(pc.take(order_id, pa.array(same_at)).to_pandas(), dtype="str")
    joined = (
        pd.Series(rows[same_at])
        .groupby(same.to_numpy())
        .agg(lambda r: ", ".join(map(str, sorted(r))))
    )
    return ids.map(joined).fillna("").to_numpy(dtype=object)


# --- writing back ---------------------------------------------------------------------------


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells cannot run as spreadsheet formulas.

    Text starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading
    apostrophe (OWASP CSV injection advice). Numbers and dates are left alone.
    """
    out = frame.copy()
    for col in out.columns:
        ser = out[col]
        if isinstance(ser.dtype, pd.StringDtype) or ser.dtype == object:
            text = ser.astype("str")
            risky = text.str.contains(_FORMULA_RE, regex=True, na=False)
            if risky.any():
                out[col] = text.where(~risky, "'" + text)
    return out


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` as .csv (UTF-8 with BOM, so Excel shows Chinese) or .xlsx, made safe."""
    path = Path(path)
    safe = neutralise_formulas(frame)
    for col in safe.columns:
        if isinstance(safe[col].dtype, pd.DatetimeTZDtype):
            safe[col] = safe[col].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        elif isinstance(safe[col].dtype, pd.ArrowDtype):
            safe[col] = safe[col].map(_money_text, na_action="ignore").astype("str")
    if path.suffix.lower() == ".xlsx":
        safe.to_excel(path, index=False, engine="openpyxl")
    else:
        safe.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")
    return path


def _money_text(value) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0")
        whole, frac = text.split(".")
        text = f"{whole}.{frac.ljust(2, '0')}"
    return text


def money_text(value) -> str:
    """A money value as a plain decimal string with at least two decimals ('4.99', '20.00')."""
    return "" if value is None or value is pd.NA else _money_text(value)


__all__ = [
    "ImportResult",
    "OrderFileError",
    "ORDER_COLUMNS",
    "read_orders",
    "normalise",
    "neutralise_formulas",
    "write_table",
    "money_text",
]
