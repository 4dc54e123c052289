"""Triage rules (data/triage.yaml) and refund-reason codes (data/reason_codes.yaml): their
schema and their cross-checks. Pydantic only — no pandas — so ``python -m playbook check`` and
the staff page can load them cheaply; ``playbook.orders.triage`` applies them.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field

from playbook.orders.fields import ORDER_COLUMNS
from playbook.scenarios.library import Library, Problem
from playbook.scenarios.model import Model, PolicySet, Text

DEADLINE_STATES = ("past", "soon", "ok", "none")
TRIAGE_PLATFORM = "wish"  # the policy file triage deadlines come from


class Overdue(Model):
    """A policy deadline counted from the first present ``from`` column."""

    policy: str
    from_: list[str] = Field(alias="from", min_length=1)
    within_hours: float = 0
    by: str | None = None


class When(Model):
    """The tests of one rule (all must hold)."""

    state: list[str] | None = None
    reason_group: list[str] | None = None
    present: list[str] = []
    absent: list[str] = []
    overdue: Overdue | None = None


class DeadlineSpec(Model):
    """The act-by date of a rule."""

    policy: str
    from_: list[str] = Field(alias="from", min_length=1)


class Rule(Model):
    """One triage rule (see data/triage.yaml)."""

    id: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    scenario: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    label: Text
    when: When
    deadline: DeadlineSpec
    priority: dict[Literal["past", "soon", "ok", "none"], int]


class RuleSet(Model):
    """data/triage.yaml."""

    soon_hours: float = 24
    rules: list[Rule] = Field(min_length=1)


class ReasonEntry(Model):
    """One canonical refund reason and its spellings."""

    group: str
    codes: list[int] = []
    texts: list[str] = []
    also: list[str] = []


class ReasonCodes(Model):
    """data/reason_codes.yaml."""

    groups: dict[str, Text]
    reasons: dict[str, ReasonEntry]

    def lookup(self) -> dict[str, tuple[str, str]]:
        """Normalised spelling -> (canonical reason, group)."""
        out: dict[str, tuple[str, str]] = {}
        for key, entry in self.reasons.items():
            for spelling in [key, *entry.also, *entry.texts, *map(str, entry.codes)]:
                out[reason_key(spelling)] = (key, entry.group)
        return out


def reason_key(text: str) -> str:
    """How reasons are matched: case, spaces and punctuation ignored ('-1' keeps its sign)."""
    return re.sub(r"[^0-9a-z-]", "", str(text).casefold()).strip("-") or str(text).strip()


def is_duration(policies: PolicySet | None, key: str) -> bool:
    """Whether ``key`` is a policy triage can count a deadline with (hours or calendar days)."""
    pol = policies.policies.get(key) if policies else None
    return pol is not None and pol.unit in ("hours", "calendar_days")


def check_reason_codes(lib: Library) -> list[Problem]:
    """Reasons whose group is not one of the file's groups."""
    if lib.reasons is None:
        return []
    problems = []
    for key, entry in lib.reasons.reasons.items():
        if entry.group not in lib.reasons.groups:
            file, line = lib.where("reasons", "reasons", ("reasons", key, "group"))
            problems.append(
                Problem(
                    file,
                    f"reasons.{key}.group",
                    f"unknown reason group '{entry.group}'; groups are "
                    f"{sorted(lib.reasons.groups)}",
                    line,
                )
            )
    return problems


def check_triage_rules(lib: Library) -> list[Problem]:
    """Rules naming a scenario, column, policy or reason group that does not exist."""
    if lib.triage is None:
        return []
    problems: list[Problem] = []
    policies = lib.policies.get(TRIAGE_PLATFORM)
    groups = sorted(lib.reasons.groups) if lib.reasons else []

    def add(loc: tuple, message: str) -> None:
        file, line = lib.where("triage", "triage", loc)
        problems.append(Problem(file, ".".join(map(str, loc)), message, line))

    for i, rule in enumerate(lib.triage.rules):
        loc = ("rules", i)
        if lib.scenarios and rule.scenario not in lib.scenarios:
            add(
                (*loc, "scenario"),
                f"rule '{rule.id}' names scenario '{rule.scenario}', which does not exist; "
                f"scenarios are {sorted(lib.scenarios)}",
            )
        when = rule.when
        columns = [("when", "present", c) for c in when.present]
        columns += [("when", "absent", c) for c in when.absent]
        columns += [("deadline", "from", c) for c in rule.deadline.from_]
        specs = [(("deadline",), rule.deadline)]
        if when.overdue:
            columns += [("when", "overdue", "from", c) for c in when.overdue.from_]
            columns += [("when", "overdue", "by", when.overdue.by)] if when.overdue.by else []
            specs.append((("when", "overdue"), when.overdue))
        for *where, column in columns:
            if column not in ORDER_COLUMNS:
                add((*loc, *where), f"unknown order column '{column}'")
        for where, spec in specs:
            if not is_duration(policies, spec.policy):
                add(
                    (*loc, *where, "policy"),
                    f"'{spec.policy}' is not an hours or calendar-days policy in "
                    f"data/policies/{TRIAGE_PLATFORM}.yaml",
                )
        for group in when.reason_group or []:
            if group not in groups:
                add(
                    (*loc, "when", "reason_group"),
                    f"unknown reason group '{group}'; groups are {groups}",
                )
    return problems
