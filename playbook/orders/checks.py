"""Cross-checks of data/triage.yaml and data/reason_codes.yaml against the rest of data/.

Reported as ``Problem``s (``FILE:LINE: path: message``) by ``python -m playbook check``.
"""

from __future__ import annotations

from playbook.library.library import Library, Problem
from playbook.library.triage_rules import TRIAGE_PLATFORM, Rule, RuleSet, is_duration, reason_key
from playbook.orders.fields import FIELDS, ORDER_COLUMNS


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
    """Problems of the triage rules against the order columns, the policies and the scenarios.

    Rules naming a scenario, column, policy, reason group or fact that does not exist; facts
    whose columns no order has; empty values read as evidence without a fact saying the file
    reports them; a "needs a look" priority not below the rule's own.
    """
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
    """A rule's needs name known facts, and the facts cover the empty columns it reads.

    An empty column is only evidence ('absent', 'is_true', 'not_true', 'by') when a needed fact
    covers it; "needs a look" comes after the rule's own priorities.
    """
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
