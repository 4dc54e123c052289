"""The case store's tables (SQLAlchemy 2 Core).

Created and changed only through the Alembic revisions in ``playbook/cases/migrations``; this
module never opens a connection.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    TypeDecorator,
    UniqueConstraint,
    false,
    or_,
)

from playbook.cases.records import Case, CaseFilter


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out; stored as naive UTC.

    SQLite keeps no time zone and PostgreSQL ``timestamptz`` would hand back the session's
    zone, so both store naive UTC and sort the same way.
    """

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> dt.datetime | None:
        """An aware datetime as naive UTC for the database (a naive one is refused)."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("the case store only takes time-zone-aware datetimes")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Any) -> dt.datetime | None:
        """The database's naive UTC time as an aware datetime."""
        return None if value is None else value.replace(tzinfo=dt.UTC)


# BIGINT is not SQLite's rowid alias, so it would not autoincrement there.
EventId = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData()

# The newest Alembic revision in playbook/cases/migrations (a test checks it is the head).
# Known here so that opening a current database does not import Alembic at all.
SCHEMA_VERSION = "0006"

# Where a database made by release 0.1.0 records its schema (version 1) instead of Alembic's
# alembic_version. Never created: SqlStore reads it to stamp such a database for an upgrade.
legacy_schema_version = Table(
    "schema_version",
    MetaData(),
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
    # What the lessons page needs from the events, kept by the moves (revision 0005):
    # the first buyer-message draft issued and the first move into a closed status.
    Column("first_reply_at", UTCDateTime, nullable=True),
    Column("closed_at", UTCDateTime, nullable=True),
    # When the buyer's personal data was last removed (purge or erase; revision 0006).
    Column("erased_at", UTCDateTime, nullable=True),
    # The case list sorts by deadline then last change, optionally after one filter.
    Index("ix_cases_due", "next_deadline", "updated_at"),
    Index("ix_cases_status_due", "status", "next_deadline", "updated_at"),
    Index("ix_cases_scenario_due", "scenario_id", "next_deadline", "updated_at"),
    Index("ix_cases_assignee_due", "assignee", "next_deadline", "updated_at"),
    Index("ix_cases_order", "order_id"),
    # The lessons page asks which cases changed since its snapshot: a scan of this index only.
    Index("ix_cases_stamp", "id", "revision", "updated_at"),
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
# Alembic revision 0002.
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

# Evidence files (revision 0003): each file once by content hash, attached to case items.
blobs = Table(
    "blobs",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("pages", Integer, nullable=True),
    Column("width", Integer, nullable=True),
    Column("height", Integer, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("thumb", LargeBinary, nullable=True),
)

attachments = Table(
    "attachments",
    metadata,
    Column("case_id", String(16), ForeignKey("cases.id"), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),  # the adding event's seq
    Column("item_id", String(64), nullable=False),
    Column("sha256", String(64), ForeignKey("blobs.sha256"), nullable=False),
    Column("name", String(255), nullable=False),  # the browser's file name, text only
    Column("actor", String(200), nullable=False),
    Column("added_at", UTCDateTime, nullable=False),
    Column("removed", Boolean, nullable=False, server_default=false()),
)


def filter_cases(query: Any, where: CaseFilter, now: Callable[[], dt.datetime]) -> Any:
    """``query`` narrowed to the cases ``where`` lets pass (``CaseFilter.matches`` in SQL)."""
    if isinstance(where.status, str):
        query = query.where(cases.c.status == where.status)
    elif where.status is not None:
        query = query.where(cases.c.status.in_(list(where.status)))
    if where.scenario is not None:
        query = query.where(cases.c.scenario_id == where.scenario)
    if where.platform is not None:
        query = query.where(cases.c.platform == where.platform)
    if isinstance(where.assignee, str):
        query = query.where(cases.c.assignee == where.assignee)
    elif where.assignee is not None:
        names = [a for a in where.assignee if a is not None]
        either = [cases.c.assignee.in_(names)]
        if None in where.assignee:
            either.append(cases.c.assignee.is_(None))
        query = query.where(or_(*either))
    if where.order_id is not None:
        query = query.where(cases.c.order_id == where.order_id)
    if where.overdue:
        query = query.where(cases.c.next_deadline <= now())
    return query


def to_case(row: Any) -> Case:
    """A ``cases`` row as a Case."""
    return Case(**row._mapping)
