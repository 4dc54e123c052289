"""What a trainee is asked: the expected path of a practice case and the items on each step.

At every step the trainee reaches there are, in order, the generated questions of that step
(``deadline``: "by when?", answered by the policy engine from the vignette's dates;
``evidence``: "which evidence is required here?", from the step's evidence list) and then the
step itself (a question of the scenario, or an action/info step to read and continue).
The expected path is the engine's walk with the expected answers, so routes that depend on
facts are followed as the engine would follow them. Pure Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from playbook.errors import StepNotAllowed
from playbook.i18n import text
from playbook.library.library import Library
from playbook.library.model import (
    DURATION_UNITS,
    DeadlineRef,
    EvidenceItem,
    FactDef,
    Policy,
    Scenario,
    Step,
    Text,
)
from playbook.library.practice import PracticeCase
from playbook.scenarios.engine import Walk
from playbook.scenarios.facts import format_fact, parse_fact, parse_facts
from playbook.scenarios.policies import add_duration, policy_text

SEEN_AT = FactDef(id="seen_at", type="datetime", label=Text(zh="查看时间", en="Seen at"))
MAX_STEPS = 200  # an expected walk longer than this is a loop the answers never leave
DEADLINE, EVIDENCE, STEP = "deadline", "evidence", "step"


@dataclass(frozen=True)
class Choice:
    """One option of an item, with what choosing it scores and the feedback shown."""

    id: str
    text: Text
    correct: bool | None  # None: nothing is expected here (off the expected path)
    points: int
    feedback: Text
    policy: str | None = None


@dataclass(frozen=True)
class Item:
    """One thing the trainee answers: a generated question or the step itself.

    ``key`` is ``step-id`` for the step, ``step-id#deadline:policy`` or ``step-id#evidence``
    for a generated question. ``scored``: on the expected path, so its points count.
    """

    key: str
    step: Step
    kind: str  # DEADLINE, EVIDENCE or STEP
    prompt: Text | None
    choices: list[Choice]
    scored: bool
    # The step as the trainee reads it, its {policy:KEY} numbers filled in.
    title: Text = Text()
    body: Text = Text()
    actions: tuple[Text, ...] = ()

    @property
    def max_points(self) -> int:
        """The most this item can score."""
        return max((c.points for c in self.choices), default=0) if self.scored else 0

    def choice(self, option_id: str | None) -> Choice | None:
        """The choice with ``option_id`` (None: not offered)."""
        return next((c for c in self.choices if c.id == option_id), None)


def both(key: str, **params: Any) -> Text:
    """A catalogue text in both languages, with ``Text`` parameters taken per language."""
    out = {}
    for lang in ("zh", "en"):
        values = {k: v.get(lang) if isinstance(v, Text) else v for k, v in params.items()}
        out[lang] = text(key, lang, **values)
    return Text(**out)


def rule_citation(policy: Policy, lang: str) -> str:
    """The line under a feedback naming the rule that decides it.

    Its title, address and page date ("not shown on the page" for an undated page), never its key.
    """
    when = policy.source_date
    date = text("ui.t.no_date", lang) if when in (None, "undated") else str(when)
    title = policy.source_title or policy.summary.get(lang)
    return text("ui.t.source", lang, title=title, source=policy.source or "-", date=date)


def stamp(when: dt.datetime) -> str:
    """A deadline as the pages print it."""
    return when.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def trace_expected(
    scenario: Scenario, case: PracticeCase, new_walk: Callable[[], Walk]
) -> tuple[Walk, list[tuple[tuple, str]]]:
    """Walk the scenario with the case's expected answers, as far as they go.

    Returns:
        The walk (finished when the answers reach an outcome) and the contradictions found,
        each as ``(location in the practice file, message)``.
    """
    walk = new_walk()
    index = {q.step: i for i, q in enumerate(case.questions)}
    while not walk.finished and len(walk.path) < MAX_STEPS:
        step = walk.current
        if step.kind != "question":
            walk.answer(step.id)
            continue
        question = case.question(step.id)
        if question is None:
            return walk, [
                (
                    ("questions",),
                    f"the expected path reaches question '{step.id}' (after "
                    f"{' > '.join(walk.path[:-1])}) but the case states no answer for it",
                )
            ]
        offered = [o.id for o in walk.options(step)]
        if question.answer not in offered:
            return walk, [
                (
                    (("questions", index[step.id], "answer")),
                    f"answer '{question.answer}' is not offered at '{step.id}' on the expected "
                    f"path (offered: {offered})",
                )
            ]
        walk.answer(step.id, question.answer)
    return walk, path_problems(case, walk)


def path_problems(case: PracticeCase, walk: Walk) -> list[tuple[tuple, str]]:
    """Where an expected walk contradicts the case.

    No outcome, another outcome, an answer for a step the path does not visit.
    """
    problems: list[tuple[tuple, str]] = []
    if not walk.finished:
        problems.append((("questions",), "the expected answers loop without reaching an outcome"))
    elif walk.current.id != case.outcome:
        problems.append(
            (
                ("outcome",),
                f"the expected answers lead to '{walk.current.id}', not "
                f"'{case.outcome}' (path: {' > '.join(walk.path)})",
            )
        )
    for i, q in enumerate(case.questions):
        if q.step not in walk.path[:-1]:
            problems.append(
                (
                    ("questions", i, "step"),
                    f"step '{q.step}' is not on the expected path "
                    f"({' > '.join(walk.path)}): the facts and earlier answers route around it",
                )
            )
    return problems


class Practice:
    """A practice case ready to walk: typed facts, the expected path, the items of each step.

    Raises:
        ScenarioError: the case's scenario does not exist.
        StepNotAllowed: the case's facts or expected answers do not fit its scenario (the
            checker reports these first; a library that loaded has none).
    """

    def __init__(self, lib: Library, case: PracticeCase) -> None:
        self.lib, self.case = lib, case
        self.scenario = lib.scenario(case.scenario)
        self.policies = lib.policies[self.scenario.platform].policies
        self.seen_at = parse_fact(SEEN_AT, case.vignette.seen_at)
        self.facts, errors = parse_facts(self.scenario, lib.facts, case.vignette.facts)
        if errors or self.seen_at is None:
            raise StepNotAllowed("error.practice_invalid", case=case.id)
        self.expected, problems = trace_expected(self.scenario, case, self.new_walk)
        if problems:
            raise StepNotAllowed("error.practice_invalid", case=case.id)
        self.expected_path = list(self.expected.path)
        # Each deadline is asked once: at the first step of the expected path that shows it.
        self.deadline_home: dict[tuple[str, str], str] = {}
        for sid in dict.fromkeys(self.expected_path):
            walk = self.expected_walk_at(sid)
            for ref, _ in walk.deadlines(self.scenario.step(sid)):  # only those that apply
                self.deadline_home.setdefault((ref.policy, ref.from_), sid)
        self.max_score = sum(
            item.max_points
            for sid in dict.fromkeys(self.expected_path)
            for item in self.items(self.scenario.step(sid), self.expected_walk_at(sid))
        )

    def show(self, value: Text) -> Text:
        """``value`` as the trainee reads it.

        ``{policy:KEY}`` numbers filled in, with their marks, in both languages (measured at the
        vignette's time).
        """
        return Text(
            **{
                lang: policy_text(value.get(lang), self.policies, lang, self.seen_at)
                for lang in ("zh", "en")
            }
        )

    def new_walk(self) -> Walk:
        """A fresh walk over the vignette, measured at the vignette's time."""
        return Walk(self.scenario, self.facts, self.seen_at, self.policies)

    def expected_walk_at(self, step_id: str) -> Walk:
        """The expected walk stopped at the first visit of ``step_id``."""
        cut = self.expected_path.index(step_id) + 1
        walk = self.new_walk()
        walk.path = self.expected_path[:cut]
        walk.answers = dict(self.expected.answers)
        return walk

    # --- items ------------------------------------------------------------------------------

    def items(self, step: Step, walk: Walk) -> list[Item]:
        """The items of ``step`` in order: generated questions, then the step itself."""
        on_path = step.id in self.expected_path
        shown = [ref for ref, _ in walk.deadlines(step)]  # a deadline's `when` must hold
        out = [self.deadline_item(step, ref, on_path) for ref in shown]
        out = [i for i in out if i is not None]
        if any(e.required for e in step.evidence):
            out.append(self.evidence_item(step, on_path))
        if step.kind != "outcome":
            out.append(self.step_item(step, walk, on_path))
        return [self._readable(i) for i in out]

    def _readable(self, item: Item) -> Item:
        """``item`` with every text the trainee reads rendered (``show``)."""
        step = item.step
        choices = [
            Choice(c.id, self.show(c.text), c.correct, c.points, self.show(c.feedback), c.policy)
            for c in item.choices
        ]
        prompt = self.show(item.prompt) if item.prompt is not None else None
        return Item(
            item.key, step, item.kind, prompt, choices, item.scored,
            self.show(step.title), self.show(step.text),
            tuple(self.show(a) for a in step.actions),
        )  # fmt: skip

    def item(self, key: str, walk: Walk | None = None) -> Item | None:
        """The item with ``key`` (for reports: labels and feedback), at the expected walk."""
        step_id = key.split("#", 1)[0]
        if not self.scenario.has_step(step_id):
            return None
        step = self.scenario.step(step_id)
        if walk is None:
            walk = self.expected_walk_at(step_id) if step_id in self.expected_path else None
        if walk is None:
            walk = self.new_walk()
            walk.path = [step_id]
        return next((i for i in self.items(step, walk) if i.key == key), None)

    def step_item(self, step: Step, walk: Walk, on_path: bool) -> Item:
        """The step itself: its offered options, scored against the expected answer."""
        question = self.case.question(step.id)
        scored = on_path and question is not None and step.kind == "question"
        choices = []
        for option in walk.options(step) if step.kind == "question" else []:
            if not scored:
                choices.append(Choice(option.id, option.text, None, 0, both("training.off_path")))
                continue
            fb = question.feedback.get(option.id)
            right = option.id == question.answer
            points = (
                fb.points if fb and fb.points is not None else (question.points if right else 0)
            )
            feedback = fb.text if fb else both("training.no_feedback")
            choices.append(
                Choice(option.id, option.text, right, points, feedback, fb.policy if fb else None)
            )
        return Item(step.id, step, STEP, None, choices, scored)

    def deadline_item(self, step: Step, ref: DeadlineRef, on_path: bool) -> Item | None:
        """A "By when?" item for a deadline whose start date the vignette gives.

        Asked at the first step of the expected path that shows the deadline.
        """
        start = self.facts.get(ref.from_)
        policy = self.policies.get(ref.policy)
        if self.deadline_home.get((ref.policy, ref.from_)) != step.id:
            return None
        if not isinstance(start, dt.datetime) or policy is None or not policy.is_duration:
            return None
        country = self.facts.get("country")
        due = add_duration(start, policy, country)
        wrong = deadline_distractors(policy, start, self.seen_at, country, due)
        fact = self.lib.facts[ref.from_].label
        summary = policy.summary
        choices = []
        for when in sorted([due, *wrong]):
            right = when == due
            key = "training.deadline_right" if right else "training.deadline_wrong"
            feedback = both(
                key, summary=summary, fact=fact, start=format_fact(start), due=stamp(due)
            )
            label = Text(zh=stamp(when), en=stamp(when))
            choices.append(
                Choice(f"d{when:%Y%m%d%H%M}", label, right, int(right), feedback, ref.policy)
            )
        prompt = both("training.q_deadline", label=ref.label)
        return Item(f"{step.id}#deadline:{ref.policy}", step, DEADLINE, prompt, choices, on_path)

    def evidence_item(self, step: Step, on_path: bool) -> Item:
        """A "Which evidence is required at this step?" item: sets of evidence items to pick."""
        required = [e for e in step.evidence if e.required]
        optional = [e for e in step.evidence if not e.required]
        sets = evidence_sets(self.scenario, step, required, optional)
        need = Text(
            **{lang: "; ".join(e.item.get(lang) for e in required) for lang in ("zh", "en")}
        )
        extra = Text(
            **{lang: "; ".join(e.item.get(lang) for e in optional) or "-" for lang in ("zh", "en")}
        )
        choices = []
        for n, items in enumerate(sorted(sets, key=lambda s: [e.id for e in s]), start=1):
            right = {e.id for e in items} == {e.id for e in required}
            key = "training.evidence_right" if right else "training.evidence_wrong"
            label = Text(
                **{lang: "; ".join(e.item.get(lang) for e in items) for lang in ("zh", "en")}
            )
            choices.append(
                Choice(
                    f"set-{n}", label, right, int(right), both(key, required=need, optional=extra)
                )
            )
        prompt = both("training.q_evidence", step=step.title)
        return Item(f"{step.id}#evidence", step, EVIDENCE, prompt, choices, on_path)


def deadline_distractors(
    policy: Policy,
    start: dt.datetime,
    seen_at: dt.datetime,
    country: str | None,
    due: dt.datetime,
) -> list[dt.datetime]:
    """Up to three wrong dates a trainee might work out.

    Another source's figure, a day off either way, counting from the day the case is looked at
    instead of the start.
    """
    found: list[dt.datetime] = []
    for other in policy.others:
        if other.unit in DURATION_UNITS:
            variant = policy.model_copy(
                update={"value": other.value, "unit": other.unit, "by_country": {}}
            )
            found.append(add_duration(start, variant, country))
    one_day = dt.timedelta(days=1)
    found += [due + one_day, due - one_day, add_duration(seen_at, policy, country)]
    out: list[dt.datetime] = []
    for when in found:
        if when != due and when not in out:
            out.append(when)
    return out[:3]


def evidence_sets(
    scenario: Scenario,
    step: Step,
    required: list[EvidenceItem],
    optional: list[EvidenceItem],
) -> list[list[EvidenceItem]]:
    """The right set (the required items) and up to three plausible wrong ones."""
    others = [e for s in scenario.steps if s.id != step.id for e in s.evidence if e.required]
    candidates = [required, required + optional, required[:-1], required[1:] + others[:1]]
    other_step = next(
        (
            [e for e in s.evidence if e.required]
            for s in scenario.steps
            if s.id != step.id and any(e.required for e in s.evidence)
        ),
        [],
    )
    candidates.append(other_step)
    out: list[list[EvidenceItem]] = []
    seen: set[frozenset[str]] = set()
    for items in candidates:
        ids = frozenset(e.id for e in items)
        if items and ids not in seen:
            seen.add(ids)
            out.append(items)
    return out[:4]
