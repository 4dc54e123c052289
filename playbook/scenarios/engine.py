"""Step engine: walk a scenario one answer at a time. Pure: no I/O, no clock reads.

A ``Walk`` holds the path of visited steps and every answer ever given. Going back drops the
last step from the path but keeps its answer, so it is offered again when the step returns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from playbook.errors import StepNotAllowed
from playbook.library.model import Condition, Option, Scenario, Step, Text, is_closed, routes
from playbook.scenarios.policies import Deadline, deadline

CONTINUE = ""  # the answer recorded for action and info steps


@dataclass
class Walk:
    """One walk through a scenario for one case.

    Args:
        scenario: the scenario being walked.
        facts: typed case facts (see ``playbook.scenarios.facts.parse_facts``).
        as_of: the time deadlines and ``days_since`` conditions are measured at.
        policies: the platform's policies, for deadlines (``{key: Policy}``).
    """

    scenario: Scenario
    facts: Mapping[str, Any]
    as_of: dt.datetime
    policies: Mapping[str, Any] = field(default_factory=dict)
    path: list[str] = field(default_factory=list)
    answers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.path:
            self.path = [self.scenario.start]

    # --- reading -------------------------------------------------------------------------

    @property
    def current(self) -> Step:
        """The step waiting for an answer (or the outcome reached)."""
        return self.scenario.step(self.path[-1])

    @property
    def finished(self) -> bool:
        """Whether an outcome has been reached."""
        return self.current.kind == "outcome"

    @property
    def status(self) -> str:
        """The case status the walk sets.

        The last one set by a step on the path (``open`` if none), so going back undoes it.
        """
        for step_id in reversed(self.path):
            if self.scenario.has_step(step_id) and (status := self.scenario.step(step_id).status):
                return status
        return "open"

    @property
    def closed(self) -> bool:
        """Whether the walk has closed the case.

        Its status is the last one on the path, so the first time a walk is closed is its first
        answer into a step of ``Scenario.closing_steps`` (``playbook.cases.projection`` relies on
        this).
        """
        return is_closed(self.status)

    @property
    def can_go_back(self) -> bool:
        """Whether there is a step to go back to (not at the first step)."""
        return len(self.path) > 1

    def options(self, step: Step | None = None) -> list[Option]:
        """The options of ``step`` (default: current) whose conditions hold now."""
        step = step or self.current
        return [o for o in step.options if o.when is None or self._holds(o.when)]

    def previous_answer(self, step_id: str) -> str | None:
        """The answer last given at ``step_id``, kept even after going back."""
        return self.answers.get(step_id)

    def review(self) -> list[tuple[Step, Option | None]]:
        """Each answered step on the current path with the option chosen (None: continued)."""
        out = []
        for step_id in self.path[:-1]:
            step = self.scenario.step(step_id)
            chosen = self.answers.get(step_id)
            option = next((o for o in step.options if o.id == chosen), None)
            out.append((step, option))
        return out

    def deadlines(self, step: Step | None = None) -> list[tuple[Any, Deadline | None]]:
        """Deadlines of ``step`` as ``(DeadlineRef, Deadline)``; None where the date is unknown.

        A deadline whose ``when`` does not hold for this case is left out.
        """
        step = step or self.current
        out = []
        for ref in step.deadlines:
            if ref.when is not None and not self._holds(ref.when):
                continue
            start = self.facts.get(ref.from_)
            policy = self.policies.get(ref.policy)
            if isinstance(start, dt.datetime) and policy is not None:
                country = self.facts.get("country")
                out.append((ref, deadline(ref.policy, policy, start, self.as_of, country)))
            else:
                out.append((ref, None))
        return out

    def notes(self, step: Step | None = None) -> list[Text]:
        """The notes of ``step`` (default: current) whose ``when`` holds for this case."""
        step = step or self.current
        return [n.text for n in step.notes if n.when is None or self._holds(n.when)]

    @property
    def progress(self) -> tuple[int, int]:
        """(steps done on this path, steps on the longest way from here to an outcome + done)."""
        done = len(self.path) - 1
        return done, done + _longest_to_outcome(self.scenario, self.path[-1])

    # --- moving --------------------------------------------------------------------------

    def answer(self, step_id: str, option_id: str | None = None) -> Step:
        """Answer the current step and move on.

        Args:
            step_id: the step the answer is for; must be the current step (a stale page or a
                forged message names another and is refused).
            option_id: the option chosen; None for action and info steps.

        Returns:
            The new current step.

        Raises:
            StepNotAllowed: the walk is finished, ``step_id`` is not current, or the option is
                not one of the valid choices now.
        """
        step = self.current
        sid = self.scenario.id
        if self.finished:
            raise StepNotAllowed("error.walk_finished", scenario=sid, step=step.id)
        if step_id != step.id:
            raise StepNotAllowed(
                "error.step_not_current", scenario=sid, step=step_id, current=step.id
            )
        if step.kind == "question":
            valid = [o.id for o in self.options(step)]
            if option_id not in valid:
                raise StepNotAllowed(
                    "error.unknown_option",
                    scenario=sid,
                    step=step.id,
                    option=option_id,
                    choices=valid,
                )
            next_ = next(o for o in step.options if o.id == option_id).next
            answer = option_id
        else:
            if option_id not in (None, CONTINUE):
                raise StepNotAllowed(
                    "error.no_options", scenario=sid, step=step.id, option=option_id
                )
            next_ = step.next
            answer = CONTINUE
        target = self._route(step, next_)
        self.answers[step.id] = answer
        self.path.append(target)
        return self.current

    def back(self) -> Step:
        """Return to the previous step; its answer (and later ones) stay on offer.

        Raises:
            StepNotAllowed: already at the first step.
        """
        if not self.can_go_back:
            raise StepNotAllowed("error.at_start", scenario=self.scenario.id, step=self.path[0])
        self.path.pop()
        return self.current

    # --- state ---------------------------------------------------------------------------

    def to_state(self) -> dict[str, Any]:
        """A JSON-able snapshot (scenario id and version, path, answers)."""
        return {
            "scenario": self.scenario.id,
            "version": self.scenario.version,
            "path": list(self.path),
            "answers": dict(self.answers),
        }

    def copy(self) -> Walk:
        """An independent copy (used to explore paths)."""
        return Walk(
            self.scenario,
            self.facts,
            self.as_of,
            self.policies,
            list(self.path),
            dict(self.answers),
        )

    # --- internals -----------------------------------------------------------------------

    def _route(self, step: Step, next_: Any) -> str:
        for route in routes(next_):
            if route.when is None or self._holds(route.when):
                return route.to
        raise StepNotAllowed("error.no_route", scenario=self.scenario.id, step=step.id)

    def _holds(self, cond: Condition) -> bool:
        return evaluate(cond, self.facts, self.answers, self.path, self.as_of)


def evaluate(
    cond: Condition,
    facts: Mapping[str, Any],
    answers: Mapping[str, str],
    path: list[str],
    as_of: dt.datetime,
) -> bool:
    """Evaluate a declarative condition. Missing values make a test false (``present`` aside).

    Only answers of steps on the current path count, so going back undoes their effect.
    """
    if cond.all is not None:
        return all(evaluate(c, facts, answers, path, as_of) for c in cond.all)
    if cond.any is not None:
        return any(evaluate(c, facts, answers, path, as_of) for c in cond.any)
    if cond.not_ is not None:
        return not evaluate(cond.not_, facts, answers, path, as_of)
    on_path = path[:-1]
    if cond.visited:
        return cond.visited in on_path
    if cond.fact:
        value = facts.get(cond.fact)
    elif cond.days_since:
        start = facts.get(cond.days_since)
        value = (as_of - start).total_seconds() / 86400 if isinstance(start, dt.datetime) else None
    else:
        value = answers.get(cond.answer) if cond.answer in on_path else None
    if cond.present is not None:
        return (value not in (None, "")) is cond.present
    if value is None:
        return False
    if cond.eq is not None:
        return _same(value, cond.eq)
    if cond.ne is not None:
        return not _same(value, cond.ne)
    if cond.in_ is not None:
        return any(_same(value, v) for v in cond.in_)
    number = _number(value)
    if number is None:
        return False
    for op, limit in (("lt", cond.lt), ("le", cond.le), ("gt", cond.gt), ("ge", cond.ge)):
        if limit is not None:
            return {
                "lt": number < limit,
                "le": number <= limit,
                "gt": number > limit,
                "ge": number >= limit,
            }[op]
    return False


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return None


def _same(value: Any, expected: Any) -> bool:
    a, b = _number(value), _number(expected)
    if a is not None and b is not None:
        return a == b
    return str(value) == str(expected)


def _longest_to_outcome(scenario: Scenario, start: str) -> int:
    """Steps on the longest loop-free way from ``start`` to an outcome (0 at an outcome)."""
    memo: dict[str, int] = {}

    def walk(step_id: str, seen: frozenset[str]) -> int:
        step = scenario.step(step_id)
        if step.kind == "outcome":
            return 0
        if step_id in memo:
            return memo[step_id]
        nexts = {r.to for o in step.options for r in routes(o.next)}
        nexts |= {r.to for r in routes(step.next)}
        best = max((walk(n, seen | {n}) for n in nexts if n not in seen), default=0)
        memo[step_id] = best + 1
        return best + 1

    return walk(start, frozenset({start}))


def explore(walk: Walk, max_steps: int = 200) -> Iterator[Walk]:
    """Every way through the scenario from ``walk`` with its facts, as finished walks.

    Drives the real engine (``answer``), so conditions are honoured; a step already on the
    path is not entered twice, which cuts loops.
    """
    if walk.finished:
        yield walk
        return
    step = walk.current
    choices = [o.id for o in walk.options()] if step.kind == "question" else [None]
    for choice in choices:
        branch = walk.copy()
        branch.answer(step.id, choice)
        if branch.path[-1] in branch.path[:-1] or len(branch.path) > max_steps:
            continue
        yield from explore(branch, max_steps)
