"""Checker rules for practice cases (data/training/*.yaml), one function per rule.

Run by ``python -m playbook check`` after the scenarios are loaded; each problem names the
practice file, line and field. The last rule walks the scenario with the stated answers and
reports where they contradict it (an answer not offered there, a step the facts route around,
a different outcome).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from playbook.errors import FactError
from playbook.library.library import Library, Problem
from playbook.library.model import Scenario, Text
from playbook.library.practice import OptionFeedback, PracticeCase
from playbook.scenarios.checks import policy_amounts, typed_numbers
from playbook.scenarios.engine import Walk
from playbook.scenarios.facts import parse_fact, parse_facts
from playbook.scenarios.policies import policy_keys
from playbook.scenarios.templates import render
from playbook.training.items import SEEN_AT, trace_expected


@dataclass
class PracticeCheck:
    """One practice case being checked, and where its rules report."""

    lib: Library
    case: PracticeCase
    problems: list[Problem] = field(default_factory=list)
    scenario: Scenario | None = None
    facts: dict | None = None
    seen_at: dt.datetime | None = None

    def add(self, loc: tuple, message: str) -> None:
        """Report a problem at ``loc`` (a path into the practice file)."""
        file, line = self.lib.where("practice", self.case.id, loc)
        self.problems.append(Problem(file, ".".join(map(str, loc)), message, line))


def check_practice_cases(lib: Library) -> list[Problem]:
    """Every problem of every practice case (empty when there are none)."""
    problems: list[Problem] = []
    for case in lib.practice.values():
        check = PracticeCheck(lib, case)
        for rule in PRACTICE_RULES:
            rule(check)
            if check.problems and rule in STOP_AFTER:
                break
        problems.extend(check.problems)
    return problems


def check_scenario_version(c: PracticeCheck) -> None:
    """The scenario exists and is not older than the case.

    A case written for an older version stays valid as long as its answers still walk the
    scenario (the last rule).
    """
    scenario = c.lib.scenarios.get(c.case.scenario)
    if scenario is None:
        c.add(
            ("scenario",),
            f"unknown scenario '{c.case.scenario}'; scenarios are {sorted(c.lib.scenarios)}",
        )
        return
    if c.case.version > scenario.version:
        c.add(
            ("version",),
            f"written for version {c.case.version} of '{scenario.id}', which "
            f"is only at version {scenario.version}",
        )
    c.scenario = scenario


def check_vignette(c: PracticeCheck) -> None:
    """The vignette's facts are the scenario's, typed as the staff form would accept them."""
    if c.scenario is None:
        return
    try:
        c.seen_at = parse_fact(SEEN_AT, c.case.vignette.seen_at)
    except FactError:
        c.seen_at = None
    if c.seen_at is None:
        c.add(("vignette", "seen_at"), f"not a date and time: '{c.case.vignette.seen_at}'")
    known = {f.id for f in c.scenario.facts}
    for fid in sorted(set(c.case.vignette.facts) - known):
        c.add(
            ("vignette", "facts", fid),
            f"'{fid}' is not a fact of '{c.scenario.id}' ({sorted(known)})",
        )
    facts, errors = parse_facts(c.scenario, c.lib.facts, c.case.vignette.facts)
    for fid, err in errors.items():
        c.add(("vignette", "facts", fid), err.render("en"))
    c.facts = facts if not errors else None


def check_questions(c: PracticeCheck) -> None:
    """Each answer is a question step's option, with feedback for every option.

    The feedback names known policy keys only.
    """
    if c.scenario is None:
        return
    policies = c.lib.policies.get(c.scenario.platform)
    seen: set[str] = set()
    for i, q in enumerate(c.case.questions):
        loc = ("questions", i)
        if q.step in seen:
            c.add((*loc, "step"), f"step '{q.step}' is asked twice")
        seen.add(q.step)
        if not c.scenario.has_step(q.step):
            c.add((*loc, "step"), f"unknown step '{q.step}' of '{c.scenario.id}'")
            continue
        step = c.scenario.step(q.step)
        if step.kind != "question":
            c.add((*loc, "step"), f"step '{q.step}' is a {step.kind} step, not a question")
            continue
        options = [o.id for o in step.options]
        if q.answer not in options:
            c.add((*loc, "answer"), f"'{q.answer}' is not an option of '{q.step}' ({options})")
        for opt in sorted(set(options) - set(q.feedback)):
            c.add((*loc, "feedback"), f"no feedback for option '{opt}'")
        for opt, fb in q.feedback.items():
            if opt not in options:
                c.add((*loc, "feedback", opt), f"'{opt}' is not an option of '{q.step}'")
            if fb.policy and (policies is None or fb.policy not in policies.policies):
                c.add((*loc, "feedback", opt, "policy"), f"unknown policy key '{fb.policy}'")


def check_practice_translations(c: PracticeCheck) -> None:
    """Every text of the case has both languages."""
    texts: list[tuple[tuple, Text]] = [(("title",), c.case.title)]
    texts.append((("vignette", "message"), c.case.vignette.message))
    for i, q in enumerate(c.case.questions):
        texts += [
            (("questions", i, "feedback", o, "text"), fb.text) for o, fb in q.feedback.items()
        ]
    for loc, value in texts:
        for lang in ("zh", "en"):
            if not getattr(value, lang):
                c.add((*loc, lang), f"missing translation: no '{lang}' text")


def check_expected_path(c: PracticeCheck) -> None:
    """The stated answers walk the scenario from the facts to the stated outcome."""
    if c.scenario is None or c.facts is None or c.seen_at is None:
        return
    scenario, facts, seen_at = c.scenario, c.facts, c.seen_at
    policies = c.lib.policies[scenario.platform].policies

    def new_walk() -> Walk:
        return Walk(scenario, facts, seen_at, policies)

    if not scenario.has_step(c.case.outcome) or scenario.step(c.case.outcome).kind != "outcome":
        c.add(("outcome",), f"'{c.case.outcome}' is not an outcome step of '{scenario.id}'")
        return
    _, problems = trace_expected(scenario, c.case, new_walk)
    for loc, message in problems:
        c.add(loc, message)


def _feedback(c: PracticeCheck) -> Iterator[tuple[tuple, OptionFeedback]]:
    for i, q in enumerate(c.case.questions):
        for option, fb in q.feedback.items():
            yield ("questions", i, "feedback", option), fb


def check_feedback_rules(c: PracticeCheck) -> None:
    """A feedback cites only rules whose scope fits the vignette, and types no rule's number.

    The scope is ``applies_to`` against the vignette's facts; numbers come from
    ``{policy:KEY}``, which follows the policy file.
    """
    if c.scenario is None or c.facts is None:
        return
    ps = c.lib.policies.get(c.scenario.platform)
    if ps is None:
        return
    amounts = policy_amounts(ps.policies)
    for loc, fb in _feedback(c):
        keys = [(("policy",), fb.policy)] if fb.policy else []
        for lang in ("en", "zh"):
            keys += [(("text", lang), k) for k in policy_keys(fb.text.get(lang))]
        for where, key in keys:
            policy = ps.policies.get(key)
            if policy is None:
                continue
            wrong = [
                f"{fact} in {allowed}"
                for fact, allowed in policy.applies_to.items()
                if str(c.facts.get(fact, "")) not in {str(v) for v in allowed}
            ]
            if wrong:
                c.add(
                    (*loc, *where),
                    f"'{key}' applies only where {', '.join(wrong)}; the vignette's facts do "
                    "not say so: give the vignette that fact, or cite the rule that decides "
                    "this case",
                )
        for lang in ("en", "zh"):
            for typed, kind, amount in typed_numbers(fb.text.get(lang)):
                found = amounts.get((kind, amount))
                if found:
                    use = " or ".join(f"{{policy:{k}}}" for k in found)
                    c.add(
                        (*loc, "text", lang),
                        f"'{typed}' types a rule's number by hand; write {use} instead",
                    )


# Dates ("2026-11-08" or "2026-11-08 16:40") and money ("USD 22.00", "$22", "22.00 美元") the
# vignette, its drafts and its feedback state.
_WHEN = re.compile(r"\b(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}))?")
_MONEY = re.compile(
    r"(?:USD|US\$|\$)\s?(\d[\d,]*(?:\.\d+)?)|(\d[\d,]*(?:\.\d+)?)\s?(?:USD\b|美元)"
)


def stated(text: str) -> tuple[set[str], set[float]]:
    """The dates (with their time when given) and money amounts written in ``text``."""
    whens = {m.group(1) + (" " + m.group(2) if m.group(2) else "") for m in _WHEN.finditer(text)}
    money = {float((m.group(1) or m.group(2)).replace(",", "")) for m in _MONEY.finditer(text)}
    return whens, money


def _fact_values(facts: dict) -> tuple[set[str], set[float]]:
    whens: set[str] = set()
    money: set[float] = set()
    for value in facts.values():
        if isinstance(value, dt.datetime):
            shown = value.astimezone(dt.UTC)
            whens |= {shown.strftime("%Y-%m-%d"), shown.strftime("%Y-%m-%d %H:%M")}
        elif isinstance(value, dt.date):
            whens.add(value.isoformat())
        elif isinstance(value, Decimal):
            money.add(float(value))
    return whens, money


def check_vignette_matches_drafts(c: PracticeCheck) -> None:
    """The vignette, the drafts the trainee is taught to send and the feedback agree.

    Every date and amount the vignette's message states is one of its facts (so a draft,
    which is filled from the facts, can say it); every draft on the expected path is filled
    (no "[Label]" gap) and states only the vignette's dates and amounts; a feedback states
    no date or amount the vignette does not give.
    """
    if c.scenario is None or c.facts is None or c.seen_at is None:
        return
    scenario, facts, seen_at = c.scenario, c.facts, c.seen_at
    policies = c.lib.policies[scenario.platform].policies
    fact_whens, fact_money = _fact_values(facts)
    message = c.case.vignette.message
    msg_whens: set[str] = set()
    msg_money: set[float] = set()
    for lang in ("en", "zh"):
        whens, money = stated(message.get(lang))
        msg_whens |= whens
        msg_money |= money
        for when in sorted(whens - fact_whens):
            c.add(
                ("vignette", "message", lang),
                f"the message states {when}, which is none of the case facts: give it as a "
                "fact (drafts are filled from the facts, so they cannot say it otherwise)",
            )
        for amount in sorted(money - fact_money):
            c.add(
                ("vignette", "message", lang),
                f"the message states the amount {amount:.2f}, which is none of the case facts",
            )
    known_whens, known_money = fact_whens | msg_whens, fact_money | msg_money
    walk, problems = trace_expected(
        scenario, c.case, lambda: Walk(scenario, facts, seen_at, policies)
    )
    if problems:
        return  # reported by check_expected_path
    for sid in dict.fromkeys(walk.path):
        for tid in scenario.step(sid).messages:
            template = c.lib.templates.get(tid)
            if template is None:
                continue
            for lang in ("en", "zh"):
                draft = render(template, facts, c.lib.facts, lang)
                if draft.missing:
                    c.add(
                        ("vignette", "facts"),
                        f"the draft '{tid}' at step '{sid}' of the expected path has gaps "
                        f"({', '.join(draft.missing)}): give the vignette those facts",
                    )
                    break
                whens, money = stated(draft.subject + "\n" + draft.body)
                extra = sorted(whens - known_whens) + [f"{m:.2f}" for m in money - known_money]
                if extra:
                    c.add(
                        ("vignette",),
                        f"the draft '{tid}' at step '{sid}' states {extra}, which the vignette "
                        "does not give",
                    )
    for loc, fb in _feedback(c):
        for lang in ("en", "zh"):
            whens, money = stated(fb.text.get(lang))
            extra = sorted(whens - known_whens) + [f"{m:.2f}" for m in money - known_money]
            if extra:
                c.add(
                    (*loc, "text", lang),
                    f"the feedback states {extra}, which the vignette does not give",
                )


# Run in this order on every practice case; add a rule by writing a function and listing it.
PRACTICE_RULES: list[Callable[[PracticeCheck], None]] = [
    check_scenario_version,
    check_vignette,
    check_questions,
    check_practice_translations,
    check_expected_path,
    check_feedback_rules,
    check_vignette_matches_drafts,
]
# Rules whose problems make the later ones meaningless.
STOP_AFTER = {check_questions}
