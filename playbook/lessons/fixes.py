"""Fix tracking: the changes a lead recorded against a root cause.

A fix ("second packing check from 2026-03-01") is kept in the case store's ``fixes`` table
(Alembic revision 0002).

``check_fix`` turns what the lead typed into the row to write (every value checked, the start
date as midnight UTC); ``insert_fix`` and ``read_fixes`` work on a connection the store gives
(``LessonsStore``, which checks who may record a fix). Pure SQLAlchemy Core and pandas.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import insert, select, type_coerce
from sqlalchemy.types import String

from playbook.cases.records import check_actor
from playbook.cases.schema import fixes
from playbook.errors import InputError
from playbook.library.library import Library

MAX_TITLE = 500
FIX_COLUMNS = ["id", "root_cause", "title", "starts_at", "created_at", "actor"]


def fix_start(day: object) -> dt.datetime:
    """When a fix dated ``day`` took effect: the start of that day, UTC.

    Raises:
        InputError: ``day`` is not a date (``lessons.error.fix_date``).
    """
    if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
        raise InputError("lessons.error.fix_date")
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def check_fix(
    lib: Library, *, root_cause: str, title: str, day: object, actor: str, now: dt.datetime
) -> dict[str, Any]:
    """The ``fixes`` row for what a lead typed; every value is checked first.

    Raises:
        InputError: no date (``lessons.error.fix_date``), an unknown root cause
            (``lessons.error.fix_cause``), an empty or too long title
            (``lessons.error.fix_title``), or no actor; checked in that order.
    """
    starts_at = fix_start(day)
    if root_cause not in lib.root_causes:
        raise InputError(
            "lessons.error.fix_cause", cause=str(root_cause)[:64], choices=sorted(lib.root_causes)
        )
    title = (title or "").strip()
    if not title or len(title) > MAX_TITLE:
        raise InputError("lessons.error.fix_title", limit=MAX_TITLE)
    return {
        "root_cause": root_cause,
        "title": title,
        "starts_at": starts_at,
        "created_at": now,
        "actor": check_actor(actor),
    }


def insert_fix(conn: Any, row: dict[str, Any]) -> int:
    """Write a checked row (``check_fix``) and return its id."""
    return int(conn.execute(insert(fixes).values(**row)).inserted_primary_key[0])


def read_fixes(conn: Any) -> pd.DataFrame:
    """Every recorded fix, newest start first (``FIX_COLUMNS``; times as UTC timestamps)."""
    query = select(
        fixes.c.id,
        fixes.c.root_cause,
        fixes.c.title,
        type_coerce(fixes.c.starts_at, String).label("starts_at"),
        type_coerce(fixes.c.created_at, String).label("created_at"),
        fixes.c.actor,
    ).order_by(fixes.c.starts_at.desc(), fixes.c.id.desc())
    table = pd.DataFrame(conn.execute(query).all(), columns=FIX_COLUMNS)
    for col in ("starts_at", "created_at"):
        table[col] = pd.to_datetime(table[col], utc=True, format="ISO8601")
    return table
