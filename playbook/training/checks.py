"""Checker rules for practice cases (data/training/*.yaml), one function per rule.

Run by ``python -m playbook check`` after the scenarios are loaded; each problem names the
practice file, line and field. The last rule walks the scenario with the stated answers and
reports where they contradict it (an answer not offered there, a step the facts route around,
a different outcome).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from playbook.errors import FactError
from playbook.library.library import Library, Problem
from playbook.library.model import Scenario, Text
from playbook.library.practice import PracticeCase
from playbook.scenarios.engine import Walk
from playbook.scenarios.facts import parse_fact, parse_facts
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


# Run in this order on every practice case; add a rule by writing a function and listing it.
PRACTICE_RULES: list[Callable[[PracticeCheck], None]] = [
    check_scenario_version,
    check_vignette,
    check_questions,
    check_practice_translations,
    check_expected_path,
]
# Rules whose problems make the later ones meaningless.
STOP_AFTER = {check_questions}
