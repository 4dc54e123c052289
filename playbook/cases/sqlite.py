"""SQLite plumbing for the SQL store: refuse non-database files, per-connection pragmas."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

from playbook.errors import StoreError

_SQLITE_MAGIC = b"SQLite format 3\x00"


def check_sqlite_file(path: Path) -> None:
    """Refuse anything at ``path`` that is not an SQLite database, before SQLite touches it."""
    if path.exists():
        if not path.is_file():
            raise StoreError("error.store_not_a_file", file=str(path))
        try:
            with path.open("rb") as fh:
                head = fh.read(len(_SQLITE_MAGIC))
        except OSError as exc:
            raise StoreError(
                "error.store_unreadable", file=str(path), detail=exc.strerror or str(exc)
            ) from exc
        if head and head != _SQLITE_MAGIC:
            raise StoreError("error.store_corrupt", file=str(path))
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            "error.store_unreadable", file=str(path), detail=exc.strerror or str(exc)
        ) from exc


def sqlite_setup(engine: Engine, busy_timeout_ms: int) -> None:
    """Per-connection pragmas (WAL, foreign keys, FULL sync, busy timeout) and our own BEGIN.

    Transactions on an engine with the ``playbook_write`` execution option open with
    ``BEGIN IMMEDIATE`` so a writer waits for the lock up front (busy_timeout) instead of
    failing when it upgrades a read lock.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # pysqlite must not emit its own BEGIN; _on_begin does.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cur.execute("PRAGMA foreign_keys = ON")
        # Read the schema first: a damaged file fails here, before any pragma could write.
        cur.execute("SELECT count(*) FROM sqlite_master")
        cur.execute("PRAGMA journal_mode = WAL")
        # FULL, not NORMAL: in WAL mode NORMAL survives a killed process but may lose the last
        # commits on power loss or an OS crash, and each answer shown as saved must survive.
        cur.execute("PRAGMA synchronous = FULL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get("playbook_write")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
