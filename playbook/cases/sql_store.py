"""The SQL case store: SQLite (default, one file) or PostgreSQL (a team), SQLAlchemy 2 Core.

Opening migrates the schema through Alembic (``playbook/cases/migrations``). Every move lives
in ``CaseMoves``; this class provides its primitives, each one transaction, and the reads.
The clock is injected; no UI imports.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    bindparam,
    create_engine,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from playbook.cases.erasure import Erasure
from playbook.cases.files import FileChange
from playbook.cases.moves import CaseMoves
from playbook.cases.projection import ProjectionRules
from playbook.cases.records import EVERY_CASE, Case, CaseFilter, Event
from playbook.cases.schema import (
    SCHEMA_VERSION,
    cases,
    events,
    filter_cases,
    legacy_schema_version,
    to_case,
)
from playbook.cases.sql_files import SqlFiles
from playbook.cases.sqlite import check_sqlite_file, sqlite_setup
from playbook.config import settings
from playbook.errors import StoreError

MIGRATIONS = Path(__file__).parent / "migrations"
LEGACY_REVISION = "0001"  # what release 0.1.0's "schema_version 1" equals
_MIGRATE_LOCK = 0x706C6179  # pg advisory lock key: servers starting together migrate once


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _alembic_config() -> Any:
    from alembic.config import Config  # only when a database needs migrating

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def known_revisions() -> set[str]:
    """Every revision under playbook/cases/migrations (imports Alembic)."""
    from alembic.script import ScriptDirectory

    return {s.revision for s in ScriptDirectory.from_config(_alembic_config()).walk_revisions()}


# A move's statements, built once with its values as parameters: SQLAlchemy then finds their
# compiled form from the statement and the parameters' names, instead of building and keying a
# new statement for every value (that cost a case move about twice its commit on SQLite).
_ADD_CASE = insert(cases)
_ADD_EVENT = insert(events)
_MOVE_CASE = update(cases).where(
    cases.c.id == bindparam("at_id"), cases.c.revision == bindparam("at_revision")
)


class SqlStore(SqlFiles, CaseMoves):
    """The case store behind one database URL.

    Args:
        url: SQLAlchemy URL; default ``settings().db_url`` (PLAYBOOK_DB_URL, then
            config/playbook.toml, then ``sqlite:///var/cases.sqlite3``).
        now: the clock, returning aware UTC datetimes (tests pass a fake one).
        migrate: create or upgrade the schema on open (default). With False the schema must
            already be current.
        busy_timeout_ms: how long an SQLite writer waits for another writer's lock.
        projection: the library data an upgrade of an older store needs to fill in what case
            rows keep from their events (``ProjectionRules.of(lib)``); without it such an
            upgrade is refused.

    Raises:
        StoreError: the database cannot be opened, is corrupt, or has a newer schema.
    """

    durable = True

    def __init__(
        self,
        url: str | None = None,
        *,
        now: Callable[[], dt.datetime] = _utc_now,
        migrate: bool = True,
        busy_timeout_ms: int = 10_000,
        projection: ProjectionRules | None = None,
    ) -> None:
        self.url = make_url(url or settings().db_url)
        self.projection = projection
        self.now = now
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        self.path: Path | None = None
        if self.is_sqlite and self.url.database not in (None, "", ":memory:"):
            self.path = Path(self.url.database).resolve()
            check_sqlite_file(self.path)
        self.label = str(self.path) if self.path else self.url.render_as_string(hide_password=True)
        self.engine: Engine = create_engine(self.url, pool_pre_ping=not self.is_sqlite)
        if self.is_sqlite:
            sqlite_setup(self.engine, busy_timeout_ms)
        # Same pool; on SQLite its transactions open with BEGIN IMMEDIATE (see sqlite_setup).
        self._writer = self.engine.execution_options(playbook_write=True)
        try:
            if migrate:
                self.migrate()
            else:
                self._check_version()
        except StoreError:
            self.engine.dispose()
            raise

    # --- lifecycle -----------------------------------------------------------------------

    def close(self) -> None:
        """Close all pooled connections."""
        self.engine.dispose()

    def __enter__(self) -> SqlStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def migrate(self) -> str:
        """Create the tables or bring them up to ``SCHEMA_VERSION``; safe to repeat.

        A database made by release 0.1.0 (``schema_version`` 1, no Alembic table) is stamped
        at revision 0001 first, then upgraded in place.

        Returns:
            The revision now in the database.

        Raises:
            StoreError: the database has a newer schema than this code, or cannot be used.
        """
        if self.schema_version() == SCHEMA_VERSION:
            return SCHEMA_VERSION  # current: no write lock, no Alembic
        from alembic import command

        cfg = _alembic_config()
        with self._guard(), self._writer.begin() as conn:
            if not self.is_sqlite:
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATE_LOCK})
            found = _revision(conn)
            self._refuse_newer(found)
            cfg.attributes["connection"] = conn
            cfg.attributes["projection"] = self.projection
            cfg.attributes["label"] = self.label
            if found is None and _is_legacy(conn):
                command.stamp(cfg, LEGACY_REVISION)
            command.upgrade(cfg, "head")
        return SCHEMA_VERSION

    def schema_version(self) -> str | None:
        """The revision recorded in the database (None before the first migration)."""
        with self.reading() as conn:
            return _revision(conn)

    def _check_version(self) -> None:
        found = self.schema_version()
        if found == SCHEMA_VERSION:
            return
        self._refuse_newer(found)
        raise StoreError(
            "error.store_schema_old", db=self.label, found=found or 0, known=SCHEMA_VERSION
        )

    def _refuse_newer(self, found: str | None) -> None:
        if found is not None and found not in known_revisions():
            raise StoreError(
                "error.store_schema_newer", db=self.label, found=found, known=SCHEMA_VERSION
            )

    # --- primitives of CaseMoves ---------------------------------------------------------

    def insert_case(self, values: dict[str, Any], event: dict[str, Any]) -> bool:
        """Insert a case row and its first event in one transaction; False if the id is taken."""
        try:
            with self._writer.begin() as conn:
                conn.execute(_ADD_CASE, values)
                conn.execute(_ADD_EVENT, event)
        except IntegrityError:
            return False
        except SQLAlchemyError as exc:
            raise self._error(exc) from exc
        return True

    def append(
        self,
        case: Case,
        event: dict[str, Any],
        values: dict[str, Any],
        files: FileChange | None = None,
        erasure: Erasure | None = None,
    ) -> bool:
        """One event (with its file change or erasure) and the row moved on, in one transaction.

        Written only if the row is at ``case.revision``; False (nothing written) when another
        writer got there first. A write the database itself refuses raises ``StoreError``.
        """
        try:
            with self._writer.begin() as conn:
                at = {"at_id": case.id, "at_revision": case.revision}
                if conn.execute(_MOVE_CASE, {**values, **at}).rowcount != 1:
                    return False
                conn.execute(_ADD_EVENT, event)
                if files is not None:
                    self.write_change(conn, case, files)
                if erasure is not None:
                    self.write_erasure(conn, case, erasure)
        except IntegrityError as exc:
            if self.moved_on(case):
                return False  # an event with this seq exists: another writer got there first
            raise self._error(exc) from exc  # the database refused
        except SQLAlchemyError as exc:
            raise self._error(exc) from exc
        return True

    def last_event(self, case_id: str) -> Event | None:
        """The case's newest event."""
        query = select(events).where(events.c.case_id == case_id).order_by(events.c.seq.desc())
        row = self._read_one(query.limit(1))
        return None if row is None else Event(**row._mapping)

    # --- reading -------------------------------------------------------------------------

    def get_case(self, case_id: str) -> Case:
        """The case with ``case_id``.

        Raises:
            StoreError: no such case (code ``error.case_not_found``), or the store failed.
        """
        row = self._read_one(select(cases).where(cases.c.id == case_id))
        if row is None:
            raise StoreError("error.case_not_found", case=case_id)
        return to_case(row)

    def events(self, case_id: str) -> list[Event]:
        """The case's history, oldest first."""
        query = select(events).where(events.c.case_id == case_id).order_by(events.c.seq)
        with self.reading() as conn:
            return [Event(**row._mapping) for row in conn.execute(query)]

    def list_cases(
        self, where: CaseFilter = EVERY_CASE, *, limit: int = 50, offset: int = 0
    ) -> list[Case]:
        """Cases for the case list: overdue and soonest deadlines first, then latest changed.

        Cases without a deadline come after all cases with one.

        Args:
            where: which cases (overdue is judged by the store's clock).
            limit: page size.
            offset: rows to skip (page number times page size).
        """
        query = filter_cases(select(cases), where, self.now)
        query = query.order_by(
            cases.c.next_deadline.asc().nulls_last(), cases.c.updated_at.desc(), cases.c.id
        )
        with self.reading() as conn:
            rows = conn.execute(query.limit(limit).offset(offset)).all()
        return [to_case(row) for row in rows]

    def count_cases(self, where: CaseFilter = EVERY_CASE) -> int:
        """How many cases ``list_cases`` would page through with the same filter."""
        query = filter_cases(select(func.count()).select_from(cases), where, self.now)
        with self.reading() as conn:
            return int(conn.execute(query).scalar() or 0)

    def _read_one(self, query: Any) -> Any:
        with self.reading() as conn:
            return conn.execute(query).first()

    def compact(self) -> dict[str, Any]:
        """Rewrite the database so removed rows leave no trace in its files.

        SQLite: ``VACUUM`` (the file is rebuilt without free pages) then
        ``wal_checkpoint(TRUNCATE)`` (the write-ahead log, which still holds old page images,
        is emptied). PostgreSQL: ``VACUUM`` of the case tables (dead row versions become
        free space; see the README for what that does not cover).

        Returns:
            What was done; for SQLite ``wal_truncated`` is False when another connection was
            reading and the log could not be emptied (run it again when it is quiet).
        """
        raw = self.engine.raw_connection()
        try:
            dbapi = raw.driver_connection
            if self.is_sqlite:
                dbapi.execute("VACUUM")
                busy, _log, _done = dbapi.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                return {"vacuum": True, "wal_truncated": busy == 0}
            dbapi.autocommit = True  # VACUUM cannot run inside a transaction
            try:
                for table in ("cases", "events", "attachments", "blobs"):
                    dbapi.execute(f"VACUUM (ANALYZE) {table}")
            finally:
                dbapi.autocommit = False  # as the pool hands it out
            return {"vacuum": True}
        except SQLAlchemyError as exc:
            raise self._error(exc) from exc
        except Exception as exc:  # the driver's own error, outside SQLAlchemy's wrapping
            raise StoreError("error.store", detail=f"{self.label}: {exc}") from exc
        finally:
            raw.close()

    # --- connections for what is kept beside the cases (training, lessons) ---------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One write transaction (``BEGIN IMMEDIATE`` on SQLite).

        Committed when the block ends, rolled back if it raises.

        Raises:
            IntegrityError: a unique key clashed (for the caller to handle, e.g. draw again).
            StoreError: any other driver error, naming the database.
        """
        try:
            with self._writer.begin() as conn:
                yield conn
        except IntegrityError:
            raise
        except SQLAlchemyError as exc:
            raise self._error(exc) from exc

    @contextlib.contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection for reads.

        Raises:
            StoreError: a driver error, naming the database.
        """
        with self._guard(), self.engine.connect() as conn:
            yield conn

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        """Turn driver errors into a StoreError naming the database."""
        try:
            yield
        except SQLAlchemyError as exc:
            raise self._error(exc) from exc

    def _error(self, exc: Exception) -> StoreError:
        """A driver error as a StoreError that names the database."""
        detail = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or ["?"])[0]
        lowered = detail.lower()
        if self.is_sqlite:
            if "not a database" in lowered or "malformed" in lowered:
                return StoreError("error.store_corrupt", file=self.label)
            if "locked" in lowered or "busy" in lowered:
                return StoreError("error.store_busy", db=self.label)
            if isinstance(exc, OperationalError) and "unable to open" in lowered:
                return StoreError("error.store_unreadable", file=self.label, detail=detail)
        elif isinstance(exc, OperationalError):
            return StoreError("error.store_unavailable", db=self.label, detail=detail)
        return StoreError("error.store", detail=f"{self.label}: {detail}")


def _revision(conn: Any) -> str | None:
    """The Alembic revision recorded in the database (None: no alembic_version row)."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _is_legacy(conn: Any) -> bool:
    """A release 0.1.0 database: its schema_version table says 1 and its tables exist."""
    found = inspect(conn)
    if not (found.has_table("schema_version") and found.has_table("cases")):
        return False
    version = conn.execute(select(func.max(legacy_schema_version.c.version))).scalar()
    return version == 1
