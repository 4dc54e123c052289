"""The case table of the lessons page: one typed row per case, kept on disk between kernels.

``typed_cases`` reads the case rows from the store (the event log is not read: the moves keep
the first reply and closing times on the row, see :mod:`playbook.cases.projection`) and types
them: text as pandas strings, times as UTC datetimes, root causes as their JSON text.

Every page view starts a new kernel, and reading 100k cases again takes about a second. With
a ``cache_dir`` the table is also kept in an Arrow file there (named by the store and the
schema version). A new kernel reads that file, asks the store for every case's id, revision
and last change (each move raises the revision and sets the time), and reads again only the
cases that are new or changed; cases no longer in the store are dropped. A missing, damaged or
foreign file is rebuilt from the store; a folder that cannot be written only costs speed.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

import pandas as pd
from sqlalchemy import String, cast, select, type_coerce

from playbook.cases.schema import SCHEMA_VERSION, cases
from playbook.cases.sql_store import SqlStore

__all__ = ["CASE_FACT_COLUMNS", "TABLE_COLUMNS", "TIME_COLUMNS", "snapshot_path", "typed_cases"]

log = logging.getLogger("playbook.lessons.analytics")

# fact id in the case -> column of the case table; order-table column that fills it in.
CASE_FACT_COLUMNS = {
    "store_name": ("store", None),
    "sku": ("sku", "sku"),
    "product_name": ("product", "product_name"),
    "carrier": ("carrier", "carrier"),
    "country": ("country", "country"),
}
TIME_COLUMNS = ("created_at", "next_deadline", "first_reply_at", "closed_at")
TABLE_COLUMNS = [
    "id",
    "scenario_id",
    "platform",
    "status",
    "assignee",
    "order_id",
    "outcome",
    *TIME_COLUMNS,
    "root_causes",
    *[col for col, _ in CASE_FACT_COLUMNS.values()],
]
_STAMP = ["revision", "stamp"]  # what tells a changed case (stamp: updated_at as stored)
FORMAT = 2  # bump when the snapshot's columns or types change
_REREAD_SHARE = 0.2  # more changed cases than this share: read the whole table again
_IDS_PER_QUERY = 500


def _stamp_columns() -> list:
    return [cases.c.revision, type_coerce(cases.c.updated_at, String).label("stamp")]


def _row_query() -> object:
    facts = [
        cases.c.facts[key].as_string().label(col) for key, (col, _) in CASE_FACT_COLUMNS.items()
    ]
    return select(
        cases.c.id,
        cases.c.scenario_id,
        cases.c.platform,
        cases.c.status,
        cases.c.assignee,
        cases.c.order_id,
        cases.c.outcome,
        *(type_coerce(cases.c[col], String).label(col) for col in TIME_COLUMNS),
        cast(cases.c.root_causes, String).label("root_causes"),  # JSON text on both
        *facts,
        *_stamp_columns(),
    )


def _frame(rows: list, columns: list[str]) -> pd.DataFrame:
    return (
        pd.DataFrame.from_records(rows, columns=columns)
        if rows
        else pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    )


def _typed(raw: pd.DataFrame) -> pd.DataFrame:
    """Driver rows as typed columns: strings, UTC datetimes, the revision as an integer."""
    texts = [c for c in (*TABLE_COLUMNS, "stamp") if c not in TIME_COLUMNS]
    table = raw.astype({c: "string" for c in texts})
    for col in TIME_COLUMNS:
        table[col] = pd.to_datetime(table[col], utc=True, format="ISO8601").astype(
            "datetime64[us, UTC]"
        )
    table["revision"] = table["revision"].astype("int64")
    return table


def _read_rows(conn: object, ids: list[str] | None, chunksize: int) -> pd.DataFrame:
    """Typed rows of the cases with ``ids`` (None: every case)."""
    columns = [*TABLE_COLUMNS, *_STAMP]
    parts = []
    queries = (
        [_row_query()]
        if ids is None
        else [
            _row_query().where(cases.c.id.in_(ids[n : n + _IDS_PER_QUERY]))
            for n in range(0, len(ids), _IDS_PER_QUERY)
        ]
    )
    for query in queries:
        # Plain driver rows in chunks: every column is text or a number already.
        cursor = conn.execute(query).cursor
        while rows := cursor.fetchmany(chunksize):
            parts.append(_frame(rows, columns))
    raw = pd.concat(parts, ignore_index=True) if parts else _frame([], columns)
    return _typed(raw)


def snapshot_path(cache_dir: Path, store: SqlStore) -> Path:
    """The snapshot file of ``store`` (named by its label, which leaves any password out)."""
    key = f"{FORMAT}:{SCHEMA_VERSION}:{store.label}:{','.join(TABLE_COLUMNS)}"
    return cache_dir / f"cases-{hashlib.sha256(key.encode()).hexdigest()[:24]}.arrow"


def _load(path: Path) -> pd.DataFrame | None:
    try:
        table = pd.read_feather(path)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, KeyError) as exc:  # damaged: build it again
        log.warning("case table snapshot %s unreadable (%s); reading the store", path, exc)
        return None
    if list(table.columns) != [*TABLE_COLUMNS, *_STAMP]:
        return None
    return table


def _save(path: Path, table: pd.DataFrame) -> None:
    """Write whole or not at all (temporary file, then rename)."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".cases-", suffix=".tmp")
        os.close(fd)
        table.reset_index(drop=True).to_feather(tmp)
        os.replace(tmp, path)
    except (OSError, ValueError, TypeError) as exc:
        log.warning("case table snapshot %s not written (%s)", path, exc)
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def typed_cases(
    store: SqlStore, cache_dir: Path | None = None, *, chunksize: int = 50_000
) -> pd.DataFrame:
    """Every case of the store as one typed row (``TABLE_COLUMNS``), sorted by id.

    Args:
        store: the case store.
        cache_dir: keep the table in a snapshot file there and read only changed cases
            (None: read every case).
        chunksize: rows per read.

    Raises:
        StoreError: the store cannot be read.
    """
    with store.reading() as conn:
        table = _current(conn, cache_dir and snapshot_path(cache_dir, store), chunksize)
    return table[TABLE_COLUMNS]


def _current(conn: object, path: Path | None, chunksize: int) -> pd.DataFrame:
    snapshot = _load(path) if path else None
    if snapshot is None:
        table, changed = _read_rows(conn, None, chunksize), True
    else:
        table, changed = _catch_up(conn, snapshot, chunksize)
    if changed:  # a snapshot is saved sorted, so an unchanged one is used as it is
        table = table.sort_values("id", ignore_index=True)
        if path:
            _save(path, table)
    return table


def _catch_up(conn: object, snapshot: pd.DataFrame, chunksize: int) -> tuple[pd.DataFrame, bool]:
    """The snapshot brought up to date; whether anything changed."""
    query = select(cases.c.id, *_stamp_columns())
    now = _frame(conn.execute(query).cursor.fetchall(), ["id", *_STAMP])
    now = now.astype({"id": "string", "revision": "int64", "stamp": "string"})
    held = snapshot[["id", *_STAMP]].assign(row=range(len(snapshot)))
    both = held.merge(now, how="outer", on="id", suffixes=("", "_now"), indicator=True)
    same = (both["_merge"] == "both") & (both["revision"] == both["revision_now"])
    same &= both["stamp"] == both["stamp_now"]
    same = same.fillna(False).astype(bool)
    stale = both.loc[~same & (both["_merge"] != "left_only"), "id"].tolist()
    keep = both.loc[same, "row"].astype("int64").to_numpy()
    if not stale and len(keep) == len(snapshot):
        return snapshot, False
    if len(stale) > _REREAD_SHARE * max(len(now), 1):
        return _read_rows(conn, None, chunksize), True
    fresh = _read_rows(conn, stale, chunksize)
    return pd.concat([snapshot.iloc[keep], fresh], ignore_index=True), True
