"""What a case row keeps from its events for the lessons page: ``first_reply_at``, ``closed_at``.

The moves keep both as they write (``CaseMoves``), so reading them is one scan of the cases
table. ``refresh_projection`` works them out again from the event log in one UPDATE: for
databases written before the columns existed (Alembic revision 0005) and for stores filled by
bulk inserts (scripts/make_cases.py). Both follow the same two rules:

- ``first_reply_at``: the time of the first ``draft_issued`` event whose template is a message
  to the buyer (kind ``buyer_message``);
- ``closed_at``: the time of the first ``status`` event to a closed status, or of the first
  ``answer`` that closes the walk (``Walk.closed``: an answer into one of the scenario's
  ``closing_steps``).

Which templates and steps those are is library data; ``ProjectionRules`` carries just that, so
a migration is given it instead of reading data/.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, or_, select, update

from playbook.cases.schema import cases, events
from playbook.library.library import Library
from playbook.library.model import CLOSED_STATUSES

__all__ = ["ProjectionRules", "refresh_projection"]


@dataclass(frozen=True)
class ProjectionRules:
    """The library data the projection needs.

    Which templates are messages to the buyer, and which steps of each scenario close a case.
    """

    buyer_templates: tuple[str, ...] = ()
    closing_steps: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, lib: Library) -> ProjectionRules:
        """The rules of a loaded library."""
        return cls(
            tuple(sorted(t.id for t in lib.templates.values() if t.to_buyer)),
            {s.id: tuple(s.closing_steps()) for s in lib.scenarios.values()},
        )


def refresh_projection(conn: Any, rules: ProjectionRules) -> int:
    """Set ``first_reply_at`` and ``closed_at`` of every case from its events.

    Args:
        conn: an open connection inside a transaction (the caller commits).
        rules: which templates are buyer messages and which steps close a case.

    Returns:
        The number of case rows updated.
    """
    template = events.c.payload["template"].as_string()
    target = events.c.payload["to"].as_string()
    closing = [and_(events.c.type == "status", target.in_(sorted(CLOSED_STATUSES)))]
    for scenario_id, steps in sorted(rules.closing_steps.items()):
        if steps:
            mine = and_(events.c.type == "answer", cases.c.scenario_id == scenario_id)
            closing.append(and_(mine, target.in_(steps)))
    replies = and_(events.c.type == "draft_issued", template.in_(rules.buyer_templates or [""]))

    def first(condition: Any) -> Any:
        mine = events.c.case_id == cases.c.id
        return select(func.min(events.c.time)).where(mine, condition).scalar_subquery()

    done = conn.execute(
        update(cases).values(first_reply_at=first(replies), closed_at=first(or_(*closing)))
    )
    return int(done.rowcount or 0)
