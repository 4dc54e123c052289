"""Per-kind conversion of one order-table column: Arrow text in, typed array and reject masks out.

Each value's verdict depends on that value alone (whole column or once per distinct value);
:mod:`playbook.orders` assembles the columns into the order and rejects tables.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from playbook.orders.columns import MONEY, STATES, UTC_US
from playbook.orders.fields import REFUND_SOURCES, enum_key

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

# Kinds and fields whose surrounding spaces are always cut. Other text is kept as written
# (cutting every column costs a third of the import time on large files).
TRIM_KINDS = {"order_id", "state", "enum", "currency", "country", "bool", "refund_source"}
TRIM_FIELDS = {"refund_reason", "sku", "tracking_number", "transaction_id", "buyer_name"}
# Kinds whose column stays text in the order table (others are typed from any string type).
_TEXT_KINDS = {"order_id", "text", "state", "enum", "refund_source", "country", "currency"}

__all__ = [
    "TRIM_FIELDS",
    "TRIM_KINDS",
    "WISH_CONVERSION",
    "Conversion",
    "clean",
    "distinct_values",
    "large_text",
    "mask",
    "typed_field",
]

# Dates that are not ISO 8601 in Wish's files: US month/day/year (older CSV exports).
US_DATE_FORMATS = ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y")


@dataclass(frozen=True)
class Conversion:
    """What a file's format says about its values.

    Attributes:
        states: the state as written -> (the platform's state, who refunded or None).
        values: field -> {value as written: the platform's value}, for ``enum`` fields.
        date_formats: strptime formats tried, in order, for dates that are not ISO 8601.
    """

    states: Mapping[str, tuple[str, str | None]] = field(default_factory=lambda: STATES)
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    date_formats: tuple[str, ...] = US_DATE_FORMATS


WISH_CONVERSION = Conversion()


# --- per-kind converters: string array -> (typed array, [(reason, bad mask)]) ---------------


def large_text(arr: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """The column as large strings, chunks kept (joining them would copy the column)."""
    return arr if arr.type == pa.large_string() else arr.cast(pa.large_string())


def _text_bytes(arr: pa.Array | pa.ChunkedArray) -> int:
    return pc.sum(pc.binary_length(arr)).as_py() or 0


def clean(arr: pa.Array) -> pa.Array:
    """Spaces cut, and empty text as null."""
    cut = pc.utf8_trim_whitespace(arr)
    if _text_bytes(cut) == _text_bytes(arr):
        cut = arr  # nothing was cut: keep the original (no second copy of the column)
    if not pc.any(pc.equal(cut, "")).as_py():
        return cut
    return pc.if_else(pc.not_equal(cut, ""), cut, pa.scalar(None, cut.type))


def mask(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A boolean Arrow array as a NumPy mask, null as False."""
    filled = pc.fill_null(arr, False)
    if isinstance(filled, pa.ChunkedArray):
        return np.asarray(filled.to_numpy(), dtype=bool)
    return np.asarray(filled.to_numpy(zero_copy_only=False), dtype=bool)


def _conv_datetime(arr: pa.Array, formats: tuple[str, ...]) -> tuple[pa.Array, list]:
    for target in (pa.timestamp("us"), UTC_US):  # zone-less (UTC), then all with an offset
        try:
            return pc.cast(arr, target).cast(UTC_US), []
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass  # mixed zones, slashes, spaces or bad values: the careful way
    # Spaces inside times and offsets ('18:53:56+ 00 :00', as Amazon's documentation prints
    # them) are cut; the date and the time stay apart.
    text = pc.replace_substring_regex(clean(arr), r"\s*:\s*", ":")
    text = pc.replace_substring_regex(text, r"([+-])\s+(\d)", r"\1\2")
    # Seconds to the microsecond, as the column keeps them: pandas would otherwise read the
    # whole column in nanoseconds when one value has more digits, and reject dates outside
    # 1677-2262 only then (a value's verdict must not depend on its neighbours).
    text = pc.replace_substring_regex(text, r"(:\d\d\.\d{6})\d+", r"\1")
    ser = pd.Series(text.to_pandas(), dtype="str").reset_index(drop=True)
    out = pd.to_datetime(ser, format="ISO8601", utc=True, errors="coerce")
    for fmt in formats:
        todo = out.isna() & ser.notna()
        if not todo.any():
            break
        out[todo] = pd.to_datetime(ser[todo], format=fmt, utc=True, errors="coerce")
    out = out.astype("datetime64[us, UTC]")
    bad = ser.notna().to_numpy() & out.isna().to_numpy()
    return pa.array(out.to_numpy(dtype="datetime64[us]"), pa.timestamp("us")).cast(UTC_US), [
        ("bad_date", bad)
    ]


def _valid(arr: pa.Array, regex: str) -> tuple[pa.Array, np.ndarray]:
    """``arr`` cleaned, the values not matching ``regex`` made null; and the mask of those values.

    Cleaned: spaces cut, empty as null. Every path (whole column, distinct values) checks each
    value this way before casting, so a value's verdict depends on that value alone.
    """
    arr = clean(arr)
    ok = pc.match_substring_regex(arr, regex)
    if pc.all(ok).as_py() is not False:  # every value good (or none there): the usual case
        return arr, np.zeros(len(arr), bool)
    return pc.if_else(ok, arr, pa.scalar(None, arr.type)), mask(pc.invert(ok))


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
        issues.append(("negative_amount", mask(pc.less(val, pa.scalar(0, MONEY)))))
    return val, issues


def _conv_int(arr: pa.Array, quantity: bool) -> tuple[pa.Array, list]:
    kept, bad = _valid(arr, _INT_RE)
    try:
        val = pc.cast(kept, pa.int64())  # digits with an optional '-', the usual case
    except pa.ArrowInvalid:
        val = pc.cast(pc.replace_substring_regex(kept, r"^\+|\.0*$", ""), pa.int64())
    if not quantity:
        return val, [("bad_number", bad)]
    return val, [("bad_quantity", bad), ("quantity_not_positive", mask(pc.less(val, 1)))]


def _conv_bool(arr: pa.Array) -> tuple[pa.Array, list]:
    low = pc.utf8_lower(arr)
    yes, no = pc.is_in(low, pa.array(TRUE)), pc.is_in(low, pa.array(FALSE))
    val = pc.if_else(yes, True, pc.if_else(no, False, pa.scalar(None, pa.bool_())))
    bad = mask(arr.is_valid()) & ~mask(yes) & ~mask(no)
    return val, [("bad_boolean", bad)]


def _conv_percent(arr: pa.Array) -> tuple[pa.Array, list]:
    stripped = pc.utf8_rtrim(clean(arr), "%")
    dec, bad = _conv_decimal(stripped, _MONEY_RE)
    return pc.cast(dec, pa.float64()), [("bad_number", bad)]


def _conv_currency(arr: pa.Array) -> tuple[pa.Array, list]:
    up = pc.utf8_upper(arr)
    bad = mask(pc.invert(pc.match_substring_regex(up, r"^[A-Z]{3}$")))
    return pc.fill_null(up, "USD"), [("bad_currency", bad)]


def _enum_key(arr: pa.Array) -> pa.Array:
    """:func:`playbook.orders.fields.enum_key` for a column: upper case, letters and digits."""
    return pc.replace_substring_regex(pc.utf8_upper(arr), r"[^\pL\pN]+", "")


def _lookup(arr: pa.Array, table: dict[str, str | None]) -> pa.Array:
    """Each value's entry in ``table`` (keys matched by ``enum_key``), null when none."""
    keys = list(table)
    idx = pc.index_in(_enum_key(arr), value_set=pa.array([enum_key(k) for k in keys]))
    return pc.take(pa.array([table[k] for k in keys], pa.large_string()), idx)


def _conv_state(
    arr: pa.Array, states: Mapping[str, tuple[str, str | None]]
) -> tuple[tuple[pa.Array, pa.Array], list]:
    state = _lookup(arr, {k: v[0] for k, v in states.items()})
    source = _lookup(arr, {k: v[1] for k, v in states.items()})
    missing = ~mask(arr.is_valid())
    unknown = ~missing & ~mask(state.is_valid())
    return (state, source), [("missing_state", missing), ("unknown_state", unknown)]


def _conv_enum(arr: pa.Array, table: Mapping[str, str]) -> tuple[pa.Array, list]:
    """The platform's value of each written one (``table``); a value not in it is rejected."""
    value = _lookup(arr, dict(table))
    unknown = mask(arr.is_valid()) & ~mask(value.is_valid())
    return value, [("unknown_value", unknown)]


def _conv_refund_source(arr: pa.Array) -> tuple[tuple[pa.Array, pa.Array], list]:
    """Refund sources as (the known code, the text as written).

    A value Wish's lists do not have is kept as it is written, so that triage can report it.
    """
    return (_lookup(arr, REFUND_SOURCES), arr), []


def _conv_id_list(arr: pa.Array) -> tuple[pa.Array, list]:
    """Id lists as a list of ids per row, empty text as null.

    Read from JSON lists (as the JSON readers write them) or ids separated by commas,
    semicolons or spaces.
    """
    out = []
    for text in arr.to_pylist():
        if text is None:
            out.append(None)
            continue
        try:
            value = json.loads(text)
        except ValueError:
            value = None
        if isinstance(value, list):
            items = [str(v).strip() for v in value if v is not None]
        else:
            items = [p for p in text.replace(",", " ").replace(";", " ").split() if p]
        out.append([i for i in items if i])
    return pa.array(out, pa.list_(pa.large_string())), []


def _convert(kind: str, arr: pa.Array, conv: Conversion, name: str) -> tuple[object, list]:
    if kind == "datetime":
        return _conv_datetime(arr, conv.date_formats)
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
        return _conv_state(arr, conv.states)
    if kind == "enum":
        return _conv_enum(arr, conv.values.get(name, {}))
    if kind == "order_id":
        return arr, [("missing_order_id", ~mask(arr.is_valid()))]
    if kind == "country":
        return pc.utf8_upper(arr), []
    if kind == "refund_source":
        return _conv_refund_source(arr)
    if kind == "id_list":
        return _conv_id_list(arr)
    return arr, []


# Kinds converted once per distinct value when a column has few of them (states, currencies,
# prices, flags): every converter works value by value, so the result is the same.
_PER_VALUE_KINDS = {
    "state",
    "enum",
    "refund_source",
    "currency",
    "country",
    "bool",
    "int",
    "quantity",
    "money",
    "money_nonneg",
    "percent",
    "id_list",
}


def _take(value: object, idx: pa.ChunkedArray) -> object:
    if isinstance(value, tuple):
        return tuple(_take(v, idx) for v in value)
    return pc.take(value, idx)


def distinct_values(arr: pa.ChunkedArray) -> tuple[pa.Array, pa.ChunkedArray]:
    """The column's distinct values (the last one null) and each row's index into them."""
    coded = pc.dictionary_encode(arr)
    chunks = coded.chunks if isinstance(coded, pa.ChunkedArray) else [coded]
    values = chunks[0].dictionary  # one dictionary, shared by every chunk
    values = pa.concat_arrays([values, pa.nulls(1, values.type)])
    idx = pc.fill_null(pa.chunked_array([c.indices for c in chunks]), len(values) - 1)
    return values, idx


def _field(
    kind: str, arr: pa.ChunkedArray, trim: bool, share: float, conv: Conversion, name: str
) -> tuple[pa.Array, np.ndarray | None, object, list]:
    """Clean and convert one column: (text, codes, typed value, issues).

    A column with few distinct values (states, currencies, prices, flags) is cleaned and
    converted once per distinct value, then spread back: ``text`` is then those values (the
    last one null) and ``codes`` each row's index into them. Every cleaning and converting step
    works value by value, so the result is the same as converting every row (``codes`` None).
    ``share``: the largest share of distinct values (of the rows) converted that way.
    """
    if kind in _PER_VALUE_KINDS and len(arr):
        values, idx = distinct_values(arr)
        if len(values) - 1 <= share * len(arr):
            if kind in _TEXT_KINDS:
                values = large_text(values)
            if trim:
                values = clean(values)
            value, issues = _convert(kind, values, conv, name)
            codes = idx.to_numpy()
            return values, codes, _take(value, idx), [(c, m[codes]) for c, m in issues]
    if kind in _TEXT_KINDS:  # kept as text: large_string, as pandas keeps it
        arr = large_text(arr)
    if trim:
        arr = clean(arr)
    value, issues = _convert(kind, arr, conv, name)
    return arr, None, value, issues


def typed_field(
    kind: str,
    arr: pa.ChunkedArray,
    trim: bool,
    share: float,
    conv: Conversion = WISH_CONVERSION,
    name: str = "",
) -> tuple:
    """:func:`_field` of field ``name``, reduced to what normalisation keeps.

    Returns (typed value, issues that hit some row, (rows, text) of the rows with an issue or
    None, the state as written or None).
    """
    text, codes, value, issues = _field(kind, arr, trim, share, conv, name)
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
