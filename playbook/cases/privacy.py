"""Buyers' personal data kept only as long as needed: ``purge`` and ``erase``.

``purge`` runs after the retention period; ``erase`` removes one buyer's data, on request.

Both are operator commands on the case store (``python -m playbook purge`` / ``erase``). For
each case they pick, ``CaseMoves.erase_personal`` replaces the personal facts (marked
``personal`` in data/facts.yaml), the free texts of the history and the evidence file names
with a marker and drops the case's evidence files, as one ``personal_data_erased`` event
(who, when, why; nothing personal). The case rows stay, so the lessons page counts them as
before. Afterwards ``SqlStore.compact`` rewrites the database files so the removed values
are not left in free pages or the write-ahead log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select

from playbook.cases.erasure import erasure_of
from playbook.cases.schema import cases
from playbook.cases.sql_store import SqlStore
from playbook.errors import ConflictError, InputError
from playbook.library.library import Library
from playbook.library.model import CLOSED_STATUSES

__all__ = ["ErasedCase", "Report", "erase", "personal_facts", "purge"]

_TRIES = 3  # a case someone is saving right now is read again and tried again


@dataclass(frozen=True)
class ErasedCase:
    """What was (or, on a dry run, would be) removed from one case."""

    case_id: str
    facts: tuple[str, ...]
    texts: int
    files: int


@dataclass
class Report:
    """The cases a purge or erase touched, and what compacting the database did."""

    cases: list[ErasedCase] = field(default_factory=list)
    compacted: dict[str, Any] = field(default_factory=dict)
    dry_run: bool = False


def personal_facts(lib: Library) -> tuple[str, ...]:
    """Ids of the facts marked ``personal`` in data/facts.yaml."""
    return tuple(sorted(f.id for f in lib.facts.values() if f.personal))


def due_for_purge(store: SqlStore, cutoff: dt.datetime) -> list[str]:
    """Ids of closed cases closed and last changed before ``cutoff``, still holding personal data.

    Only cases whose personal data has not been removed since their last change.
    """
    query = select(cases.c.id).where(
        cases.c.status.in_(sorted(CLOSED_STATUSES)),
        cases.c.closed_at <= cutoff,
        cases.c.updated_at <= cutoff,
        or_(cases.c.erased_at.is_(None), cases.c.erased_at < cases.c.updated_at),
    )
    with store.reading() as conn:
        return sorted(conn.execute(query).scalars())


def cases_of_buyer(store: SqlStore, *, order_id: str | None, buyer: str | None) -> list[str]:
    """Ids of the cases of one order, or of every order of a buyer.

    The buyer's name is matched as on the order, case and surrounding spaces ignored.
    """
    if (order_id is None) == (buyer is None):
        raise InputError("error.erase_target")
    if order_id is not None:
        query = select(cases.c.id).where(cases.c.order_id == order_id.strip())
    else:
        name = func.lower(func.trim(cases.c.facts["buyer_name"].as_string()))
        query = select(cases.c.id).where(name == buyer.strip().lower())
    with store.reading() as conn:
        return sorted(conn.execute(query).scalars())


def purge(
    store: SqlStore,
    lib: Library,
    *,
    actor: str,
    retention_days: int,
    dry_run: bool = False,
) -> Report:
    """Remove the personal data of every case closed more than ``retention_days`` ago."""
    cutoff = store.now() - dt.timedelta(days=retention_days)
    reason = f"retention {retention_days} days after closing"
    ids = due_for_purge(store, cutoff)
    return _erase_all(store, lib, ids, actor=actor, why="retention", reason=reason, dry=dry_run)


def erase(
    store: SqlStore,
    lib: Library,
    *,
    actor: str,
    reason: str,
    order_id: str | None = None,
    buyer: str | None = None,
    dry_run: bool = False,
) -> Report:
    """Remove the personal data of one order's cases, or of one buyer's, now.

    Raises:
        InputError: neither or both of ``order_id`` and ``buyer``; no reason, or a reason
            that names the buyer.
    """
    ids = cases_of_buyer(store, order_id=order_id, buyer=buyer)
    return _erase_all(store, lib, ids, actor=actor, why="request", reason=reason, dry=dry_run)


def _erase_all(
    store: SqlStore,
    lib: Library,
    ids: list[str],
    *,
    actor: str,
    why: str,
    reason: str,
    dry: bool,
) -> Report:
    personal = personal_facts(lib)
    report = Report(dry_run=dry)
    for case_id in ids:
        for attempt in range(_TRIES):
            case = store.get_case(case_id)
            plan = erasure_of(case, store.events(case_id), personal)
            files = len(store.attachments(case_id, removed=True))
            if not dry:
                try:
                    store.erase_personal(case, personal, actor=actor, why=why, reason=reason)
                except ConflictError:
                    if attempt == _TRIES - 1:
                        raise
                    continue
            report.cases.append(ErasedCase(case_id, plan.facts_removed, plan.texts_removed, files))
            break
    if report.cases and not dry:
        report.compacted = store.compact()
    return report
