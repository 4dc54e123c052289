"""Case store: cases and their append-only event log, in SQLite or PostgreSQL (SQLAlchemy Core).

Each write is one transaction that appends an event and moves the case row on by one revision,
or changes nothing and raises ``ConflictError``. The clock is injected; no UI imports.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Engine,
    create_engine,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from playbook.engine import Walk
from playbook.errors import ConflictError, StepNotAllowed, StoreError
from playbook.facts import facts_to_json, format_fact
from playbook.library import Library
from playbook.store_schema import (
    CLOSED_STATUSES,
    EVENT_TYPES,
    MIGRATIONS,
    SCHEMA_VERSION,
    STATUSES,
    Case,
    Event,
    Opened,
    Saved,
    WalkProblem,
    cases,
    check_actor,
    check_sqlite_file,
    db_error,
    events,
    filter_cases,
    new_case_id,
    rebuild_walk,
    schema_version,
    sqlite_setup,
    to_case,
    walk_changes,
)

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


class Store:
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

    # --- writing: the walk ---------------------------------------------------------------

    def create_case(
        self,
        walk: Walk,
        *,
        actor: str,
        assignee: str | None = None,
        order_id: str | None = None,
        case_id: str | None = None,
    ) -> Case:
        """Start a case at the walk's first step, with the walk's facts.

        Args:
            walk: a fresh walk (scenario, typed facts, policies) as the page built it.
            actor: who starts the case.
            assignee: who works it (default nobody).
            order_id: the platform order id (default the ``order_id`` fact).
            case_id: a chosen id (default a new short random one).

        Raises:
            StoreError: ``case_id`` is taken, ``actor`` is empty, or the store failed.
        """
        actor = check_actor(actor)
        facts = facts_to_json(walk.facts)
        now = self._now()
        for _attempt in range(5):
            new_id = case_id or new_case_id()
            values = {
                "id": new_id,
                "scenario_id": walk.scenario.id,
                "scenario_version": walk.scenario.version,
                "platform": walk.scenario.platform,
                "order_id": order_id or facts.get("order_id"),
                "facts": facts,
                "created_at": now,
                "assignee": assignee,
                "evidence": {},
                "drafts": [],
                "root_causes": [],
                **walk_changes(walk),
                "updated_at": now,
                "revision": 1,
            }
            payload = {"version": walk.scenario.version, "facts": facts, "assignee": assignee}
            try:
                with self._writer.begin() as conn:
                    conn.execute(insert(cases).values(**values))
                    conn.execute(
                        insert(events).values(
                            case_id=new_id,
                            seq=1,
                            time=now,
                            actor=actor,
                            type="created",
                            step_id=walk.current.id,
                            payload=payload,
                        )
                    )
            except IntegrityError as exc:
                if case_id is not None:
                    raise StoreError("error.case_exists", case=case_id) from exc
                continue  # a random id collided; draw another
            except SQLAlchemyError as exc:
                raise db_error(exc, self.label, self.is_sqlite) from exc
            return Case(**values)
        raise StoreError("error.store", detail="could not draw a free case id")

    def answer(
        self, case: Case, walk: Walk, step_id: str, option_id: str | None = None, *, actor: str
    ) -> Saved:
        """Answer the walk's current step and save it before returning.

        ``walk`` is not changed; the returned ``Saved.walk`` is the walk after the answer.
        On a conflict nothing is written and the caller still holds its own input.

        Raises:
            StepNotAllowed: the answer is not valid now (nothing written).
            ConflictError: someone else saved the case since ``case`` was loaded.
            StoreError: the store failed.
        """
        moved = walk.copy()
        moved.answer(step_id, option_id)
        payload = {
            "option": option_id or "",
            "to": moved.current.id,
            "version": walk.scenario.version,
        }
        saved = self._commit(case, actor, "answer", step_id, payload, walk_changes(moved))
        return Saved(saved, moved)

    def back(self, case: Case, walk: Walk, *, actor: str) -> Saved:
        """Go back one step, recorded as a ``back`` event (nothing is deleted).

        Raises:
            StepNotAllowed: already at the first step.
            ConflictError: someone else saved the case since it was loaded.
        """
        moved = walk.copy()
        from_step = moved.current.id
        moved.back()
        payload = {"from": from_step, "to": moved.current.id, "version": walk.scenario.version}
        saved = self._commit(case, actor, "back", from_step, payload, walk_changes(moved))
        return Saved(saved, moved)

    def restart(self, case: Case, walk: Walk, step_id: str | None = None, *, actor: str) -> Saved:
        """Restart the walk at ``step_id`` (default: where ``walk`` stands), as an event.

        Used after ``rebuild_walk`` reported a missing step: the rebuilt walk already stands at
        the problem's ``restart_step``, and this records it under the current version.

        Raises:
            StepNotAllowed: ``step_id`` is not on the walk's path.
            ConflictError: someone else saved the case since it was loaded.
        """
        moved = walk.copy()
        target = step_id or moved.current.id
        if target not in moved.path:
            raise StepNotAllowed(
                "error.step_not_current",
                scenario=walk.scenario.id,
                step=target,
                current=moved.current.id,
            )
        moved.path = moved.path[: len(moved.path) - moved.path[::-1].index(target)]
        payload = {
            "from": case.current_step,
            "to": target,
            "from_version": int(case.walk.get("version", case.scenario_version)),
            "version": walk.scenario.version,
            "dropped": [s for s in case.walk.get("path", []) if s not in moved.path],
        }
        saved = self._commit(case, actor, "restart", target, payload, walk_changes(moved))
        return Saved(saved, moved)

    # --- writing: everything else --------------------------------------------------------

    def set_evidence(
        self, case: Case, item_id: str, done: bool, *, actor: str, step_id: str | None = None
    ) -> Case:
        """Tick (or untick) an evidence item."""
        evidence = {**case.evidence, item_id: bool(done)}
        payload = {"item": item_id, "done": bool(done)}
        return self._commit(case, actor, "evidence", step_id, payload, {"evidence": evidence})

    def issue_draft(
        self,
        case: Case,
        template_id: str,
        *,
        actor: str,
        step_id: str | None = None,
        body: str | None = None,
    ) -> Case:
        """Record that a message draft was issued (copied or sent), with its text if given."""
        now = self._now()
        issued = {
            "template": template_id,
            "step": step_id,
            "time": now.isoformat(),
            "actor": actor,
        }
        payload = {"template": template_id, "body": body}
        changes = {"drafts": [*case.drafts, issued]}
        return self._commit(case, actor, "draft_issued", step_id, payload, changes, now=now)

    def set_status(self, case: Case, status: str, *, actor: str, note: str | None = None) -> Case:
        """Set the status by hand (it is set from the walk again at its next move).

        Raises:
            StoreError: ``status`` is not one of ``STATUSES``.
        """
        if status not in STATUSES:
            raise StoreError("error.case_status", status=status, choices=list(STATUSES))
        changes: dict[str, Any] = {"status": status}
        if status in CLOSED_STATUSES:
            changes["next_deadline"] = None
        payload = {"from": case.status, "to": status, "note": note}
        return self._commit(case, actor, "status", case.current_step, payload, changes)

    def add_note(self, case: Case, note: str, *, actor: str, step_id: str | None = None) -> Case:
        """Add a free-text note to the history.

        Raises:
            StoreError: the note is empty.
        """
        if not note or not note.strip():
            raise StoreError("error.note_empty", case=case.id)
        return self._commit(case, actor, "note", step_id, {"text": note.strip()}, {})

    def assign(self, case: Case, assignee: str | None, *, actor: str) -> Case:
        """Give the case to ``assignee`` (None: nobody)."""
        assignee = (assignee or "").strip() or None
        payload = {"from": case.assignee, "to": assignee}
        return self._commit(case, actor, "assign", None, payload, {"assignee": assignee})

    def set_root_causes(self, case: Case, root_causes: Sequence[str], *, actor: str) -> Case:
        """Replace the case's root-cause tags (ids from data/root_causes.yaml)."""
        tags = list(dict.fromkeys(root_causes))
        payload = {"from": case.root_causes, "to": tags}
        return self._commit(case, actor, "root_causes", None, payload, {"root_causes": tags})

    # --- internals -----------------------------------------------------------------------

    def _commit(
        self,
        case: Case,
        actor: str,
        type_: str,
        step_id: str | None,
        payload: Mapping[str, Any],
        changes: Mapping[str, Any],
        now: dt.datetime | None = None,
    ) -> Case:
        """Append one event and move the row on one revision, in one transaction, or neither."""
        actor = check_actor(actor)
        now = now or self._now()
        values = {**changes, "updated_at": now, "revision": case.revision + 1}
        try:
            with self._writer.begin() as conn:
                done = conn.execute(
                    update(cases)
                    .where(cases.c.id == case.id, cases.c.revision == case.revision)
                    .values(**values)
                ).rowcount
                if done == 1:
                    conn.execute(
                        insert(events).values(
                            case_id=case.id,
                            seq=case.revision + 1,
                            time=now,
                            actor=actor,
                            type=type_,
                            step_id=step_id,
                            payload=dict(payload),
                        )
                    )
        except IntegrityError:
            done = 0  # an event with this seq exists: another writer got there first
        except SQLAlchemyError as exc:
            raise db_error(exc, self.label, self.is_sqlite) from exc
        if done != 1:
            raise self._conflict(case.id)
        return replace(case, **values)

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        """Turn driver errors into a StoreError naming the database."""
        try:
            yield
        except SQLAlchemyError as exc:
            raise db_error(exc, self.label, self.is_sqlite) from exc

    def _conflict(self, case_id: str) -> StoreError:
        last = self._read_one(
            select(events.c.actor, events.c.time)
            .where(events.c.case_id == case_id)
            .order_by(events.c.seq.desc())
            .limit(1)
        )
        if last is None:
            return StoreError("error.case_not_found", case=case_id)
        return ConflictError(case=case_id, actor=last.actor, time=format_fact(last.time))
