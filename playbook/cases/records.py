"""Case records: a case, its events, and how a walk maps onto a case. No database code.

``Case`` is the projection of a case's append-only event log (what the case row holds);
``Event`` is one entry of that log. Both stores (``SqlStore``, ``MemoryStore``) return these.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any, NamedTuple

from playbook.errors import InputError
from playbook.i18n import text as i18n_text
from playbook.library.library import Library
from playbook.scenarios.engine import Walk
from playbook.scenarios.facts import parse_facts

_ID_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
MAX_ACTOR = 200
TRAINING_ACTOR = "training"  # who acts on a walk that is not kept (practice, a page alone)

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
    "evidence_file_added",
    "evidence_file_removed",
    "packet_built",
    "personal_data_erased",
)


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
    first_reply_at: dt.datetime | None = None  # first buyer-message draft issued
    closed_at: dt.datetime | None = None  # first move into a closed status
    erased_at: dt.datetime | None = None  # buyer's personal data last removed (purge, erase)

    @property
    def current_step(self) -> str:
        """The id of the step the case stopped at."""
        return self.walk["path"][-1]

    def overdue(self, now: dt.datetime) -> bool:
        """Whether the next deadline has passed at ``now``."""
        return self.next_deadline is not None and self.next_deadline <= now


@dataclass(frozen=True)
class Event:
    """One entry of a case's history.

    Never deleted; only an erasure of the buyer's personal data rewrites the personal values in
    earlier payloads (``playbook.cases.privacy``).
    """

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


@dataclass(frozen=True)
class CaseFilter:
    """Which cases a case list shows; every test left at None (or False) lets any case pass.

    ``status`` is one status or several; ``platform`` one platform id; ``assignee`` one name
    or several, where None among them means unassigned (a staff member's list: theirs and
    nobody's) and an empty tuple matches nothing; ``overdue`` keeps the cases whose next
    deadline has passed.
    """

    status: str | tuple[str, ...] | None = None
    scenario: str | None = None
    platform: str | None = None
    assignee: str | tuple[str | None, ...] | None = None
    order_id: str | None = None
    overdue: bool = False

    def matches(self, case: Case, now: dt.datetime) -> bool:
        """Whether ``case`` passes every test at ``now``."""
        statuses = (self.status,) if isinstance(self.status, str) else self.status
        names = (self.assignee,) if isinstance(self.assignee, str) else self.assignee
        return (
            (statuses is None or case.status in statuses)
            and (self.scenario is None or case.scenario_id == self.scenario)
            and (self.platform is None or case.platform == self.platform)
            and (names is None or case.assignee in names)
            and (self.order_id is None or case.order_id == self.order_id)
            and (not self.overdue or case.overdue(now))
        )


EVERY_CASE = CaseFilter()


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
    dues = [] if walk.finished else [d.due for _ref, d in walk.deadlines() if d is not None]
    return {
        "walk": walk.to_state(),
        "status": walk.status,
        "outcome": walk.current.id if walk.finished else None,
        "next_deadline": min(dues) if dues else None,
    }


def check_actor(actor: str) -> str:
    """The acting person's name, trimmed; every event names one."""
    name = (actor or "").strip()
    if not name or len(name) > MAX_ACTOR:
        raise InputError("error.actor_required", limit=MAX_ACTOR)
    return name


def new_case_id() -> str:
    """A short random case id staff can read out (no 0/o or 1/i/l)."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(8))
