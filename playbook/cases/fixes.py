"""Fix tracking: the changes a lead recorded against a root cause ("second packing check from
2026-03-01"), kept in the case store's ``fixes`` table (Alembic revision 0002). Pure
SQLAlchemy Core.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
from sqlalchemy import Engine, insert, select, type_coerce
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.types import String

from playbook.cases.records import check_actor
from playbook.cases.schema import fixes
from playbook.cases.sqlite import db_error
from playbook.errors import StoreError
from playbook.scenarios.library import Library

MAX_TITLE = 500
FIX_COLUMNS = ["id", "root_cause", "title", "starts_at", "created_at", "actor"]


def record_fix(
    engine: Engine,
    lib: Library,
    *,
    root_cause: str,
    title: str,
    starts_at: dt.datetime,
    actor: str,
    now: Callable[[], dt.datetime] | None = None,
) -> int:
    """Save a fix and return its id. Every argument is checked; nothing is half-written.

    Args:
        engine: the case store's engine.
        lib: the library (root-cause ids).
        root_cause: a root-cause id of data/root_causes.yaml.
        title: what was changed, as the lead wrote it.
        starts_at: when the change took effect (aware datetime).
        actor: who records it.

    Raises:
        StoreError: an unknown root cause (``lessons.error.fix_cause``), an empty or too long
            title (``lessons.error.fix_title``), a date without a zone, or the store failed.
    """
    if root_cause not in lib.root_causes:
        raise StoreError(
            "lessons.error.fix_cause", cause=str(root_cause)[:64], choices=sorted(lib.root_causes)
        )
    title = (title or "").strip()
    if not title or len(title) > MAX_TITLE:
        raise StoreError("lessons.error.fix_title", limit=MAX_TITLE)
    if starts_at.tzinfo is None:
        raise StoreError("lessons.error.fix_date")
    actor = check_actor(actor)
    values = {
        "root_cause": root_cause,
        "title": title,
        "starts_at": starts_at,
        "created_at": (now or _utc_now)(),
        "actor": actor,
    }
    try:
        with engine.begin() as conn:
            return int(conn.execute(insert(fixes).values(**values)).inserted_primary_key[0])
    except SQLAlchemyError as exc:
        raise db_error(exc, str(engine.url), engine.dialect.name == "sqlite") from exc


def read_fixes(engine: Engine) -> pd.DataFrame:
    """Every recorded fix, newest start first (``FIX_COLUMNS``; times as UTC timestamps)."""
    query = select(
        fixes.c.id,
        fixes.c.root_cause,
        fixes.c.title,
        type_coerce(fixes.c.starts_at, String).label("starts_at"),
        type_coerce(fixes.c.created_at, String).label("created_at"),
        fixes.c.actor,
    ).order_by(fixes.c.starts_at.desc(), fixes.c.id.desc())
    try:
        with engine.connect() as conn:
            table = pd.DataFrame(conn.execute(query).all(), columns=FIX_COLUMNS)
    except SQLAlchemyError as exc:
        raise db_error(exc, str(engine.url), engine.dialect.name == "sqlite") from exc
    for col in ("starts_at", "created_at"):
        table[col] = pd.to_datetime(table[col], utc=True, format="ISO8601")
    return table


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
