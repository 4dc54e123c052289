"""Readers for the order files sellers have.

Wish's CSV export, .xlsx, API v2 and v3 JSON (code), and every format declared as data
(data/order_formats/, e.g. Amazon's tab-delimited reports), as delimited text or re-saved from
Excel.

Each reader turns a file into a :class:`RawOrders` table of strings under the canonical field
names of :mod:`playbook.orders.columns`; typing and validation happen in :mod:`playbook.orders`,
once, for every format. Which format a file is comes from its header (:func:`layout`): a
declared format whose ``detect`` columns are all there, else Wish's export.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from playbook.errors import OrderFileError
from playbook.library.order_formats import OrderFormat, header_key, known_formats
from playbook.orders.columns import (
    CSV_FIELDS,
    CSV_REQUIRED,
    V2_PARTIAL,
    V2_SOURCES,
    V3_SOURCES,
    flatten_v2,
    flatten_v3,
    json_format,
    scalar,
)
from playbook.orders.convert import WISH_CONVERSION, Conversion
from playbook.orders.fields import FIELDS, PLATFORM_FIELDS, WISH

Progress = Callable[[int, int], None]
HEAD_BYTES = 1 << 16
# Bytes per CSV read block (one chunk per block and column). Blocks that fit the CPU caches
# parse faster: 4 MiB reads a 533 MB export about 1.3 s faster than 16 MiB on two cores.
CSV_BLOCK_SIZE = 1 << 22


@dataclass
class RawOrders:
    """One file read as strings: canonical fields plus kept extra columns.

    Attributes:
        format: 'csv', 'xlsx', 'api_v2' or 'api_v3'.
        encoding: the text encoding used, or None for .xlsx.
        table: string columns; canonical field names, then extras under their source names.
        rows: 1-based row of each table row in the file (CSV/xlsx: spreadsheet row with the
            header as row 1; JSON: position of the order in the list).
        sources: canonical field -> the column (or JSON path) it came from, for messages.
        extras: names of the kept columns that are not canonical fields.
        early_rejects: rows that could not even be split into fields: (row, column, value,
            reason).
        empty_is_null: whether empty cells are already null (pyarrow reader); if not,
            normalisation makes them so.
        complete: the fields this file reports whenever they happened, so that an empty
            value means "did not happen" (a CSV column in the header, a v3 event); a field
            not in it says nothing when empty (v2 has no delivery date at all, and older v2
            orders have no ``tracking_confirmed_date``).
        platform: whose file it is (its rules, reason codes and policies triage it).
        conversion: how its values are typed (states, value maps, date formats).
        row_key: the fields that identify one row (Wish: the order id; Amazon's reports have
            one row per order item).
        platform_fields: the declared-format fields the order table has besides the base
            ones: every one a format of the platform maps, so all of a platform's tables have
            the same columns (Wish's: none).
    """

    format: str
    encoding: str | None
    table: pa.Table
    rows: list[int] | Any
    sources: dict[str, str]
    extras: list[str] = field(default_factory=list)
    early_rejects: list[tuple[int, str, str, str]] = field(default_factory=list)
    empty_is_null: bool = False
    complete: frozenset[str] = frozenset()
    platform: str = WISH
    conversion: Conversion = WISH_CONVERSION
    row_key: tuple[str, ...] = ("order_id",)
    platform_fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class Layout:
    """How a file's header maps onto the order table, and whose format it is.

    Attributes:
        names: the table's column names, one per header column (fields, then kept columns
            under their own names).
        sources: field -> the header it comes from (for messages).
        extras: the kept columns that are not fields.
        fmt: the declared format (None: Wish's CSV export, read by code).
        platform_fields: see ``RawOrders.platform_fields``.
    """

    names: list[str]
    sources: dict[str, str]
    extras: list[str]
    fmt: OrderFormat | None = None
    platform_fields: tuple[str, ...] = ()

    @property
    def quote(self) -> bool:
        """Whether fields may be quoted (declared formats can say they never are)."""
        return self.fmt.quote if self.fmt else True

    def name(self, container: str) -> str:
        """The file's format as the order table's ``source_format`` says it."""
        return self.fmt.id if self.fmt else container

    def extend(self, raw: RawOrders) -> RawOrders:
        """``raw`` with what the declared format says about typing its values."""
        if self.fmt is None:
            return raw
        fmt = self.fmt
        kinds = {f: FIELDS.get(f) for f in self.sources}
        states = {k: (v, None) for k, v in fmt.values.get("state", {}).items()}
        values = {f: m for f, m in fmt.values.items() if kinds.get(f) == "enum"}
        raw.platform = fmt.platform
        raw.conversion = Conversion(states, values, tuple(fmt.date_formats))
        raw.row_key = tuple(f for f in fmt.row_key if f in self.sources)
        raw.platform_fields = self.platform_fields
        return raw


def _fail(path: Path, msg: str, /, **params: Any) -> OrderFileError:
    return OrderFileError(msg, file=str(path), **params)


def sniff(path: Path) -> tuple[str, bytes]:
    """The format of ``path`` from its first bytes: 'xlsx', 'json' or 'csv'.

    Raises:
        OrderFileError: empty, binary, UTF-16 or an old .xls file.
    """
    try:
        with path.open("rb") as fh:
            head = fh.read(HEAD_BYTES)
    except OSError as exc:
        raise _fail(path, "error.order_file", detail=exc.strerror or str(exc)) from exc
    if head.startswith(b"PK\x03\x04"):
        return "xlsx", head
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise _fail(path, "error.order_file_xls")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _fail(path, "error.order_file_encoding", encoding="UTF-16")
    body = head.removeprefix(codecs.BOM_UTF8).strip()
    if not body:
        raise _fail(path, "error.order_file_empty")
    if b"\x00" in head:
        raise _fail(path, "error.order_file_binary")
    if body[:1] in (b"{", b"["):
        return "json", head
    return "csv", head


def detect_encoding(path: Path, head: bytes, given: str | None = None) -> str:
    """'utf-8' (with or without BOM) or 'gb18030', judged on the first bytes; never latin-1.

    ``given``: the encoding the caller knows the file has (e.g. a European report saved as
    cp1252): used as it is, never guessed.
    """
    if given:
        try:
            return codecs.lookup(given).name
        except LookupError:
            raise _fail(path, "error.order_file_encoding", encoding=given) from None
    for enc in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(enc)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return enc
    raise _fail(path, "error.order_file_encoding", encoding="not UTF-8 or GB18030")


def _norm_header(name: str) -> str:
    return " ".join(name.split()).casefold()


# --- CSV ------------------------------------------------------------------------------------


def _header(path: Path, head: bytes, encoding: str) -> tuple[list[str], str]:
    text = codecs.getincrementaldecoder(encoding)().decode(head, final=False)
    text = text.removeprefix("\ufeff")
    first = text.split("\n", 1)[0]
    delim = max((",", ";", "\t"), key=first.count)
    try:
        header = next(csv.reader(io.StringIO(text), delimiter=delim))
    except (csv.Error, StopIteration) as exc:
        raise _fail(path, "error.order_file", detail=str(exc)) from exc
    return header, delim


def layout(
    path: Path,
    header: list[str],
    formats: Mapping[str, OrderFormat] | None = None,
    platform: str | None = None,
) -> Layout:
    """How ``header`` maps onto the order table, and whose format the file is.

    The declared format (of ``platform``, if given) whose ``detect`` columns are all in it,
    else Wish's CSV export.

    Raises:
        OrderFileError: no format fits; names the columns missing from the closest one.
    """
    keys = {header_key(h) for h in header}
    formats = known_formats() if formats is None else formats
    declared = [f for f in formats.values() if platform in (None, f.platform)]

    def hits(columns: list[str] | tuple[str, ...]) -> int:
        return sum(header_key(c) in keys for c in columns)

    full = [f for f in declared if hits(f.detect) == len(f.detect)]
    if full:
        most = max(len(f.detect) for f in full)
        top = sorted(f.id for f in full if len(f.detect) == most)
        if len(top) > 1:
            raise _fail(path, "error.order_file_ambiguous", formats=top)
        return _declared(path, header, formats[top[0]], formats)
    if platform not in (None, WISH) and not declared:
        raise _fail(path, "error.order_file_platform", platform=platform)
    near = max(declared, key=lambda f: (hits(f.detect) / len(f.detect), f.id), default=None)
    wish_share = hits(CSV_REQUIRED) / len(CSV_REQUIRED)
    if near is not None and (
        platform not in (None, WISH) or hits(near.detect) / len(near.detect) > wish_share
    ):
        missing = [c for c in near.detect if header_key(c) not in keys]
        raise _fail(path, "error.order_file_columns", format=near.title.en, columns=missing)
    names, sources, extras = _columns(path, header)
    return Layout(names, sources, extras)


def _declared(
    path: Path, header: list[str], fmt: OrderFormat, formats: Mapping[str, OrderFormat]
) -> Layout:
    """The layout of a file of a declared format; every header column is kept."""
    keys = {header_key(h) for h in header}
    missing = [c for c in fmt.required if header_key(c) not in keys]
    if missing:
        raise _fail(path, "error.order_file_columns", format=fmt.title.en, columns=missing)
    names: list[str] = []
    sources: dict[str, str] = {}
    extras: list[str] = []
    for i, raw in enumerate(header):
        label = raw.strip() or f"Column {i + 1}"
        canon = fmt.field_of(raw)
        if canon and canon not in sources:
            sources[canon] = label
            names.append(canon)
            continue
        while label in names or label in FIELDS:
            label += " (extra)"
        names.append(label)
        extras.append(label)
    mapped = {
        f
        for other in formats.values()
        if other.platform == fmt.platform
        for f in other.columns.values()
    }
    platform_fields = tuple(f for f in PLATFORM_FIELDS if f in mapped)
    return Layout(names, sources, extras, fmt, platform_fields)


def _columns(path: Path, header: list[str]) -> tuple[list[str], dict[str, str], list[str]]:
    """Table column names for a Wish CSV ``header``, each field's source name, and the extras."""
    names: list[str] = []
    sources: dict[str, str] = {}
    extras: list[str] = []
    seen = {_norm_header(h) for h in header}
    missing = [h for h in CSV_REQUIRED if _norm_header(h) not in seen]
    if missing:
        raise _fail(path, "error.order_file_columns", format="Wish", columns=missing)
    for i, raw in enumerate(header):
        label = raw.strip() or f"Column {i + 1}"
        canon = CSV_FIELDS.get(_norm_header(raw))
        if canon and canon not in sources:
            sources[canon] = label
            names.append(canon)
            continue
        while label in names or label in CSV_FIELDS.values():
            label += " (extra)"
        names.append(label)
        extras.append(label)
    return names, sources, extras


def read_csv(
    path: Path,
    head: bytes,
    progress: Progress | None = None,
    *,
    formats: Mapping[str, OrderFormat] | None = None,
    platform: str | None = None,
    encoding: str | None = None,
) -> RawOrders:
    """Read delimited text: Wish's CSV export or a declared format.

    The delimiter is the comma, semicolon or tab the header line has most of. Fast path:
    pyarrow, multithreaded, every cell a string.

    Files pyarrow cannot split cleanly (rows with the wrong number of fields, blank lines,
    line breaks inside quotes) are re-read with the csv module, which numbers every row.
    """
    given = encoding
    encoding = detect_encoding(path, head, given)
    header, delim = _header(path, head, encoding)
    lay = layout(path, header, formats, platform)
    names, sources, extras = lay.names, lay.sources, lay.extras
    for enc in (encoding,) if given else dict.fromkeys((encoding, "gb18030")):
        try:
            table = _arrow_csv(path, enc, delim, len(names), progress, lay.quote)
        except UnicodeDecodeError as exc:
            raise _fail(path, "error.order_file_encoding", encoding=enc) from exc
        except pa.ArrowInvalid as exc:
            if "UTF8" in str(exc) and enc == "utf-8" and not given:
                continue  # UTF-8 at the start, something else later: try GB18030
            table = None
        if table is None:
            raw = _python_csv(path, enc, delim, names, sources, extras, lay.quote)
            raw.format = lay.name(raw.format)
            return lay.extend(raw)
        table = table.rename_columns(names)
        rows = pa.array(np.arange(2, table.num_rows + 2, dtype=np.int64))  # no int objects
        raw = RawOrders(
            lay.name("csv"),
            enc,
            table,
            rows,
            sources,
            extras,
            empty_is_null=True,
            complete=frozenset(sources),
        )
        return lay.extend(raw)
    raise _fail(path, "error.order_file_encoding", encoding="not UTF-8 or GB18030")


def _arrow_csv(
    path: Path,
    encoding: str,
    delim: str,
    ncols: int,
    progress: Progress | None,
    quote: bool = True,
) -> pa.Table | None:
    """The data rows as strings, or None when some row needs the careful reader."""
    bad: list[int] = []

    def on_invalid(_row: Any) -> str:
        bad.append(1)
        return "skip"

    generic = [f"c{i}" for i in range(ncols)]
    read = pacsv.ReadOptions(
        column_names=generic, skip_rows=1, encoding=encoding, block_size=CSV_BLOCK_SIZE
    )
    parse = pacsv.ParseOptions(
        delimiter=delim,
        quote_char='"' if quote else False,
        ignore_empty_lines=False,
        invalid_row_handler=on_invalid,
    )
    # 32-bit offsets: 4 bytes a cell less than large_string while reading; the columns kept
    # as text are widened (offsets only, the text is shared) when the order table is built.
    conv = pacsv.ConvertOptions(
        column_types=dict.fromkeys(generic, pa.string()),
        null_values=[""],
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
    )
    if progress is None:
        table = pacsv.read_csv(path, read, parse, conv)
    else:
        total = path.stat().st_size
        batches = []
        with path.open("rb") as fh:
            reader = pacsv.open_csv(fh, read, parse, conv)
            for batch in reader:
                batches.append(batch)
                progress(min(fh.tell(), total), total)
            table = pa.Table.from_batches(batches, schema=reader.schema)
        progress(total, total)
    return None if bad else table


def _python_csv(
    path: Path,
    encoding: str,
    delim: str,
    names: list[str],
    sources,
    extras,
    quote: bool = True,
) -> RawOrders:
    try:
        text = path.read_bytes().decode("utf-8-sig" if encoding == "utf-8" else encoding)
    except UnicodeDecodeError as exc:
        raise _fail(path, "error.order_file_encoding", encoding=encoding) from exc
    quoting = csv.QUOTE_MINIMAL if quote else csv.QUOTE_NONE
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, quoting=quoting)
    ncols = len(names)
    rows: list[int] = []
    records: list[list[str]] = []
    early: list[tuple[int, str, str, str]] = []
    try:
        next(reader)
        for rowno, rec in enumerate(reader, start=2):
            if not any(cell.strip() for cell in rec):
                continue  # blank line: not an order row
            if len(rec) != ncols:
                early.append(
                    (rowno, "", f"{len(rec)} fields, header has {ncols}", "wrong_field_count")
                )
                continue
            rows.append(rowno)
            records.append(rec)
    except csv.Error as exc:
        raise _fail(path, "error.order_file_line", line=reader.line_num, detail=str(exc)) from exc
    cols = list(zip(*records, strict=True)) if records else [()] * ncols
    table = pa.table({n: pa.array(c, pa.large_string()) for n, c in zip(names, cols, strict=True)})
    return RawOrders(
        "csv",
        encoding,
        table,
        pa.array(rows, pa.int64()),
        sources,
        extras,
        early,
        complete=frozenset(sources),
    )


# --- XLSX -----------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def read_xlsx(
    path: Path,
    progress: Progress | None = None,
    *,
    formats: Mapping[str, OrderFormat] | None = None,
    platform: str | None = None,
) -> RawOrders:
    """Read an export re-saved from Excel (Wish's or a declared format's).

    First sheet, header in row 1.
    """
    import zipfile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        detail = f"not a readable .xlsx workbook ({exc})"
        raise _fail(path, "error.order_file", detail=detail) from exc
    try:
        ws = wb.worksheets[0]
        total = ws.max_row or 0
        it = ws.iter_rows(values_only=True)
        header = [_cell(v) for v in next(it, ())]
        if not any(header):
            raise _fail(path, "error.order_file_empty")
        while header and not header[-1]:
            header.pop()
        lay = layout(path, header, formats, platform)
        names, sources, extras = lay.names, lay.sources, lay.extras
        ncols = len(names)
        rows: list[int] = []
        records: list[list[str]] = []
        for rowno, values in enumerate(it, start=2):
            rec = [_cell(v) for v in values[:ncols]]
            if not any(c.strip() for c in rec) and not any(_cell(v) for v in values[ncols:]):
                continue
            rec += [""] * (ncols - len(rec))
            rows.append(rowno)
            records.append(rec)
            if progress and rowno % 5000 == 0:
                progress(rowno, total)
    finally:
        wb.close()
    if progress:
        progress(total, total)
    cols = list(zip(*records, strict=True)) if records else [()] * ncols
    table = pa.table({n: pa.array(c, pa.large_string()) for n, c in zip(names, cols, strict=True)})
    raw = RawOrders(
        lay.name("xlsx"),
        None,
        table,
        pa.array(rows, pa.int64()),
        sources,
        extras,
        complete=frozenset(sources),
    )
    return lay.extend(raw)


# --- JSON -----------------------------------------------------------------------------------


def read_json(path: Path, head: bytes, progress: Progress | None = None) -> RawOrders:
    """Read a Merchant API v2 or v3 response (or a bare list of orders)."""
    encoding = detect_encoding(path, head)
    try:
        text = path.read_bytes().decode("utf-8-sig" if encoding == "utf-8" else encoding)
    except UnicodeDecodeError as exc:
        raise _fail(path, "error.order_file_encoding", encoding=encoding) from exc
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _fail(
            path, "error.order_file_json", line=exc.lineno, column=exc.colno, detail=exc.msg
        ) from exc
    items = doc
    if isinstance(doc, dict):
        code = doc.get("code", 0)
        if code not in (0, "0"):
            raise _fail(path, "error.order_file_api", code=code, detail=doc.get("message", ""))
        items = doc.get("data", doc)
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        raise _fail(path, "error.order_file_json_shape")
    fmt = json_format(items)
    if fmt is None:
        raise _fail(path, "error.order_file_json_shape")
    records, rows, early = _json_orders(items, fmt, progress)
    names = list(dict.fromkeys(k for rec in records for k in rec))
    table = pa.table({n: pa.array([r.get(n) for r in records], pa.large_string()) for n in names})
    if not names:
        table = pa.table({"order_id": pa.array([], pa.large_string())})
    if fmt == "api_v2":
        sources = V2_SOURCES
        complete = frozenset(n for n in names if n in FIELDS) - V2_PARTIAL
    else:
        sources, complete = V3_SOURCES, frozenset(V3_SOURCES)
    extras = [n for n in names if n not in FIELDS]
    rows_arr = pa.array(rows, pa.int64())
    return RawOrders(fmt, encoding, table, rows_arr, sources, extras, early, complete=complete)


def _json_orders(items: list, fmt: str, progress: Progress | None) -> tuple[list, list, list]:
    """Each item flattened: (records, their positions, items that are not orders)."""
    flat = flatten_v2 if fmt == "api_v2" else flatten_v3
    records: list[dict[str, str | None]] = []
    rows: list[int] = []
    early: list[tuple[int, str, str, str]] = []
    for i, item in enumerate(items, start=1):
        rec = flat(item)
        if rec is None:
            shown = scalar(item) or ""
            early.append((i, "", shown[:80], "not_an_order"))
        else:
            records.append(rec)
            rows.append(i)
        if progress and i % 5000 == 0:
            progress(i, len(items))
    if progress:
        progress(len(items), len(items))
    return records, rows, early
