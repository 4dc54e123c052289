"""Cross-checks of every platform's triage rules, reason codes and order formats.

data/triage.yaml, data/reason_codes.yaml, data/triage/, data/reason_codes/ and
data/order_formats/ against the rest of data/, reported as ``Problem``s (``FILE:LINE: path:
message``) by ``python -m playbook check``.
"""

from __future__ import annotations

from collections.abc import Callable

from playbook.library.library import Library, Problem
from playbook.library.order_formats import OrderFormat, header_key
from playbook.library.triage_rules import (
    ReasonCodes,
    Rule,
    RuleSet,
    is_duration,
    reason_key,
)
from playbook.orders.fields import ALL_COLUMNS, FIELDS, MAPPED_KINDS

Add = Callable[[tuple, str], None]


def _adder(lib: Library, kind: str, ident: str, problems: list[Problem]) -> Add:
    def add(loc: tuple, message: str) -> None:
        file, line = lib.where(kind, ident, loc)
        problems.append(Problem(file, ".".join(map(str, loc)), message, line))

    return add


def _check_platform(lib: Library, platform: str, add: Add) -> None:
    if lib.policies and platform not in lib.policies:
        add(
            ("platform",),
            f"platform '{platform}' has no data/policies/{platform}.yaml; platforms are "
            f"{sorted(lib.policies)}",
        )


def check_reason_codes(lib: Library) -> list[Problem]:
    """Reasons in no group of their file, spellings of two reasons, unknown platforms."""
    problems: list[Problem] = []
    for platform, codes in lib.reasons.items():
        add = _adder(lib, "reasons", platform, problems)
        _check_platform(lib, platform, add)
        _check_one_reason_file(codes, add)
    return problems


def _check_one_reason_file(codes: ReasonCodes, add: Add) -> None:
    seen: dict[str, str] = {}
    for key, entry in codes.reasons.items():
        for spelling in [key, *entry.also, *entry.texts, *map(str, entry.codes)]:
            other = seen.setdefault(reason_key(spelling), key)
            if other != key:
                add(
                    ("reasons", key),
                    f"'{spelling}' is also a spelling of {other}: it would match either",
                )
    for key, entry in codes.reasons.items():
        if entry.group not in codes.groups:
            add(
                ("reasons", key, "group"),
                f"unknown reason group '{entry.group}'; groups are {sorted(codes.groups)}",
            )


def check_triage_rules(lib: Library) -> list[Problem]:
    """Every problem of every platform's triage rules.

    Rules naming a scenario (of their platform), column, policy (of their platform's file),
    reason group or fact that does not exist; facts whose columns no order has; empty values
    read as evidence without a fact saying the file reports them; a "needs a look" priority not
    below the rule's own.
    """
    problems: list[Problem] = []
    for platform, rules in lib.triage.items():
        add = _adder(lib, "triage", platform, problems)
        _check_platform(lib, platform, add)
        _check_rule_set(lib, rules, add)
    return problems


def _check_rule_set(lib: Library, rules: RuleSet, add: Add) -> None:
    platform = rules.platform
    for name, fact in rules.facts.items():
        for column in fact.columns:
            if column not in ALL_COLUMNS:
                add(("facts", name, "columns"), f"no order column '{column}' gives this fact")
    reasons = lib.reasons.get(platform)
    for i, rule in enumerate(rules.rules):
        if lib.scenarios and rule.scenario not in lib.scenarios:
            add(
                ("rules", i, "scenario"),
                f"rule '{rule.id}' names scenario '{rule.scenario}', which does not exist; "
                f"scenarios are {sorted(lib.scenarios)}",
            )
        elif lib.scenarios and lib.scenarios[rule.scenario].platform != platform:
            add(
                ("rules", i, "scenario"),
                f"rule '{rule.id}' names scenario '{rule.scenario}' of platform "
                f"'{lib.scenarios[rule.scenario].platform}', not '{platform}'",
            )
        _check_columns(rule, ("rules", i), add)
        _check_policies(lib, platform, rule, ("rules", i), add)
        _check_needs(rules, rule, ("rules", i), add)
        groups = sorted(reasons.groups) if reasons else []
        for group in rule.when.reason_group or []:
            if group not in groups:
                add(
                    ("rules", i, "when", "reason_group"),
                    f"unknown reason group '{group}'; groups are {groups}",
                )
        _check_values(lib, platform, rule, ("rules", i), add)


def _check_values(lib: Library, platform: str, rule: Rule, loc: tuple, add: Add) -> None:
    """A tested state or enum value is one the platform's declared formats give.

    Wish's states are code; its rules are checked against them by the tests of the readers.
    """
    formats = lib.formats_of(platform)
    tests = [(("when", "values", c), c, v) for c, v in rule.when.values.items()]
    if rule.when.state is not None:
        tests.append((("when", "state"), "state", rule.when.state))
    for where, column, wanted in tests:
        given = [set(f.values[column].values()) for f in formats if column in f.values]
        if not given:
            continue
        known = set().union(*given)
        for value in wanted:
            if value not in known:
                add(
                    (*loc, *where),
                    f"'{value}' is not a value any {platform} format gives '{column}'; "
                    f"they are {sorted(known)}",
                )


def check_order_formats(lib: Library) -> list[Problem]:
    """A declared format claims only columns it maps, and maps them onto real fields.

    Its ``detect`` and ``required`` columns and its row key are among its ``columns``; each
    column feeds a field of the order table (or is kept, ``null``), no field twice; value maps
    are for mapped state or enum fields, and every such field has one; the platform has a
    policy file; no two formats are told apart by the same columns.
    """
    problems: list[Problem] = []
    for fid, fmt in lib.order_formats.items():
        add = _adder(lib, "order_format", fid, problems)
        _check_platform(lib, fmt.platform, add)
        _check_format(fmt, add)
    seen: dict[frozenset[str], str] = {}
    for fid, fmt in sorted(lib.order_formats.items()):
        detect = frozenset(header_key(c) for c in fmt.detect)
        if detect in seen:
            _adder(lib, "order_format", fid, problems)(
                ("detect",),
                f"the same detect columns as format '{seen[detect]}': a file would match both",
            )
        seen.setdefault(detect, fid)
    return problems


def _check_format(fmt: OrderFormat, add: Add) -> None:
    for where in ("detect", "required"):
        for column in getattr(fmt, where):
            if not fmt.knows(column):
                add(
                    (where,),
                    f"claims column '{column}', which the format does not map (it is not "
                    "under 'columns')",
                )
    fed: dict[str, str] = {}
    for column, field in fmt.columns.items():
        if field is None:
            continue
        if field not in FIELDS:
            add(("columns", column), f"unknown field '{field}'; fields are {sorted(FIELDS)}")
        elif field in fed:
            add(("columns", column), f"field '{field}' is already fed by column '{fed[field]}'")
        fed.setdefault(field, column)
    if "order_id" not in fed:
        add(("columns",), "no column feeds 'order_id'")
    for field in fmt.values:
        if field not in fed:
            add(("values", field), f"a value map for '{field}', which no column feeds")
        elif FIELDS.get(field) not in MAPPED_KINDS:
            add(("values", field), f"'{field}' is not a state or enum field; it takes no map")
    for field in sorted(fed):
        if FIELDS.get(field) in MAPPED_KINDS and field not in fmt.values:
            add(
                ("columns", fed[field]),
                f"'{field}' needs a value map under 'values' (every value would be unknown)",
            )
    for field in fmt.row_key:
        if field not in fed:
            add(("row_key",), f"row key field '{field}' is fed by no column")


def _specs(rule: Rule) -> list[tuple[tuple, object]]:
    """(where in the rule, spec) of the rule's deadline and overdue test, those it has."""
    specs: list[tuple[tuple, object]] = []
    if rule.deadline is not None:
        specs.append((("deadline",), rule.deadline))
    if rule.when.overdue:
        specs.append((("when", "overdue"), rule.when.overdue))
    return specs


def _columns_of(rule: Rule) -> list[tuple[tuple, str]]:
    """(where in the rule, order column) of every column the rule names."""
    when = rule.when
    columns = [(("when", "present"), c) for c in when.present]
    columns += [(("when", "absent"), c) for c in when.absent]
    columns += [(("when", "is_true"), c) for c in when.is_true]
    columns += [(("when", "not_true"), c) for c in when.not_true]
    columns += [(("when", "values"), c) for c in when.values]
    if rule.deadline is not None:
        columns += [(("deadline", "from"), c) for c in rule.deadline.from_]
    if when.overdue:
        columns += [(("when", "overdue", "from"), c) for c in when.overdue.from_]
        columns += [(("when", "overdue", "by"), when.overdue.by)] if when.overdue.by else []
    specs = _specs(rule)
    for where, spec in specs:
        if spec.given:
            columns.append(((*where, "given"), spec.given))
        if spec.left:
            for key in ("from", "hours", "days"):
                value = getattr(spec.left, "from_" if key == "from" else key)
                columns += [((*where, "left", key), value)] if value else []
    return columns


def _check_columns(rule: Rule, loc: tuple, add) -> None:
    for where, column in _columns_of(rule):
        if column not in ALL_COLUMNS:
            add((*loc, *where), f"unknown order column '{column}'")
        elif where[-1] in ("is_true", "not_true") and FIELDS.get(column) != "bool":
            add((*loc, *where), f"'{column}' is not a yes/no column")
        elif where[-1] in ("hours", "days") and FIELDS.get(column) != "int":
            add((*loc, *where), f"'{column}' is not a whole-number column")
        elif where[-1] in ("from", "by", "given") and FIELDS.get(column) != "datetime":
            add((*loc, *where), f"'{column}' is not a date-and-time column")


def _check_policies(lib: Library, platform: str, rule: Rule, loc: tuple, add: Add) -> None:
    """Deadlines and overdue tests name a duration policy of the rule set's own platform."""
    policies = lib.policies.get(platform)
    for where, spec in _specs(rule):
        if not is_duration(policies, spec.policy):
            owners = sorted(
                p for p, ps in lib.policies.items() if p != platform and spec.policy in ps.policies
            )
            other = f" (it is a policy of {', '.join(owners)})" if owners else ""
            add(
                (*loc, *where, "policy"),
                f"'{spec.policy}' is not an hours, calendar-days or business-days policy in "
                f"data/policies/{platform}.yaml{other}",
            )


def _check_needs(rules: RuleSet, rule: Rule, loc: tuple, add) -> None:
    """Needs name known facts, and empty columns are read as evidence only when they may be.

    An empty column is only evidence ('absent', 'values', 'is_true', 'not_true', 'by') when a
    needed fact covers it; "needs a look" comes after the rule's own priorities.
    """
    for need in rule.needs:
        if need not in rules.facts:
            add((*loc, "needs"), f"unknown fact '{need}'; facts are {sorted(rules.facts)}")
    covered = {c for need in rule.needs if need in rules.facts for c in rules.facts[need].columns}
    when = rule.when
    evidence = [(("when", "absent"), c) for c in when.absent]
    evidence += [(("when", "values"), c) for c in when.values]
    evidence += [(("when", "is_true"), c) for c in when.is_true]
    evidence += [(("when", "not_true"), c) for c in when.not_true]
    if when.overdue and when.overdue.by:
        evidence.append((("when", "overdue", "by"), when.overdue.by))
    for where, column in evidence:
        if column in ALL_COLUMNS and column not in covered:
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
