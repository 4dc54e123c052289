"""What a case row keeps from its events for the lessons page: ``first_reply_at``, ``closed_at``.

The moves keep both as they write (``CaseMoves``), so reading them is one scan of the cases
table. ``refresh_projection`` works them out again from the event log in one UPDATE: for
databases written before the columns existed (Alembic revision 0005) and for stores filled by
bulk inserts (scripts/make_cases.py). Both follow the same two rules:

- ``first_reply_at``: the time of the first ``draft_issued`` event whose template is a message
  to the buyer (kind ``buyer_message``);
- ``closed_at``: the time of the first ``status`` event to a closed status, or of the first
  ``answer`` into a step whose status is closed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, or_, select, update

from playbook.cases.schema import cases, events
from playbook.scenarios.library import Library
from playbook.scenarios.model import CLOSED_STATUSES

__all__ = ["buyer_templates", "refresh_projection"]


def buyer_templates(lib: Library) -> list[str]:
    """Ids of the templates whose first issue counts as the first reply to the buyer."""
    return sorted(t.id for t in lib.templates.values() if t.to_buyer)


def refresh_projection(conn: Any, lib: Library) -> int:
    """Set ``first_reply_at`` and ``closed_at`` of every case from its events.

    Args:
        conn: an open connection inside a transaction (the caller commits).
        lib: the library (which templates are buyer messages, which steps close a case).

    Returns:
        The number of case rows updated.
    """
    template = events.c.payload["template"].as_string()
    target = events.c.payload["to"].as_string()
    closing = [and_(events.c.type == "status", target.in_(sorted(CLOSED_STATUSES)))]
    for scenario in lib.scenarios.values():
        steps = sorted(s.id for s in scenario.steps if s.status in CLOSED_STATUSES)
        if steps:
            mine = and_(events.c.type == "answer", cases.c.scenario_id == scenario.id)
            closing.append(and_(mine, target.in_(steps)))
    replies = and_(events.c.type == "draft_issued", template.in_(buyer_templates(lib) or [""]))

    def first(condition: Any) -> Any:
        mine = events.c.case_id == cases.c.id
        return select(func.min(events.c.time)).where(mine, condition).scalar_subquery()

    done = conn.execute(
        update(cases).values(first_reply_at=first(replies), closed_at=first(or_(*closing)))
    )
    return int(done.rowcount or 0)
