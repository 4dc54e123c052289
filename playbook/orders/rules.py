"""Triage rules (data/triage.yaml) and refund-reason codes (data/reason_codes.yaml): their
schema and their cross-checks. Pydantic only — no pandas — so ``python -m playbook check`` and
the staff page can load them cheaply; ``playbook.orders.triage`` applies them.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field

from playbook.orders.fields import FIELDS, ORDER_COLUMNS
from playbook.scenarios.library import Library, Problem
from playbook.scenarios.model import Model, PolicySet, Text

DEADLINE_STATES = ("past", "soon", "ok", "none")
TRIAGE_PLATFORM = "wish"  # the policy file triage deadlines come from


class TimeLeft(Model):
    """Wish's own count of the time left (v2 and the older CSV): when the order has it, the
    deadline is ``from`` + that many hours (else days), not the policy's."""

    from_: str = Field(alias="from")
    hours: str | None = None
    days: str | None = None


class Overdue(Model):
    """A policy deadline counted from the first present ``from`` column."""

    policy: str
    from_: list[str] = Field(alias="from", min_length=1)
    within_hours: float = 0
    by: str | None = None
    left: TimeLeft | None = None


class When(Model):
    """The tests of one rule (all must hold)."""

    state: list[str] | None = None
    reason_group: list[str] | None = None
    present: list[str] = []
    absent: list[str] = []
    is_true: list[str] = []
    not_true: list[str] = []
    overdue: Overdue | None = None


class DeadlineSpec(Model):
    """The act-by date of a rule."""

    policy: str
    from_: list[str] = Field(alias="from", min_length=1)
    left: TimeLeft | None = None


class Look(Model):
    """Orders the rule could not judge (a fact it needs is not in the file) but that a person
    should look at: listed with this (lower) priority and label."""

    priority: int = Field(ge=1)
    label: Text


class Rule(Model):
    """One triage rule (see data/triage.yaml)."""

    id: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    scenario: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    label: Text
    needs: list[str] = []
    when: When
    deadline: DeadlineSpec
    priority: dict[Literal["past", "soon", "ok", "none"], int]
    look: Look | None = None


class FactSpec(Model):
    """A fact a rule can need, and the order columns that tell it. An order gives the fact
    when one of the columns has a value, or when the file reports the first column whenever
    it happened (a CSV column in the header, a v3 event; never a yes/no flag)."""

    columns: list[str] = Field(min_length=1)
    label: Text


class RuleSet(Model):
    """data/triage.yaml."""

    soon_hours: float = 24
    unknown_reason: Literal["hold", "judge"] = "hold"
    facts: dict[str, FactSpec] = {}
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
        """Matching key -> (canonical reason, group); see :func:`reason_keys`.

        Keys two reasons share when filler words are cut from unspaced text are left out:
        such text is then unknown rather than mapped to either of them.
        """
        out: dict[str, tuple[str, str]] = {}
        loose: dict[str, set[tuple[str, str]]] = {}
        for key, entry in self.reasons.items():
            for spelling in [key, *entry.also, *entry.texts, *map(str, entry.codes)]:
                exact, squashed = reason_keys(spelling)
                out[exact] = (key, entry.group)
                loose.setdefault(squashed, set()).add((key, entry.group))
        for squashed, hits in loose.items():
            if len(hits) == 1:
                out.setdefault(LOOSE + squashed, next(iter(hits)))
        return out

    def match(self, text: object, lookup: dict[str, tuple[str, str]] | None = None):
        """(canonical reason, group) of a reason as written, or None when it is unknown."""
        lookup = self.lookup() if lookup is None else lookup
        exact, squashed = reason_keys(str(text))
        return lookup.get(exact) or lookup.get(LOOSE + squashed)


# Words that do not change a reason: "Customer received the wrong item" is "Received the wrong
# item"; "Item does not match the listing" is "Item does not match listing".
FILLER_WORDS = ("the", "customer")
LOOSE = "~"
_WORD_RE = re.compile(r"-?[0-9]+|[^\W_]+")


def reason_keys(text: str) -> tuple[str, str]:
    """How reasons are matched: (words without filler words, joined; the same of text written
    without spaces, with the filler words cut wherever they occur). Case, spaces, '_' and
    punctuation never matter; '-1' keeps its sign.

    >>> reason_keys("Item does not match the listing.")
    ('itemdoesnotmatchlisting', 'itemdoesnotmatchlisting')
    >>> reason_keys("Customercancelledorder")[1] == reason_keys("Customer cancelled order")[1]
    True
    """
    words = _WORD_RE.findall(str(text).casefold())
    exact = "".join(w for w in words if w not in FILLER_WORDS) or "".join(words)
    squashed = "".join(words)
    for word in FILLER_WORDS:
        squashed = squashed.replace(word, "")
    return exact or str(text).strip(), squashed or exact or str(text).strip()


def reason_key(text: str) -> str:
    """The exact matching key of a reason (see :func:`reason_keys`)."""
    return reason_keys(text)[0]


def is_duration(policies: PolicySet | None, key: str) -> bool:
    """Whether ``key`` is a policy triage can count a deadline with (hours or calendar days)."""
    pol = policies.policies.get(key) if policies else None
    return pol is not None and pol.unit in ("hours", "calendar_days")


def check_reason_codes(lib: Library) -> list[Problem]:
    """Reasons whose group is not one of the file's groups; a spelling of two reasons."""
    if lib.reasons is None:
        return []
    problems = []
    seen: dict[str, str] = {}
    for key, entry in lib.reasons.reasons.items():
        for spelling in [key, *entry.also, *entry.texts, *map(str, entry.codes)]:
            other = seen.setdefault(reason_key(spelling), key)
            if other != key:
                file, line = lib.where("reasons", "reasons", ("reasons", key))
                problems.append(
                    Problem(
                        file,
                        f"reasons.{key}",
                        f"'{spelling}' is also a spelling of {other}: it would match either",
                        line,
                    )
                )
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
    """Rules naming a scenario, column, policy, reason group or fact that does not exist;
    facts whose columns no order has; empty values read as evidence without a fact saying the
    file reports them; a "needs a look" priority not below the rule's own."""
    if lib.triage is None:
        return []
    problems: list[Problem] = []

    def add(loc: tuple, message: str) -> None:
        file, line = lib.where("triage", "triage", loc)
        problems.append(Problem(file, ".".join(map(str, loc)), message, line))

    for name, fact in lib.triage.facts.items():
        for column in fact.columns:
            if column not in ORDER_COLUMNS:
                add(("facts", name, "columns"), f"no order column '{column}' gives this fact")
    for i, rule in enumerate(lib.triage.rules):
        if lib.scenarios and rule.scenario not in lib.scenarios:
            add(
                ("rules", i, "scenario"),
                f"rule '{rule.id}' names scenario '{rule.scenario}', which does not exist; "
                f"scenarios are {sorted(lib.scenarios)}",
            )
        _check_columns(rule, ("rules", i), add)
        _check_policies(lib, rule, ("rules", i), add)
        _check_needs(lib.triage, rule, ("rules", i), add)
        groups = sorted(lib.reasons.groups) if lib.reasons else []
        for group in rule.when.reason_group or []:
            if group not in groups:
                add(
                    ("rules", i, "when", "reason_group"),
                    f"unknown reason group '{group}'; groups are {groups}",
                )
    return problems


def _columns_of(rule: Rule) -> list[tuple[tuple, str]]:
    """(where in the rule, order column) of every column the rule names."""
    when = rule.when
    columns = [(("when", "present"), c) for c in when.present]
    columns += [(("when", "absent"), c) for c in when.absent]
    columns += [(("when", "is_true"), c) for c in when.is_true]
    columns += [(("when", "not_true"), c) for c in when.not_true]
    columns += [(("deadline", "from"), c) for c in rule.deadline.from_]
    specs = [(("deadline",), rule.deadline)]
    if when.overdue:
        columns += [(("when", "overdue", "from"), c) for c in when.overdue.from_]
        columns += [(("when", "overdue", "by"), when.overdue.by)] if when.overdue.by else []
        specs.append((("when", "overdue"), when.overdue))
    for where, spec in specs:
        if spec.left:
            for key in ("from", "hours", "days"):
                value = getattr(spec.left, "from_" if key == "from" else key)
                columns += [((*where, "left", key), value)] if value else []
    return columns


def _check_columns(rule: Rule, loc: tuple, add) -> None:
    for where, column in _columns_of(rule):
        if column not in ORDER_COLUMNS:
            add((*loc, *where), f"unknown order column '{column}'")
        elif where[-1] in ("is_true", "not_true") and FIELDS.get(column) != "bool":
            add((*loc, *where), f"'{column}' is not a yes/no column")
        elif where[-1] in ("hours", "days") and FIELDS.get(column) != "int":
            add((*loc, *where), f"'{column}' is not a whole-number column")


def _check_policies(lib: Library, rule: Rule, loc: tuple, add) -> None:
    policies = lib.policies.get(TRIAGE_PLATFORM)
    specs = [(("deadline",), rule.deadline)]
    if rule.when.overdue:
        specs.append((("when", "overdue"), rule.when.overdue))
    for where, spec in specs:
        if not is_duration(policies, spec.policy):
            add(
                (*loc, *where, "policy"),
                f"'{spec.policy}' is not an hours or calendar-days policy in "
                f"data/policies/{TRIAGE_PLATFORM}.yaml",
            )


def _check_needs(rules: RuleSet, rule: Rule, loc: tuple, add) -> None:
    """Needs name known facts; an empty column is only evidence ('absent', 'is_true',
    'not_true', 'by') when a needed fact covers it; "needs a look" comes after the rule's own
    priorities."""
    for need in rule.needs:
        if need not in rules.facts:
            add((*loc, "needs"), f"unknown fact '{need}'; facts are {sorted(rules.facts)}")
    covered = {c for need in rule.needs if need in rules.facts for c in rules.facts[need].columns}
    when = rule.when
    evidence = [(("when", "absent"), c) for c in when.absent]
    evidence += [(("when", "is_true"), c) for c in when.is_true]
    evidence += [(("when", "not_true"), c) for c in when.not_true]
    if when.overdue and when.overdue.by:
        evidence.append((("when", "overdue", "by"), when.overdue.by))
    for where, column in evidence:
        if column in ORDER_COLUMNS and column not in covered:
            add(
                (*loc, *where),
                f"'{column}' is judged when empty, but no fact the rule needs covers it "
                f"(add a fact listing '{column}' to needs)",
            )
    if rule.look and rule.look.priority <= max(rule.priority.values(), default=0):
        add(
            (*loc, "look", "priority"),
            f"'needs a look' priority {rule.look.priority} must be lower (a larger number) "
            f"than the rule's own priorities {sorted(set(rule.priority.values()))}",
        )
