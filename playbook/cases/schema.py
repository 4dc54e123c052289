"""Case store internals: tables and migrations (SQLAlchemy 2 Core), record types, and how a
walk maps onto a case row. Split from ``playbook.cases.sql_store``; it never opens a connection
itself.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Connection,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    TypeDecorator,
    UniqueConstraint,
    event,
)
from sqlalchemy.exc import OperationalError

from playbook.errors import StoreError
from playbook.scenarios.engine import Walk
from playbook.scenarios.facts import parse_facts
from playbook.scenarios.library import Library

_SQLITE_MAGIC = b"SQLite format 3\x00"
_ID_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
MAX_ACTOR = 200

EVENT_TYPES = (
    "created",
    "answer",
    "back",
    "restart",
    "evidence",
    "draft_issued",
    "status",
    "note",
    "assign",
    "root_causes",
)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out; stored as naive UTC.

    SQLite keeps no time zone and PostgreSQL ``timestamptz`` would hand back the session's
    zone, so both store naive UTC and sort the same way.
    """

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("the case store only takes time-zone-aware datetimes")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Any) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


# BIGINT is not SQLite's rowid alias, so it would not autoincrement there.
EventId = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData()

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("applied_at", UTCDateTime, nullable=False),
)

cases = Table(
    "cases",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("scenario_id", String(64), nullable=False),
    Column("scenario_version", Integer, nullable=False),
    Column("platform", String(32), nullable=False),
    Column("order_id", String(200), nullable=True),
    Column("facts", JSON, nullable=False),
    Column("status", String(32), nullable=False),
    Column("assignee", String(200), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("next_deadline", UTCDateTime, nullable=True),
    Column("walk", JSON, nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("drafts", JSON, nullable=False),
    Column("outcome", String(64), nullable=True),
    Column("root_causes", JSON, nullable=False),
    Column("revision", Integer, nullable=False),
    # The case list sorts by deadline then last change, optionally after one filter.
    Index("ix_cases_due", "next_deadline", "updated_at"),
    Index("ix_cases_status_due", "status", "next_deadline", "updated_at"),
    Index("ix_cases_scenario_due", "scenario_id", "next_deadline", "updated_at"),
    Index("ix_cases_assignee_due", "assignee", "next_deadline", "updated_at"),
    Index("ix_cases_order", "order_id"),
)

events = Table(
    "events",
    metadata,
    Column("id", EventId, primary_key=True, autoincrement=True),
    Column("case_id", String(16), ForeignKey("cases.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("time", UTCDateTime, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("type", String(32), nullable=False),
    Column("step_id", String(64), nullable=True),
    Column("payload", JSON, nullable=False),
    # Also the second line of defence against two writers: one seq per case, once.
    UniqueConstraint("case_id", "seq", name="uq_events_case_seq"),
)

# Fix tracking (lessons page): a change a lead made against a root cause, from a date on.
# Created on first use by playbook.cases.fixes until the store's migrations move to Alembic.
fixes = Table(
    "fixes",
    metadata,
    Column("id", EventId, primary_key=True, autoincrement=True),
    Column("root_cause", String(64), nullable=False),
    Column("title", String(500), nullable=False),
    Column("starts_at", UTCDateTime, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("actor", String(200), nullable=False),
)


def _v1(conn: Connection) -> None:
    metadata.create_all(conn, tables=[cases, events])


# version -> step that brings the schema from version-1 to version. Append only; a released
# step is never edited (write a new one that alters the tables instead).
MIGRATIONS: dict[int, Callable[[Connection], None]] = {1: _v1}
SCHEMA_VERSION = max(MIGRATIONS)


# --- records --------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One dispute case as the case row holds it (the projection of its events)."""

    id: str
    scenario_id: str
    scenario_version: int
    platform: str
    order_id: str | None
    facts: dict[str, str]
    status: str
    assignee: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    next_deadline: dt.datetime | None
    walk: dict[str, Any]
    evidence: dict[str, bool]
    drafts: list[dict[str, Any]]
    outcome: str | None
    root_causes: list[str]
    revision: int

    @property
    def current_step(self) -> str:
        """The id of the step the case stopped at."""
        return self.walk["path"][-1]

    def overdue(self, now: dt.datetime) -> bool:
        """Whether the next deadline has passed at ``now``."""
        return self.next_deadline is not None and self.next_deadline <= now


@dataclass(frozen=True)
class Event:
    """One entry of a case's history. Never updated or deleted."""

    id: int
    case_id: str
    seq: int
    time: dt.datetime
    actor: str
    type: str
    step_id: str | None
    payload: dict[str, Any]


@dataclass(frozen=True)
class WalkProblem:
    """The case's current step is gone from the scenario's current version.

    ``restart_step`` is the last step on the case's path that still exists; ``Store.restart``
    records restarting there.
    """

    scenario: str
    case_version: int
    current_version: int
    missing_step: str
    restart_step: str
    code: str = "store.step_gone"

    def render(self, lang: str = "en") -> str:
        """The notice for staff in ``lang``."""
        from playbook.i18n import text as i18n_text

        return i18n_text(
            self.code,
            lang,
            scenario=self.scenario,
            case_version=self.case_version,
            version=self.current_version,
            step=self.missing_step,
            restart=self.restart_step,
        )


class Saved(NamedTuple):
    """A case after a walk move, with the walk it now stands at."""

    case: Case
    walk: Walk


class Opened(NamedTuple):
    """A case opened for resuming: the row, its rebuilt walk, and a problem or None."""

    case: Case
    walk: Walk
    problem: WalkProblem | None


def rebuild_walk(
    case: Case, library: Library, as_of: dt.datetime
) -> tuple[Walk, WalkProblem | None]:
    """The case's walk under the scenario's current version.

    Steps on the saved path that the current version no longer has are left out (the event
    log keeps them). If the current step itself is gone, the walk stands at the last step on
    the path that still exists (or the scenario's start) and the problem says so.

    Args:
        case: the case as loaded.
        library: the playbook library (current scenario versions).
        as_of: the time deadlines and ``days_since`` conditions are measured at.

    Returns:
        ``(walk, problem)``; ``problem`` is None when the case resumes where it stopped.

    Raises:
        ScenarioError: the case's scenario no longer exists at all.
    """
    scenario = library.scenario(case.scenario_id)
    facts, _errors = parse_facts(scenario, library.facts, case.facts)
    policy_set = library.policies.get(case.platform)
    policies = policy_set.policies if policy_set else {}
    saved_path = list(case.walk.get("path") or [scenario.start])
    path = [s for s in saved_path if scenario.has_step(s)]
    problem = None
    if not scenario.has_step(saved_path[-1]):
        path = path or [scenario.start]
        problem = WalkProblem(
            scenario=scenario.id,
            case_version=int(case.walk.get("version", case.scenario_version)),
            current_version=scenario.version,
            missing_step=saved_path[-1],
            restart_step=path[-1],
        )
    answers = {k: v for k, v in (case.walk.get("answers") or {}).items() if scenario.has_step(k)}
    return Walk(scenario, facts, as_of, policies, path, answers), problem


def walk_changes(walk: Walk) -> dict[str, Any]:
    """The case-row columns a walk determines: state, status, outcome, next deadline.

    The status is the last one set by a step on the path (``open`` if none), so going back
    undoes it; the next deadline is the earliest of the current step's deadlines.
    """
    path = walk.path
    status = next(
        (
            s
            for s in (
                walk.scenario.step(p).status for p in reversed(path) if walk.scenario.has_step(p)
            )
            if s
        ),
        "open",
    )
    dues = [] if walk.finished else [d.due for _ref, d in walk.deadlines() if d is not None]
    return {
        "walk": walk.to_state(),
        "status": status,
        "outcome": walk.current.id if walk.finished else None,
        "next_deadline": min(dues) if dues else None,
    }


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


def db_error(exc: Exception, label: str, is_sqlite: bool) -> StoreError:
    """A driver error as a StoreError that names the database (``label``)."""
    detail = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or ["?"])[0]
    lowered = detail.lower()
    if is_sqlite:
        if "not a database" in lowered or "malformed" in lowered:
            return StoreError("error.store_corrupt", file=label)
        if "locked" in lowered or "busy" in lowered:
            return StoreError("error.store_busy", db=label)
        if isinstance(exc, OperationalError) and "unable to open" in lowered:
            return StoreError("error.store_unreadable", file=label, detail=detail)
    elif isinstance(exc, OperationalError):
        return StoreError("error.store_unavailable", db=label, detail=detail)
    return StoreError("error.store", detail=f"{label}: {detail}")


def filter_cases(
    now: Callable[[], dt.datetime],
    query: Any,
    status: str | Sequence[str] | None,
    scenario: str | None,
    assignee: str | None,
    order_id: str | None,
    overdue: bool,
) -> Any:
    """``query`` narrowed by the case-list filters (None: no filter)."""
    if isinstance(status, str):
        query = query.where(cases.c.status == status)
    elif status is not None:
        query = query.where(cases.c.status.in_(list(status)))
    if scenario is not None:
        query = query.where(cases.c.scenario_id == scenario)
    if assignee is not None:
        query = query.where(cases.c.assignee == assignee)
    if order_id is not None:
        query = query.where(cases.c.order_id == order_id)
    if overdue:
        query = query.where(cases.c.next_deadline <= now())
    return query


def check_actor(actor: str) -> str:
    """The acting person's name, trimmed; every event names one."""
    name = (actor or "").strip()
    if not name or len(name) > MAX_ACTOR:
        raise StoreError("error.actor_required", limit=MAX_ACTOR)
    return name


def new_case_id() -> str:
    """A short random case id staff can read out (no 0/o or 1/i/l)."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(8))


def to_case(row: Any) -> Case:
    """A ``cases`` row as a Case."""
    return Case(**row._mapping)
