"""Checker rules beyond the schema: graph shape, cross-file references, translations.

``python -m playbook check [DIR]`` prints every problem as ``FILE:LINE: path.to.field: message``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from playbook.errors import TemplateError
from playbook.library.library import Library, Problem
from playbook.library.model import Condition, Policy, Scenario, Text, routes
from playbook.scenarios.policies import POLICY_PLACEHOLDER, policy_keys
from playbook.scenarios.templates import placeholders


def check_library(lib: Library) -> list[Problem]:
    """Every cross-file and graph problem in an already schema-checked library."""
    problems: list[Problem] = []
    for scenario in lib.scenarios.values():
        problems.extend(_check_scenario(lib, scenario))
    used: set[str] = {m for s in lib.scenarios.values() for st in s.steps for m in st.messages}
    for template in lib.templates.values():
        file, _ = lib.where("template", template.id)
        for loc, text in (("subject", template.subject), ("body", template.body)):
            for lang in ("en", "zh"):
                value = getattr(text, lang) if text else None
                if value:
                    try:
                        placeholders(value)
                    except TemplateError as exc:
                        _, line = lib.where("template", template.id, (loc, lang))
                        problems.append(Problem(file, f"{loc}.{lang}", exc.render("en"), line))
        if lib.scenarios and template.id not in used:
            problems.append(
                Problem(
                    file,
                    "id",
                    f"template '{template.id}' is not used by any scenario step",
                    lib.where("template", template.id, ("id",))[1],
                )
            )
    for kind, items in (
        ("fact", lib.facts),
        ("root_cause", lib.root_causes),
        ("template", lib.templates),
    ):
        for ident, obj in items.items():
            file, _ = lib.where(kind, ident)
            prefix = "" if kind == "template" else f"{ident}."
            for loc, lang in _missing_translations(obj):
                _, line = lib.where(kind, ident, loc)
                problems.append(
                    Problem(
                        file,
                        prefix + ".".join(map(str, loc)),
                        f"missing translation: no '{lang}' text",
                        line,
                    )
                )
    for platform, ps in lib.policies.items():
        file, _ = lib.where("policy", platform)
        for key, policy in ps.policies.items():
            for loc, lang in _missing_translations(policy):
                _, line = lib.where("policy", platform, ("policies", key, *loc))
                problems.append(
                    Problem(
                        file,
                        f"policies.{key}.{'.'.join(map(str, loc))}",
                        f"missing translation: no '{lang}' text",
                        line,
                    )
                )
    problems.extend(check_policy_sources(lib))
    problems.extend(check_policy_scopes(lib))
    return problems


def _missing_translations(obj: Any, loc: tuple = ()) -> Iterator[tuple[tuple, str]]:
    if isinstance(obj, Text):
        for lang in ("zh", "en"):
            if not getattr(obj, lang):
                yield (*loc, lang), lang
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            value = getattr(obj, name)
            key = type(obj).model_fields[name].alias or name
            yield from _missing_translations(value, (*loc, key))
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            yield from _missing_translations(item, (*loc, i))
    elif isinstance(obj, dict):
        for k, item in obj.items():
            yield from _missing_translations(item, (*loc, k))


@dataclass
class ScenarioCheck:
    """One scenario being checked: what the rules look things up in, and where they report."""

    lib: Library
    sc: Scenario
    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.file, _ = self.lib.where("scenario", self.sc.id)
        self.steps = {s.id for s in self.sc.steps}
        self.fact_ids = {f.id for f in self.sc.facts}
        self.policies = self.lib.policies.get(self.sc.platform)

    @functools.cached_property
    def texts(self) -> list[tuple[tuple, str]]:
        """Every text half of the scenario (:func:`_texts`), walked once for every rule."""
        return list(_texts(self.sc))

    def add(self, loc: tuple, message: str) -> None:
        """Report a problem at ``loc`` (a path into the scenario file)."""
        _, line = self.lib.where("scenario", self.sc.id, loc)
        self.problems.append(Problem(self.file, ".".join(map(str, loc)), message, line))


def _check_scenario(lib: Library, sc: Scenario) -> list[Problem]:
    check = ScenarioCheck(lib, sc)
    for rule in SCENARIO_RULES:
        rule(check)
    if sc.start in check.steps and not check.problems:  # graph rules need a sound graph
        _check_graph(sc, check.add)
    return check.problems


def check_step_ids(c: ScenarioCheck) -> None:
    """Step ids are unique."""
    first: dict[str, int] = {}
    for i, step in enumerate(c.sc.steps):
        if step.id in first:
            c.add(
                ("steps", i, "id"),
                f"duplicate step id '{step.id}' (first at steps.{first[step.id]})",
            )
        first.setdefault(step.id, i)


def check_header(c: ScenarioCheck) -> None:
    """Facts exist, staff can give the required ones, the start step exists, policies exist.

    Facts are defined in data/facts.yaml; one filled by an analyst cannot be required.
    """
    for i, ref in enumerate(c.sc.facts):
        if ref.id not in c.lib.facts:
            c.add(
                ("facts", i, "id"),
                f"unknown fact '{ref.id}'; facts are defined in "
                f"data/facts.yaml: {sorted(c.lib.facts)}",
            )
        elif ref.required and c.lib.facts[ref.id].filled_by != "staff":
            c.add(
                ("facts", i, "required"),
                f"fact '{ref.id}' is filled by {c.lib.facts[ref.id].filled_by}, never asked "
                "of staff: it cannot be required (add `required: false`)",
            )
    if c.sc.start not in c.steps:
        c.add(("start",), f"unknown step '{c.sc.start}'; steps are {sorted(c.steps)}")
    if c.policies is None:
        c.add(
            ("platform",),
            f"scenario platform '{c.sc.platform}' has no data/policies/{c.sc.platform}.yaml; "
            f"platforms are {sorted(c.lib.policies)}",
        )


def check_step_shape(c: ScenarioCheck) -> None:
    """Outcomes end the walk; questions go on through options; other steps through next."""
    for i, step in enumerate(c.sc.steps):
        sloc = ("steps", i)
        if step.kind == "outcome":
            if step.next is not None or step.options:
                c.add(sloc, f"outcome step '{step.id}' ends the walk; remove 'next' and 'options'")
        elif step.kind == "question":
            if not step.options:
                c.add(
                    sloc, f"non-outcome step '{step.id}' has no way on: a question needs options"
                )
            elif all(o.when is not None for o in step.options):
                c.add(
                    (*sloc, "options"),
                    f"step '{step.id}': at least one option needs no "
                    "'when', so there is always a choice",
                )
            if step.next is not None:
                c.add(
                    (*sloc, "next"),
                    f"question step '{step.id}' goes on through its options; remove 'next'",
                )
        else:
            if step.next is None:
                c.add(sloc, f"non-outcome step '{step.id}' has no way on: add 'next'")
            if step.options:
                c.add(
                    (*sloc, "options"),
                    f"{step.kind} step '{step.id}' cannot have options; make it a question",
                )


def check_routes(c: ScenarioCheck) -> None:
    """Option ids are unique; every route leads to a step and the last one has no 'when'."""
    for i, step in enumerate(c.sc.steps):
        sloc = ("steps", i)
        seen: set[str] = set()
        for j, opt in enumerate(step.options):
            if opt.id in seen:
                c.add((*sloc, "options", j, "id"), f"duplicate option id '{opt.id}'")
            seen.add(opt.id)
            _check_cond(c, opt.when, (*sloc, "options", j, "when"))
            _check_next(c, opt.next, (*sloc, "options", j, "next"))
        if step.next is not None:
            _check_next(c, step.next, (*sloc, "next"))


def _check_next(c: ScenarioCheck, next_: Any, loc: tuple) -> None:
    rs = routes(next_)
    for j, route in enumerate(rs):
        rloc = (*loc, j)
        if route.to not in c.steps:
            c.add((*rloc, "to"), f"unknown step '{route.to}'; steps are {sorted(c.steps)}")
        _check_cond(c, route.when, (*rloc, "when"))
    if rs and rs[-1].when is not None:
        c.add(loc, "the last route needs no 'when', so there is always a way on")


def _check_cond(c: ScenarioCheck, cond: Condition | None, loc: tuple) -> None:
    """A condition names only what the scenario has.

    Facts of this scenario, datetime facts for days_since, known steps and options.
    """
    if cond is None:
        return
    for j, sub in enumerate(cond.all or []):
        _check_cond(c, sub, (*loc, "all", j))
    for j, sub in enumerate(cond.any or []):
        _check_cond(c, sub, (*loc, "any", j))
    _check_cond(c, cond.not_, (*loc, "not"))
    for attr in ("fact", "days_since"):
        fid = getattr(cond, attr)
        if fid and fid not in c.fact_ids:
            c.add(
                (*loc, attr),
                f"unknown fact '{fid}'; this scenario's facts are {sorted(c.fact_ids)}",
            )
        elif fid and attr == "days_since" and _fact_type(c, fid) not in (None, "datetime"):
            c.add((*loc, attr), f"fact '{fid}' is not a datetime")
    for attr in ("answer", "visited"):
        sid = getattr(cond, attr)
        if sid and sid not in c.steps:
            c.add((*loc, attr), f"unknown step '{sid}'; steps are {sorted(c.steps)}")
    if cond.answer and cond.answer in c.steps:
        opts = {o.id for o in c.sc.step(cond.answer).options}
        for value in [cond.eq, cond.ne, *(cond.in_ or [])]:
            if value is not None and str(value) not in opts:
                c.add(
                    (*loc, "answer"),
                    f"step '{cond.answer}' has no option '{value}'; options are {sorted(opts)}",
                )


def _fact_type(c: ScenarioCheck, fact_id: str) -> str | None:
    fact = c.lib.facts.get(fact_id)
    return fact.type if fact else None


def check_deadlines(c: ScenarioCheck) -> None:
    """A deadline names a duration policy of the platform and a datetime fact."""
    for i, step in enumerate(c.sc.steps):
        for j, ref in enumerate(step.deadlines):
            dloc = ("steps", i, "deadlines", j)
            known = c.policies.policies if c.policies is not None else None
            if known is not None and ref.policy not in known:
                c.add(
                    (*dloc, "policy"),
                    f"unknown policy key '{ref.policy}'; keys in "
                    f"data/policies/{c.sc.platform}.yaml are {sorted(known)}"
                    + _elsewhere(c, ref.policy),
                )
            elif known is not None and not known[ref.policy].is_duration:
                c.add(
                    (*dloc, "policy"),
                    f"policy '{ref.policy}' is not a duration (unit '{known[ref.policy].unit}')",
                )
            if ref.from_ not in c.fact_ids:
                c.add(
                    (*dloc, "from"),
                    f"unknown fact '{ref.from_}'; this scenario's facts are {sorted(c.fact_ids)}",
                )
            elif _fact_type(c, ref.from_) not in (None, "datetime"):
                c.add((*dloc, "from"), f"fact '{ref.from_}' is not a datetime")


def _elsewhere(c: ScenarioCheck, key: str) -> str:
    """' (it is a policy of wish)' when another platform's file has the key, else ''."""
    owners = sorted(
        p for p, ps in c.lib.policies.items() if p != c.sc.platform and key in ps.policies
    )
    if not owners:
        return ""
    return f" (it is a policy of {', '.join(owners)}, not of {c.sc.platform})"


def check_messages(c: ScenarioCheck) -> None:
    """Templates exist, fit the scenario's platform, and every placeholder is its fact."""
    for i, step in enumerate(c.sc.steps):
        for j, tid in enumerate(step.messages):
            loc = ("steps", i, "messages", j)
            template = c.lib.templates.get(tid)
            if template is None:
                c.add(loc, f"unknown template '{tid}'; templates are {sorted(c.lib.templates)}")
                continue
            if template.platform is not None and template.platform != c.sc.platform:
                c.add(
                    loc,
                    f"template '{tid}' is for platform '{template.platform}', not "
                    f"'{c.sc.platform}'",
                )
            for name in sorted(_template_placeholders(template) - c.fact_ids):
                c.add(
                    loc,
                    f"template '{tid}' placeholder '{{{name}}}' cannot be filled: '{name}' is "
                    f"not a fact of this scenario ({sorted(c.fact_ids)})",
                )


def _template_placeholders(template: Any) -> set[str]:
    names: set[str] = set()
    for text in (template.subject, template.body):
        for lang in ("en", "zh"):
            try:
                names.update(placeholders(getattr(text, lang) or "") if text else [])
            except TemplateError:
                continue  # reported on the template itself
    return names


def check_root_causes(c: ScenarioCheck) -> None:
    """Root-cause tags exist in data/root_causes.yaml."""
    for i, step in enumerate(c.sc.steps):
        for j, tag in enumerate(step.root_causes):
            if tag not in c.lib.root_causes:
                c.add(
                    ("steps", i, "root_causes", j),
                    f"unknown root cause '{tag}'; root causes are {sorted(c.lib.root_causes)}",
                )


def check_translations(c: ScenarioCheck) -> None:
    """Every text has both languages."""
    for loc, lang in _missing_translations(c.sc):
        c.add(loc, f"missing translation: no '{lang}' text")


# --- policies: sources, placeholders, numbers typed by hand --------------------------------

URL = re.compile(r"^https?://[^\s/]+\.[^\s]+$")


def check_policy_sources(lib: Library) -> list[Problem]:
    """Every rule names the page its number comes from (a URL) and that page's date.

    A rule may say ``undated`` instead of the date; a rule with no source at all must say
    ``confidence: unverified``.
    """
    problems = []
    for platform, ps in lib.policies.items():
        file, _ = lib.where("policy", platform)
        for key, policy in ps.policies.items():
            found = [*_source_problems(policy), *_scope_problems(lib, policy)]
            for where, message in found:
                _, line = lib.where("policy", platform, ("policies", key, *where.split(".")))
                problems.append(Problem(file, f"policies.{key}.{where}", message, line))
    return problems


def _scope_problems(lib: Library, policy: Policy) -> Iterator[tuple[str, str]]:
    """``checked_on`` is given; ``applies_to`` names case facts and values they can have."""
    if policy.checked_on is None:
        yield (
            "checked_on",
            "no checked_on: give the date (YYYY-MM-DD) someone last compared this entry with "
            "its source",
        )
    elif isinstance(policy.source_date, dt.date) and policy.checked_on < policy.source_date:
        yield "checked_on", "checked_on is earlier than the source's own date"
    for fact, values in policy.applies_to.items():
        definition = lib.facts.get(fact)
        if definition is None:
            yield (
                f"applies_to.{fact}",
                f"unknown fact '{fact}'; facts are defined in data/facts.yaml",
            )
            continue
        choices = {c.id for c in definition.choices}
        if not values:
            yield f"applies_to.{fact}", "no values: list the values the rule applies to"
        for value in values:
            if choices and str(value) not in choices:
                yield (
                    f"applies_to.{fact}",
                    f"'{value}' is not a choice of fact '{fact}' ({sorted(choices)})",
                )


def _source_problems(policy: Policy) -> Iterator[tuple[str, str]]:
    if not policy.source:
        if policy.confidence != "unverified":
            yield (
                "source",
                "no source URL; give the address of the page the number comes from, "
                "or mark the rule 'confidence: unverified'",
            )
        return
    if not URL.match(policy.source):
        yield "source", f"source '{policy.source}' is not a URL (http:// or https://)"
    if policy.source_date is None:
        yield (
            "source_date",
            "no source date; give the date shown on the source (YYYY-MM-DD), "
            "or 'undated' if it shows none",
        )


def check_deadline_conditions(c: ScenarioCheck) -> None:
    """A deadline's or a note's ``when`` names facts, steps and options that exist."""
    for i, step in enumerate(c.sc.steps):
        for j, ref in enumerate(step.deadlines):
            _check_cond(c, ref.when, ("steps", i, "deadlines", j, "when"))
        for j, note in enumerate(step.notes):
            _check_cond(c, note.when, ("steps", i, "notes", j, "when"))


def _facts_tested(cond: Condition | None) -> set[str]:
    if cond is None:
        return set()
    found = {cond.fact} if cond.fact else set()
    for sub in [*(cond.all or []), *(cond.any or []), cond.not_]:
        found |= _facts_tested(sub)
    return found


def check_deadline_scope(c: ScenarioCheck) -> None:
    """A deadline of a rule that applies only to some cases says when it applies.

    When its policy's ``applies_to`` names a fact this scenario asks for (e.g.
    ``fulfilment_channel: [mfn]``), its ``when`` tests that fact, so the deadline is not shown
    on a case the rule is not about.
    """
    if c.policies is None:
        return
    for i, step in enumerate(c.sc.steps):
        for j, ref in enumerate(step.deadlines):
            policy = c.policies.policies.get(ref.policy)
            if policy is None:
                continue
            scoped = sorted(set(policy.applies_to) & c.fact_ids - _facts_tested(ref.when))
            for fact in scoped:
                c.add(
                    ("steps", i, "deadlines", j, "when"),
                    f"policy '{ref.policy}' applies only where {fact} is one of "
                    f"{policy.applies_to[fact]}; test '{fact}' in this deadline's 'when'",
                )


def check_policy_scopes(lib: Library) -> list[Problem]:
    """A policy's ``applies_to`` names facts of data/facts.yaml and, for choices, their ids."""
    problems = []
    for platform, ps in lib.policies.items():
        file, _ = lib.where("policy", platform)
        for key, policy in ps.policies.items():
            for fact_id, values in policy.applies_to.items():
                _, line = lib.where("policy", platform, ("policies", key, "applies_to", fact_id))
                fact = lib.facts.get(fact_id)
                where = f"policies.{key}.applies_to.{fact_id}"
                if fact is None:
                    if lib.facts:
                        problems.append(
                            Problem(
                                file, where, f"unknown fact '{fact_id}' (data/facts.yaml)", line
                            )
                        )
                    continue
                offered = {ch.id for ch in fact.choices}
                for value in values:
                    if fact.type == "choice" and value not in offered:
                        problems.append(
                            Problem(
                                file,
                                where,
                                f"'{value}' is not a choice of fact '{fact_id}'; choices are "
                                f"{sorted(offered)}",
                                line,
                            )
                        )
    return problems


def _texts(obj: Any, loc: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """Every text half in a scenario, as ``(path, text)`` (path ends with the language)."""
    if isinstance(obj, Text):
        for lang in ("zh", "en"):
            if getattr(obj, lang):
                yield (*loc, lang), getattr(obj, lang)
    elif isinstance(obj, BaseModel):
        for name, info in type(obj).model_fields.items():
            yield from _texts(getattr(obj, name), (*loc, info.alias or name))
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            yield from _texts(item, (*loc, i))


def check_policy_placeholders(c: ScenarioCheck) -> None:
    """Every ``{policy:KEY}`` names a policy of the scenario's platform."""
    if c.policies is None:
        return
    known = c.policies.policies
    for loc, value in c.texts:
        for key in policy_keys(value):
            if key not in known:
                c.add(
                    loc,
                    f"unknown policy '{key}' in '{{policy:{key}}}'; keys in "
                    f"data/policies/{c.sc.platform}.yaml are {sorted(known)}" + _elsewhere(c, key),
                )


_NUMBER = r"(\d[\d,]*(?:\.\d+)?)"
# (pattern, kind, multiplier to the kind's unit): a number typed with a unit, in en or zh.
TYPED_NUMBERS: list[tuple[re.Pattern[str], str, float]] = [
    (re.compile(_NUMBER + r"[ -]?(?:hours?|hrs?|h)\b"), "hours", 1),
    (re.compile(_NUMBER + r"[ -]?(?:business|working)[ -]days?\b"), "business_days", 1),
    (re.compile(_NUMBER + r"[ -]?(?:calendar[ -])?days?\b"), "hours", 24),
    (re.compile(_NUMBER + r"\s*(?:个)?小时"), "hours", 1),
    (re.compile(_NUMBER + r"\s*(?:个)?工作日"), "business_days", 1),
    (re.compile(_NUMBER + r"\s*(?:个)?(?:自然日|天)"), "hours", 24),
    (re.compile(r"(?:US)?\$\s?" + _NUMBER), "usd", 1),
    (re.compile(_NUMBER + r"\s*(?:美元|美金|USD\b)"), "usd", 1),
    (re.compile(_NUMBER + r"\s*%"), "percent", 1),
]
_DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
_DIGIT = re.compile(r"\d")
_POLICY_KIND = {
    "hours": ("hours", 1),
    "calendar_days": ("hours", 24),
    "business_days": ("business_days", 1),
    "usd": ("usd", 1),
    "percent": ("percent", 1),
}


def typed_numbers(value: str) -> Iterator[tuple[str, str, float | str]]:
    """Numbers with a unit typed into ``value`` (``{policy:KEY}`` placeholders aside).

    Each as ``(as typed, kind, amount)``; days count as 24 hours so "7 days" equals "168 hours".
    """
    if not _DIGIT.search(value):
        return  # most texts have no number at all
    value = POLICY_PLACEHOLDER.sub(" ", value)
    taken: list[tuple[int, int]] = []
    for pattern, kind, factor in TYPED_NUMBERS:
        for m in pattern.finditer(value):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            taken.append(m.span())
            yield m.group(0), kind, float(m.group(1).replace(",", "")) * factor
    for m in _DATE.finditer(value):
        yield m.group(0), "date", m.group(1)


def policy_amounts(policies: dict[str, Policy]) -> dict[tuple[str, float | str], list[str]]:
    """Each policy's number as ``(kind, amount)`` (days as hours), with the keys that have it."""
    out: dict[tuple[str, float | str], list[str]] = {}
    for key, policy in policies.items():
        if policy.unit == "date":
            out.setdefault(("date", str(policy.value)), []).append(key)
        elif policy.unit in _POLICY_KIND:
            try:
                number = float(policy.value)
            except ValueError:
                continue
            kind, factor = _POLICY_KIND[policy.unit]
            out.setdefault((kind, number * factor), []).append(key)
    return out


def check_typed_policy_numbers(c: ScenarioCheck) -> None:
    """No step text types a policy's number by hand: it goes stale when the policy changes."""
    if c.policies is None:
        return
    amounts = policy_amounts(c.policies.policies)
    for loc, value in c.texts:
        for typed, kind, amount in typed_numbers(value):
            keys = amounts.get((kind, amount))
            if not keys:
                continue
            names = ", ".join(f"'{k}'" for k in keys)
            use = " or ".join(f"{{policy:{k}}}" for k in keys)
            label = "policy" if len(keys) == 1 else "policies"
            c.add(
                loc,
                f"'{typed}' types the number of {label} {names} by hand; write {use} instead, "
                "so the text follows the policy file",
            )


# --- scope: a rule is used only where the case is one it is about ----------------------------

Scope = dict[str, frozenset[str]]  # fact -> the values it is known to have; absent = anything


def implied(cond: Condition | None, lib: Library | None = None) -> Scope:
    """What ``cond`` holding says about the case's facts (only what it says for sure).

    >>> implied(Condition.model_validate({"all": [{"fact": "a", "eq": "yes"},
    ...                                           {"fact": "b", "in": ["x", "y"]}]}))
    {'a': frozenset({'yes'}), 'b': frozenset({'x', 'y'})}
    """
    if cond is None:
        return {}
    if cond.all is not None:
        out: Scope = {}
        for sub in cond.all:
            for fact, values in implied(sub, lib).items():
                out[fact] = out[fact] & values if fact in out else values
        return out
    if cond.any is not None:
        branches = [implied(sub, lib) for sub in cond.any]
        common = set.intersection(*(set(b) for b in branches)) if branches else set()
        return {f: frozenset().union(*(b[f] for b in branches)) for f in sorted(common)}
    if cond.fact and cond.eq is not None:
        return {cond.fact: frozenset({str(cond.eq)})}
    if cond.fact and cond.in_ is not None:
        return {cond.fact: frozenset(str(v) for v in cond.in_)}
    if cond.fact and cond.ne is not None and lib is not None and cond.fact in lib.facts:
        choices = {c.id for c in lib.facts[cond.fact].choices}
        if choices:
            return {cond.fact: frozenset(choices - {str(cond.ne)})}
    return {}


def _and(a: Scope, b: Scope) -> Scope:
    out = dict(a)
    for fact, values in b.items():
        out[fact] = out[fact] & values if fact in out else values
    return out


def _or(a: Scope, b: Scope) -> Scope:
    return {f: a[f] | b[f] for f in a.keys() & b.keys()}


def step_scopes(sc: Scenario, lib: Library | None = None) -> dict[str, Scope]:
    """For each step, what every way to it from the start says about the facts.

    Those are the route and option conditions on the way; a step no way reaches is left out.
    """
    edges: list[tuple[str, str, Scope]] = []
    for step in sc.steps:
        for opt in step.options:
            for route in routes(opt.next):
                edges.append(
                    (step.id, route.to, _and(implied(opt.when, lib), implied(route.when, lib)))
                )
        for route in routes(step.next):
            edges.append((step.id, route.to, implied(route.when, lib)))
    scopes: dict[str, Scope] = {sc.start: {}}
    changed = True
    while changed:
        changed = False
        for src, dst, cond in edges:
            if src not in scopes or dst == sc.start or not sc.has_step(dst):
                continue
            arriving = _and(scopes[src], cond)
            new = arriving if dst not in scopes else _or(scopes[dst], arriving)
            if new != scopes.get(dst):
                scopes[dst] = new
                changed = True
    return scopes


def out_of_scope(policy: Policy, scope: Scope) -> list[str]:
    """The facts of the rule's ``applies_to`` that ``scope`` does not pin to allowed values."""
    return [
        fact
        for fact, allowed in policy.applies_to.items()
        if fact not in scope or not scope[fact] <= {str(v) for v in allowed}
    ]


def check_policy_scope(c: ScenarioCheck) -> None:
    """A rule with ``applies_to`` appears only where every way in has those fact values.

    The rule is a deadline or ``{policy:KEY}`` in a text; the values come from a route's or
    option's ``when`` on the way, or the deadline's own ``when``.
    """
    if c.policies is None:
        return
    known = c.policies.policies
    scopes = step_scopes(c.sc, c.lib)

    def report(loc: tuple, key: str, scope: Scope, what: str) -> None:
        policy = known.get(key)
        if policy is None or not policy.applies_to:
            return
        missing = out_of_scope(policy, scope)
        if not missing:
            return
        wanted = ", ".join(f"{f} in {policy.applies_to[f]}" for f in missing)
        absent = [f for f in missing if f not in c.fact_ids]
        hint = (
            f"add the fact{'s' if len(absent) > 1 else ''} {absent} to the scenario and "
            if absent
            else ""
        )
        c.add(
            loc,
            f"{what} names '{key}', which applies only where {wanted} "
            f"(data/policies/{c.sc.platform}.yaml applies_to), but the step can be reached "
            f"without that: {hint}put a condition on it on every way here (a route's or an "
            "option's `when`, or the deadline's own `when`), or say what to check instead",
        )

    for i, step in enumerate(c.sc.steps):
        if step.id not in scopes:
            continue  # unreachable: reported by the graph rules
        here = scopes[step.id]
        for j, ref in enumerate(step.deadlines):
            scope = _and(here, implied(ref.when, c.lib))
            report(("steps", i, "deadlines", j, "policy"), ref.policy, scope, "the deadline")
            for loc, value in _texts(ref.label, ("steps", i, "deadlines", j, "label")):
                for key in policy_keys(value):
                    report(loc, key, scope, "the text")
        for j, opt in enumerate(step.options):
            scope = _and(here, implied(opt.when, c.lib))
            for loc, value in _texts(opt, ("steps", i, "options", j)):
                for key in policy_keys(value):
                    report(loc, key, scope, "the option")
        for j, note in enumerate(step.notes):
            scope = _and(here, implied(note.when, c.lib))
            for loc, value in _texts(note.text, ("steps", i, "notes", j, "text")):
                for key in policy_keys(value):
                    report(loc, key, scope, "the note")
        for name in ("title", "text", "guidance", "actions", "evidence"):
            for loc, value in _texts(getattr(step, name), ("steps", i, name)):
                for key in policy_keys(value):
                    report(loc, key, here, "the text")
    for name in ("title", "summary"):
        for loc, value in _texts(getattr(c.sc, name), (name,)):
            for key in policy_keys(value):
                report(loc, key, {}, "the text")


# Run in this order on every scenario; add a rule by writing a function and listing it here.
SCENARIO_RULES: list[Callable[[ScenarioCheck], None]] = [
    check_step_ids,
    check_header,
    check_step_shape,
    check_routes,
    check_deadlines,
    check_messages,
    check_root_causes,
    check_translations,
    check_deadline_conditions,
    check_deadline_scope,
    check_policy_placeholders,
    check_typed_policy_numbers,
    check_policy_scope,
]


def _check_graph(sc: Scenario, add: Callable[[tuple, str], None]) -> None:
    """Unreachable steps, and steps from which no outcome can be reached (loops with no exit)."""
    edges: dict[str, set[str]] = {}
    for step in sc.steps:
        nexts = {r.to for o in step.options for r in routes(o.next)}
        edges[step.id] = nexts | {r.to for r in routes(step.next)}
    reached = {sc.start}
    todo = [sc.start]
    while todo:
        for n in edges[todo.pop()] - reached:
            reached.add(n)
            todo.append(n)
    index = {s.id: i for i, s in enumerate(sc.steps)}
    for step in sc.steps:
        if step.id not in reached:
            add(
                ("steps", index[step.id], "id"),
                f"step '{step.id}' is not reached by any path from '{sc.start}'",
            )
    # Steps from which some outcome can be reached (walk the edges backwards).
    can_end = {s.id for s in sc.steps if s.kind == "outcome"}
    changed = True
    while changed:
        changed = False
        for sid, nexts in edges.items():
            if sid not in can_end and nexts & can_end:
                can_end.add(sid)
                changed = True
    for step in sc.steps:
        if step.id in reached and step.id not in can_end:
            add(
                ("steps", index[step.id], "id"),
                f"step '{step.id}' is in a loop with no exit: no path from it reaches an outcome",
            )
