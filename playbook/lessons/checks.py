"""Checks of data/lessons.yaml against the rest of the library (``python -m playbook check``).

Its outcome classes, and the scenarios, outcome steps and statuses it names.
"""

from __future__ import annotations

from playbook.library.lessons import LessonsConfig
from playbook.library.library import Library, Problem
from playbook.library.model import STATUSES
from playbook.library.yamlio import line_of


def check_lessons(lib: Library) -> list[Problem]:
    """Every problem of the lessons settings (none when the file did not pass its schema)."""
    config = lib.lessons
    if config is None:
        return []
    path = lib.files[("lessons", "lessons")]
    raw, rel = lib.raw[path], lib.rel(path)
    return [*_class_problems(config, raw, rel), *_outcome_problems(config, raw, rel, lib)]


def _class_problems(config: LessonsConfig, raw: object, rel: str) -> list[Problem]:
    problems, seen = [], set()
    for i, cls in enumerate(config.classes):
        if cls.id in seen:
            problems.append(
                Problem(rel, f"classes.{i}.id", f"duplicate id '{cls.id}'", line_of(raw, ()))
            )
        seen.add(cls.id)
        for lang in ("zh", "en"):
            if not getattr(cls.text, lang):
                problems.append(
                    Problem(rel, f"classes.{i}.text", f"missing translation: no '{lang}' text")
                )
    for part in ("by_status", "closed_without_outcome"):
        for status, class_id in getattr(config, part).items():
            loc = (part, status)
            if status not in STATUSES:
                problems.append(
                    Problem(
                        rel,
                        ".".join(loc),
                        f"unknown status '{status}'; known: {list(STATUSES)}",
                        line_of(raw, loc),
                    )
                )
            if class_id not in seen:
                problems.append(_unknown_class(rel, raw, loc, class_id, seen))
    return problems


def _outcome_problems(config: LessonsConfig, raw: object, rel: str, lib: Library) -> list:
    known = set(config.class_ids())
    problems = []
    for scenario_id, steps in config.by_outcome.items():
        scenario = lib.scenarios.get(scenario_id)
        if scenario is None:
            problems.append(
                Problem(
                    rel,
                    f"by_outcome.{scenario_id}",
                    f"unknown scenario '{scenario_id}'; known: {sorted(lib.scenarios)}",
                    line_of(raw, ("by_outcome", scenario_id)),
                )
            )
            continue
        for step_id, class_id in steps.items():
            loc = ("by_outcome", scenario_id, step_id)
            if not scenario.has_step(step_id) or scenario.step(step_id).kind != "outcome":
                problems.append(
                    Problem(
                        rel,
                        ".".join(loc),
                        f"'{step_id}' is not an outcome step of scenario '{scenario_id}'",
                        line_of(raw, loc),
                    )
                )
            if class_id not in known:
                problems.append(_unknown_class(rel, raw, loc, class_id, known))
    return problems


def _unknown_class(rel: str, raw: object, loc: tuple, class_id: str, known: set) -> Problem:
    return Problem(
        rel,
        ".".join(loc),
        f"unknown outcome class '{class_id}'; known: {sorted(known)}",
        line_of(raw, loc),
    )
