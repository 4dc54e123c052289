"""Import order files into one typed order table, and every bad row into a rejects table.

Pure pandas/pyarrow (no widgets). ``rows read = imported + rejected`` always holds; a file that
cannot be read at all raises :class:`~playbook.errors.OrderFileError` naming the file. The
public entry point: files are read by :mod:`playbook.orders.formats`, columns typed by
:mod:`playbook.orders.convert`; both tables are documented in :mod:`playbook.orders.columns`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from playbook.errors import OrderFileError
from playbook.library.order_formats import OrderFormat
from playbook.orders import formats as fmts
from playbook.orders.columns import (
    FIELDS,
    MONEY,
    NULL_TYPES,
    ORDER_COLUMNS,
    REJECT_COLUMNS,
    UTC_US,
)
from playbook.orders.convert import (
    TRIM_FIELDS,
    TRIM_KINDS,
    clean,
    distinct_values,
    large_text,
    mask,
    typed_field,
)

__all__ = [
    "ORDER_COLUMNS",
    "ImportResult",
    "OrderFileError",
    "money_text",
    "neutralise_formulas",
    "normalise",
    "read_orders",
    "write_table",
]

Progress = Callable[[int, int], None]
_FORMULA_RE = r"^[=+\-@\t\r]"


@dataclass
class ImportResult:
    """The outcome of reading one order file.

    Attributes:
        orders: the order table (see :mod:`playbook.orders.columns`).
        rejects: one row per rejected input row, with its row number, column and reason.
        file: the path read.
        format: Wish's 'csv', 'xlsx', 'api_v2' or 'api_v3', or a declared format's id
            (e.g. 'amazon-all-orders', also when it was re-saved as .xlsx).
        encoding: text encoding used (None for .xlsx).
        extra_columns: columns of the file kept as they are (not part of the order table).
        complete: the fields the file reports whenever they happened (an empty value then
            means "did not happen"; see ``RawOrders.complete``). Also ``orders.attrs``.
        platform: whose file it is (also ``orders.attrs['platform']``): triage uses that
            platform's rules, reason codes and policies.
    """

    orders: pd.DataFrame
    rejects: pd.DataFrame
    file: str
    format: str
    encoding: str | None
    extra_columns: list[str] = field(default_factory=list)
    complete: frozenset[str] = frozenset()
    platform: str = fmts.WISH

    @property
    def rows_read(self) -> int:
        """Input rows (orders) read: always imported + rejected."""
        return len(self.orders) + len(self.rejects)


def read_orders(
    path: str | Path,
    *,
    progress: Progress | None = None,
    formats: Mapping[str, OrderFormat] | None = None,
    platform: str | None = None,
    encoding: str | None = None,
) -> ImportResult:
    """Read an order file of any supported format and validate every row.

    Args:
        path: Wish's CSV export or a declared format's delimited report (UTF-8, UTF-8 with BOM
            or GB18030), either saved as .xlsx, or Wish API v2/v3 JSON.
        progress: called as ``progress(done, total)`` while reading (bytes for CSV, rows
            otherwise); None for no progress reports (scripts, the command line).
        formats: the declared formats (``Library.order_formats``); None: those of the loaded
            library (``playbook.library.order_formats.use``).
        platform: read the file as this platform's (its formats only); None: tell from the
            header.
        encoding: the file's text encoding when it is known (e.g. ``cp1252``); None: UTF-8 or
            GB18030, told from the bytes.

    Raises:
        OrderFileError: the file cannot be read as an order file; the message names it.
    """
    path = Path(path)
    kind, head = fmts.sniff(path)
    with arrow_memory_pool():
        if kind == "xlsx":
            raw = fmts.read_xlsx(path, progress, formats=formats, platform=platform)
        elif kind == "json":
            if platform not in (None, fmts.WISH):
                raise OrderFileError(
                    "error.order_file_platform", file=str(path), platform=platform
                )
            raw = fmts.read_json(path, head, progress)
        else:
            raw = fmts.read_csv(
                path, head, progress, formats=formats, platform=platform, encoding=encoding
            )
        orders, rejects = normalise(raw, consume=True)
    return ImportResult(
        orders,
        rejects,
        str(path),
        raw.format,
        raw.encoding,
        raw.extras,
        raw.complete,
        raw.platform,
    )


def _import_pool() -> pa.MemoryPool:
    try:
        return pa.jemalloc_memory_pool()
    except NotImplementedError:  # a pyarrow build without jemalloc (e.g. Windows wheels)
        return pa.default_memory_pool()


# How long jemalloc keeps freed pages before it gives them back (ms; Arrow's default is 1000).
# An import frees the text of each column as soon as it is typed: given back within 0.1 s,
# that memory does not add up to the peak (about 200 MB less on a 1,000,000-row export, at
# the same speed; 0 returns every page at once and costs a third more kernel time).
IMPORT_DECAY_MS = 100


@contextmanager
def arrow_memory_pool() -> Iterator[None]:
    """Arrow allocates from jemalloc (when built in) inside the block.

    A large import frees most of what it allocates (the text of typed columns, temporary
    masks) while it allocates more; jemalloc reuses and returns that memory better than the
    default mimalloc pool: about 350 MB less peak memory on a 1,000,000-row export, and it
    gives freed pages back after :data:`IMPORT_DECAY_MS`. Buffers remember their pool, so
    tables made here stay valid after the block.
    """
    before = pa.default_memory_pool()
    pool = _import_pool()
    if pool.backend_name == before.backend_name:
        yield
        return
    if pool.backend_name == "jemalloc":  # only the import allocates from it
        pa.jemalloc_set_decay_ms(IMPORT_DECAY_MS)
    pa.set_memory_pool(pool)
    try:
        yield
    finally:
        pa.set_memory_pool(before)


# Convert a column per distinct value when they are at most this share of the rows (read at
# each import, so it can be changed here).
PER_VALUE_SHARE = 0.25
_WORKERS = max(1, min(4, os.cpu_count() or 1))
_PANDAS_TYPES = {
    pa.int64(): pd.Int64Dtype(),
    pa.bool_(): pd.BooleanDtype(),
    MONEY: pd.ArrowDtype(MONEY),
    pa.large_string(): pd.StringDtype(na_value=np.nan),
    NULL_TYPES["id_list"]: pd.ArrowDtype(NULL_TYPES["id_list"]),
}


# Arrow types converted into NumPy-backed pandas columns (a null one is shared, see
# _order_table); text, money and lists stay Arrow-backed and cost nothing to share.
_SHARED_NULLS = frozenset([UTC_US, pa.int64(), pa.bool_(), pa.float64()])


def normalise(raw: fmts.RawOrders, *, consume: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Type and validate a raw table: (order table, rejects table).

    With ``consume`` the raw table is taken out of ``raw`` (left empty) so that the text of
    each column can be freed as soon as the column is typed; large files then need less memory.
    """
    table = _raw_table(raw, consume)
    n = table.num_rows
    rows = np.asarray(raw.rows, dtype=np.int64) if n else np.zeros(0, np.int64)
    has_ids = "order_id" in table.column_names
    # Columns are typed in parallel (Arrow and NumPy release the GIL), read in FIELDS order;
    # the order ids, row keys and repeats are worked out beside them.
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        ids = pool.submit(_ids, table, raw.row_key, rows)
        jobs, widened = _submit_fields(pool, table, raw, ids)
        del table  # each column's text now lives only in its job, and goes with it
        wanted = frozenset(ORDER_COLUMNS) | frozenset(raw.platform_fields)
        typed, problems, cleaned = _collect_fields(jobs, n, wanted)
        order_id, blank, key, repeats = ids.result()
        problems += repeats
    if has_ids:  # the rejects show the id of every row with an order-id problem
        cleaned["order_id"] = (None, order_id)
    reject = np.zeros(n, bool)
    for _, _, bad in problems:
        reject |= bad
    reject &= ~blank
    rejects = _rejects(raw, cleaned, typed["order_id"], rows, problems, reject, key)
    orders = _order_table(raw, typed, widened, rows, ~reject & ~blank)
    return orders, rejects


def _raw_table(raw: fmts.RawOrders, consume: bool) -> pa.Table:
    """The raw table with empty text as null (taken out of ``raw`` with ``consume``)."""
    table = raw.table
    if consume:
        raw.table = table.schema.empty_table()
    if raw.empty_is_null:
        return table
    empty = pa.scalar(None, pa.large_string())
    return pa.table(
        {
            c: pc.if_else(
                pc.not_equal(large_text(table.column(c)), ""), large_text(table.column(c)), empty
            )
            for c in table.column_names
        }
    )


def _ids(
    table: pa.Table, row_key: tuple[str, ...], rows: np.ndarray
) -> tuple[pa.Array, np.ndarray, pa.Array, list[tuple[str, str, np.ndarray]]]:
    """(cleaned order ids, blank rows, row keys, the repeated keys' problems).

    The row keys are None when every row's is known to be distinct (nothing then needs them).
    """
    order_id, blank = _order_ids(table)
    if _surely_distinct(table, order_id, row_key):
        return order_id, blank, None, []
    key = _row_key(table, order_id, row_key)
    return order_id, blank, key, find_duplicates(table, key, rows, blank)


# splitmix64's finaliser: a bijection of 64-bit words that spreads every input bit.
_MIX = (np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB))


def _mix(h: np.ndarray, word: np.ndarray) -> np.ndarray:
    z = h ^ word
    z = (z ^ (z >> np.uint64(30))) * _MIX[0]
    z = (z ^ (z >> np.uint64(27))) * _MIX[1]
    return z ^ (z >> np.uint64(31))


def _surely_distinct(table: pa.Table, order_id: pa.Array, fields: tuple[str, ...]) -> bool:
    """True when no two rows have the same row key (see :func:`_row_key`), told quickly.

    For order ids of one length without gaps (Amazon's and Wish's are): each row's key is
    hashed to 64 bits from the id's bytes and the other fields' cleaned values; distinct
    hashes mean distinct keys. False means "not known": the keys are then compared exactly
    (a repeated hash may be two different keys).
    """
    if not len(order_id) or order_id.null_count:
        return False
    h = _fixed_width_hash(order_id)
    if h is None:
        return False
    for f in _key_fields(table, fields):
        h = _mix(h, _value_codes(table.column(f)).astype(np.uint64))
    return not pd.Index(h).has_duplicates


def _fixed_width_hash(arr: pa.Array | pa.ChunkedArray) -> np.ndarray | None:
    """A 64-bit hash of each value when all values have the same length, else None."""
    chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
    width, parts = None, []
    for chunk in chunks:
        if not len(chunk):
            continue
        if not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
            return None
        wide = pa.types.is_large_string(chunk.type)
        offsets = np.frombuffer(chunk.buffers()[1], np.int64 if wide else np.int32)
        offsets = offsets[chunk.offset : chunk.offset + len(chunk) + 1]
        lengths = np.diff(offsets)
        width = int(lengths[0]) if width is None else width
        if width == 0 or (lengths != width).any():
            return None
        data = np.frombuffer(chunk.buffers()[2], np.uint8)[offsets[0] : offsets[-1]]
        words = np.zeros((len(chunk), -(-width // 8) * 8), np.uint8)
        words[:, :width] = data.reshape(len(chunk), width)
        h = np.zeros(len(chunk), np.uint64)
        for word in words.view("<u8").T:
            h = _mix(h, word)
        parts.append(h)
    return np.concatenate(parts) if parts else None


def _value_codes(arr: pa.ChunkedArray) -> np.ndarray:
    """One number per distinct cleaned value (spaces cut; empty, blank and missing alike)."""
    values, idx = distinct_values(large_text(arr))
    canon = pc.dictionary_encode(pc.fill_null(clean(values), "")).indices.to_numpy()
    return canon[idx.to_numpy()]


def _order_ids(table: pa.Table) -> tuple[pa.Array, np.ndarray]:
    """The cleaned order ids (all null without the column) and the blank rows.

    Rows with nothing in any column (e.g. Excel's trailing empty rows) are not orders.
    """
    n = table.num_rows
    if "order_id" not in table.column_names:
        return pa.nulls(n, pa.large_string()), np.zeros(n, bool)
    order_id = clean(large_text(table.column("order_id")))
    blank = ~mask(order_id.is_valid()) if n else np.zeros(0, bool)
    if blank.any():
        for col in table.column_names:
            blank &= ~mask(clean(large_text(table.column(col))).is_valid())
    return order_id, blank


def _key_fields(table: pa.Table, fields: tuple[str, ...]) -> list[str]:
    """The fields of a row key besides the order id that the table has."""
    return [f for f in fields if f != "order_id" and f in table.column_names]


def _row_key(table: pa.Table, order_id: pa.Array, fields: tuple[str, ...]) -> pa.Array:
    """What identifies a row: the order id, or it joined with the other ``fields``.

    Only the fields the table has (e.g. one row per order item); null where the order id is.
    """
    others = _key_fields(table, fields)
    if not others:
        return order_id
    sep = pa.scalar("\x1f", pa.large_string())
    parts = [pc.fill_null(clean(large_text(table.column(f))), "") for f in others]
    joined = pc.binary_join_element_wise(order_id, *parts, sep)
    return pc.if_else(order_id.is_valid(), joined, pa.scalar(None, pa.large_string()))


def _submit_fields(
    pool: ThreadPoolExecutor, table: pa.Table, raw: fmts.RawOrders, ids: Future
) -> tuple[dict[str, Future], dict[str, Future]]:
    """Start typing every field the table has: (field jobs, extra-column jobs).

    The extra columns are widened to large_string (new offsets) meanwhile. The order id is
    typed from the cleaned ids (``ids``: the job of :func:`_ids`), last: its job waits for
    that one, and a worker waiting early would have nothing to do.
    """
    columns = dict(zip(table.column_names, table.columns, strict=True))
    conv = raw.conversion
    jobs = {}
    for name, kind in FIELDS.items():
        if name not in columns or kind == "order_id":
            continue
        trim = kind in TRIM_KINDS or name in TRIM_FIELDS
        col = columns.pop(name)
        jobs[name] = pool.submit(typed_field, kind, col, trim, PER_VALUE_SHARE, conv, name)
    widened = {name: pool.submit(large_text, columns.pop(name)) for name in raw.extras}
    if "order_id" in columns:
        jobs["order_id"] = pool.submit(
            lambda: typed_field("order_id", ids.result()[0], False, PER_VALUE_SHARE, conv)
        )
    return jobs, widened


def _collect_fields(
    jobs: dict[str, Future], n: int, wanted: frozenset[str]
) -> tuple[dict, list, dict]:
    """The typed fields, every problem, and the text of the rows with a problem.

    Null columns for the fields of ``wanted`` the file lacks; problems as (field, reason,
    mask); per field the text of its rows with a problem (for the rejects).
    """
    typed: dict[str, pa.Array] = {}
    problems: list[tuple[str, str, np.ndarray]] = []
    # field -> (rows or None for every row, text). Only those rows are kept, so the column's
    # text can go.
    cleaned: dict[str, tuple[np.ndarray | None, pa.Array]] = {}
    nulls: dict[str, pa.Array] = {}  # one empty column per kind, shared (arrays are immutable)
    for name, kind in FIELDS.items():
        if name not in jobs:
            if name not in typed and name in wanted:  # refund_source may already be set
                _null_field(typed, name, kind, n, nulls)
            continue
        value, issues, bad_text, state_raw = jobs.pop(name).result()
        if kind == "state":
            (typed["state"], from_state), typed["state_raw"] = value, state_raw
            typed["refund_source"] = from_state
        elif kind == "refund_source":
            known, written = value
            typed[name] = pc.coalesce(known, written, typed.get(name, written))
        else:
            typed[name] = value
        problems += [(name, code, bad) for code, bad in issues]
        if bad_text is not None:
            cleaned[name] = bad_text
        del value, bad_text, state_raw
    return typed, problems, cleaned


def _null_field(typed: dict, name: str, kind: str, n: int, nulls: dict[str, pa.Array]) -> None:
    type_ = NULL_TYPES.get(kind, pa.large_string())
    empty = nulls.get(str(type_))
    if empty is None:
        empty = nulls[str(type_)] = pa.nulls(n, type_)
    typed[name] = pc.fill_null(empty, "USD") if kind == "currency" else empty
    if kind == "state":
        typed["state_raw"] = empty


def _order_table(
    raw: fmts.RawOrders, typed: dict, widened: dict[str, Future], rows: np.ndarray, keep
) -> pd.DataFrame:
    """The kept rows of the typed fields and extra columns as the order table.

    ``typed`` and ``widened`` are emptied as the columns move into it.
    """
    out = {
        "source_format": pa.repeat(pa.scalar(raw.format, pa.large_string()), int(keep.sum())),
        "source_row": pa.array(rows[keep], pa.int64()),
    }
    where = None if keep.all() else pa.array(keep)  # filtering copies: skip when all are good

    def kept(arr):
        return arr if where is None else pc.filter(arr, where)

    # Columns without a value (most of another platform's fields) whose pandas type is NumPy:
    # each type is converted once and shared (Copy-on-Write keeps them apart if one changes).
    empty: dict[str, pa.DataType] = {}
    for name in [*ORDER_COLUMNS[2:], *raw.platform_fields]:
        arr = typed.pop(name)
        if len(arr) and arr.null_count == len(arr) and arr.type in _SHARED_NULLS:
            empty[name] = arr.type
        else:
            out[name] = kept(arr)
    for name in raw.extras:
        out[name] = kept(widened.pop(name).result())
    result = pa.table(out)
    del out
    # self_destruct frees each Arrow column once converted (dates, counts and flags are
    # copied into NumPy; text and money stay Arrow-backed, without a copy).
    orders = result.to_pandas(types_mapper=_PANDAS_TYPES.get, self_destruct=True)
    del result
    if empty:
        shared = {
            t: pa.table({"c": pa.nulls(len(orders), t)}).to_pandas(types_mapper=_PANDAS_TYPES.get)
            for t in set(empty.values())
        }
        names = [*ORDER_COLUMNS, *raw.platform_fields, *raw.extras]
        cols = {c: shared[empty[c]]["c"] if c in empty else orders[c] for c in names}
        orders = pd.DataFrame(cols, copy=False)
    orders["source_row"] = orders["source_row"].astype("int64")
    orders.attrs["complete"] = sorted(raw.complete)
    orders.attrs["platform"] = raw.platform
    return orders


def find_duplicates(
    table: pa.Table, order_id: pa.Array, rows: np.ndarray, blank: np.ndarray
) -> list[tuple[str, str, np.ndarray]]:
    """Repeated order ids.

    An identical repeat is 'duplicate_row'; differing content rejects every copy as
    'duplicate_order_id' (which one is right cannot be known).
    """
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
    dup = mask(pc.is_in(order_id, value_set=repeated)) & ~blank
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


def _rejects(raw, cleaned, order_id, rows, problems, reject, key=None) -> pd.DataFrame:
    """The rejects table, by file row.

    Rows the readers could not split, then every row with a problem (its first problem's column
    and value, every problem in ``detail``).
    """
    early = pd.DataFrame(raw.early_rejects, columns=["source_row", "column", "value", "reason"])
    early["order_id"] = pd.NA
    early["detail"] = early["reason"]
    frames = [early]
    if reject.any():
        key = order_id if key is None else key
        frames.append(_problem_rows(raw, cleaned, order_id, rows, problems, reject, key))
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


_REPEATS = ("duplicate_order_id", "duplicate_row")


def _problem_rows(raw, cleaned, order_id, rows, problems, reject, key) -> pd.DataFrame:
    idx = np.flatnonzero(reject)
    ids = pd.Series(pc.take(order_id, pa.array(idx)).to_pandas(), dtype="str")
    first_field = np.full(len(idx), "", dtype=object)
    first_code = np.full(len(idx), "", dtype=object)
    detail = np.full(len(idx), "", dtype=object)
    dup_rows = None
    if any(code in _REPEATS for _, code, _ in problems):  # then the keys were worked out
        keys = (
            ids
            if key is order_id
            else pd.Series(pc.take(key, pa.array(idx)).to_pandas(), dtype="str")
        )
        dup_rows = _dup_rows(key, keys, rows)
    for name, code, bad in problems:
        hit = bad[idx]
        label = raw.sources.get(name, name)
        first = hit & (first_code == "")
        first_field[first], first_code[first] = label, code
        note = np.full(int(hit.sum()), f"{label}: {code}", dtype=object)
        if code in _REPEATS:
            note = note + " (rows " + dup_rows[hit] + ")"
        detail[hit] = detail[hit] + np.where(detail[hit] == "", "", "; ") + note
    return pd.DataFrame(
        {
            "source_row": rows[idx],
            "order_id": ids.to_numpy(),
            "column": first_field,
            "value": _first_values(raw, cleaned, idx, first_field),
            "reason": first_code,
            "detail": detail,
        }
    )


def _first_values(raw, cleaned, idx: np.ndarray, first_field: np.ndarray) -> np.ndarray:
    """The text of each rejected row's first bad value (kept for the rows with a problem)."""
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
    return values


def _dup_rows(order_id: pa.ChunkedArray, ids: pd.Series, rows: np.ndarray) -> np.ndarray:
    """For each rejected row, the rows that share its order id, as text ('2, 7').

    their row keys, ``order_id`` the key of every row): the rows that share its key, as text
    ('2, 7').
    """
    dup = ids.dropna()
    if dup.empty:
        return np.full(len(ids), "", dtype=object)
    value_set = pa.array(dup.unique().tolist(), pa.large_string())
    same_at = np.flatnonzero(mask(pc.is_in(order_id, value_set=value_set)))
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
            text = _list_text if pa.types.is_list(safe[col].dtype.pyarrow_dtype) else _money_text
            safe[col] = safe[col].map(text, na_action="ignore").astype("str")
    if path.suffix.lower() == ".xlsx":
        safe.to_excel(path, index=False, engine="openpyxl")
    else:
        safe.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")
    return path


def _list_text(value) -> str:
    return "; ".join(str(v) for v in value)


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
