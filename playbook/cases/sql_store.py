"""Case store: cases and their append-only event log, in SQLite or PostgreSQL (SQLAlchemy Core).

This module opens the database, migrates it and reads from it; every write lives in
``playbook.cases.sql_writes`` (mixed into ``Store``). Each write is one transaction that appends an
event and moves the case row on by one revision, or changes nothing and raises
``ConflictError``. The clock is injected; no UI imports.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Engine,
    create_engine,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from playbook.cases.schema import (
    EVENT_TYPES,
    MIGRATIONS,
    SCHEMA_VERSION,
    Case,
    Event,
    Opened,
    Saved,
    WalkProblem,
    cases,
    check_sqlite_file,
    db_error,
    events,
    filter_cases,
    rebuild_walk,
    schema_version,
    sqlite_setup,
    to_case,
)
from playbook.cases.sql_writes import CaseWrites
from playbook.errors import StoreError
from playbook.scenarios.library import Library
from playbook.scenarios.model import STATUSES

__all__ = [
    "EVENT_TYPES",
    "SCHEMA_VERSION",
    "STATUSES",
    "Case",
    "Event",
    "Opened",
    "Saved",
    "Store",
    "WalkProblem",
    "rebuild_walk",
]

_MIGRATE_LOCK = 0x706C6179  # pg advisory lock key: servers starting together migrate once


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Store(CaseWrites):
    """The case store behind one database URL.

    Args:
        url: SQLAlchemy URL; default ``settings().db_url`` (PLAYBOOK_DB_URL, then
            config/playbook.toml, then ``sqlite:///var/cases.sqlite3``).
        now: the clock, returning aware UTC datetimes (tests pass a fake one).
        migrate: create or upgrade the schema on open (default). With False the schema must
            already be current.
        busy_timeout_ms: how long an SQLite writer waits for another writer's lock.

    Raises:
        StoreError: the database cannot be opened, is corrupt, or has a newer schema.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        now: Callable[[], dt.datetime] = _utc_now,
        migrate: bool = True,
        busy_timeout_ms: int = 10_000,
    ) -> None:
        if url is None:
            from playbook.config import settings

            url = settings().db_url
        self.url = make_url(url)
        self._now = now
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        self.path: Path | None = None
        if self.is_sqlite and self.url.database not in (None, "", ":memory:"):
            self.path = Path(self.url.database).resolve()
            check_sqlite_file(self.path)
        self.label = str(self.path) if self.path else self.url.render_as_string(hide_password=True)
        self.engine: Engine = create_engine(self.url, pool_pre_ping=not self.is_sqlite)
        if self.is_sqlite:
            sqlite_setup(self.engine, busy_timeout_ms)
        # Same pool; on SQLite its transactions open with BEGIN IMMEDIATE (see _sqlite_setup).
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

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def migrate(self) -> int:
        """Create the tables or bring them up to ``SCHEMA_VERSION``; safe to repeat.

        Returns:
            The schema version now in the database.

        Raises:
            StoreError: the database has a newer schema than this code, or cannot be used.
        """
        with self._guard(), self._writer.begin() as conn:
            if not self.is_sqlite:
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATE_LOCK})
            schema_version.create(conn, checkfirst=True)
            found = conn.execute(select(func.max(schema_version.c.version))).scalar() or 0
            self._refuse_newer(found)
            for version in range(found + 1, SCHEMA_VERSION + 1):
                MIGRATIONS[version](conn)
                conn.execute(
                    insert(schema_version).values(version=version, applied_at=self._now())
                )
        return SCHEMA_VERSION

    def schema_version(self) -> int:
        """The schema version recorded in the database (0 before the first migration)."""
        with self._guard(), self.engine.connect() as conn:
            if not self.engine.dialect.has_table(conn, schema_version.name):
                return 0
            return conn.execute(select(func.max(schema_version.c.version))).scalar() or 0

    def _check_version(self) -> None:
        found = self.schema_version()
        self._refuse_newer(found)
        if found < SCHEMA_VERSION:
            raise StoreError(
                "error.store_schema_old", db=self.label, found=found, known=SCHEMA_VERSION
            )

    def _refuse_newer(self, found: int) -> None:
        if found > SCHEMA_VERSION:
            raise StoreError(
                "error.store_schema_newer", db=self.label, found=found, known=SCHEMA_VERSION
            )

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

    def open(self, case_id: str, library: Library) -> Opened:
        """Load a case and rebuild its walk at the current time, for resuming it.

        Raises:
            StoreError: no such case, or the store failed.
            ScenarioError: the case's scenario no longer exists.
        """
        case = self.get_case(case_id)
        walk, problem = rebuild_walk(case, library, self._now())
        return Opened(case, walk, problem)

    def events(self, case_id: str) -> list[Event]:
        """The case's history, oldest first."""
        query = select(events).where(events.c.case_id == case_id).order_by(events.c.seq)
        with self._guard(), self.engine.connect() as conn:
            return [Event(**row._mapping) for row in conn.execute(query)]

    def list_cases(
        self,
        *,
        status: str | Sequence[str] | None = None,
        scenario: str | None = None,
        assignee: str | None = None,
        order_id: str | None = None,
        overdue: bool = False,
        limit: int = 50,
        offset: int = 0,
    ) -> list[Case]:
        """Cases for the case list: overdue and soonest deadlines first, then latest changed.

        Cases without a deadline come after all cases with one. Filters combine with AND.

        Args:
            status: one status or several.
            scenario: a scenario id.
            assignee: the assignee's name.
            order_id: the platform's order id.
            overdue: only cases whose next deadline has passed (by the store's clock).
            limit: page size.
            offset: rows to skip (page number times page size).
        """
        query = filter_cases(
            self._now, select(cases), status, scenario, assignee, order_id, overdue
        )
        query = query.order_by(
            cases.c.next_deadline.asc().nulls_last(), cases.c.updated_at.desc(), cases.c.id
        )
        with self._guard(), self.engine.connect() as conn:
            rows = conn.execute(query.limit(limit).offset(offset)).all()
        return [to_case(row) for row in rows]

    def count_cases(
        self,
        *,
        status: str | Sequence[str] | None = None,
        scenario: str | None = None,
        assignee: str | None = None,
        order_id: str | None = None,
        overdue: bool = False,
    ) -> int:
        """How many cases ``list_cases`` would page through with the same filters."""
        query = filter_cases(
            self._now,
            select(func.count()).select_from(cases),
            status,
            scenario,
            assignee,
            order_id,
            overdue,
        )
        with self._guard(), self.engine.connect() as conn:
            return int(conn.execute(query).scalar() or 0)

    def _read_one(self, query: Any) -> Any:
        with self._guard(), self.engine.connect() as conn:
            return conn.execute(query).first()

    # --- internals -----------------------------------------------------------------------

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        """Turn driver errors into a StoreError naming the database."""
        try:
            yield
        except SQLAlchemyError as exc:
            raise db_error(exc, self.label, self.is_sqlite) from exc
