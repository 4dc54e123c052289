"""Checker rules beyond the schema: graph shape, cross-file references, translations.

``python -m playbook check [DIR]`` prints every problem as ``FILE:LINE: path.to.field: message``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from pydantic import BaseModel

from playbook.errors import ScenarioError, TemplateError
from playbook.scenarios.library import Library, Problem
from playbook.scenarios.model import Condition, Scenario, Text, routes
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
    problems.extend(_check_catalogue(lib))
    return problems


def _check_catalogue(lib: Library) -> list[Problem]:
    from playbook.yamlio import load_yaml

    problems = []
    first: dict[str, str] = {}
    for path in sorted((lib.data_dir / "i18n").glob("*.yaml")):
        try:
            data = load_yaml(path)
        except ScenarioError as exc:
            detail = exc.params.get("detail", str(exc))
            problems.append(
                Problem(lib.rel(path), "", f"not valid YAML: {detail}", exc.params.get("line"))
            )
            continue
        for key, entry in (data or {}).items():
            if key in first:
                problems.append(
                    Problem(
                        lib.rel(path),
                        str(key),
                        f"key also defined in {first[key]}",
                        data.lines.get(key),
                    )
                )
            first.setdefault(key, lib.rel(path))
            for lang in ("zh", "en"):
                if not isinstance(entry, dict) or not entry.get(lang):
                    problems.append(
                        Problem(
                            lib.rel(path),
                            str(key),
                            f"missing translation: no '{lang}' text",
                            data.lines.get(key),
                        )
                    )
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


def _check_scenario(lib: Library, sc: Scenario) -> list[Problem]:  # noqa: C901
    problems: list[Problem] = []
    file, _ = lib.where("scenario", sc.id)

    def add(loc: tuple, message: str) -> None:
        _, line = lib.where("scenario", sc.id, loc)
        problems.append(Problem(file, ".".join(map(str, loc)), message, line))

    ids = [s.id for s in sc.steps]
    first: dict[str, int] = {}
    for i, sid in enumerate(ids):
        if sid in first:
            add(("steps", i, "id"), f"duplicate step id '{sid}' (first at steps.{first[sid]})")
        first.setdefault(sid, i)
    known = set(ids)
    fact_ids = {f.id for f in sc.facts}
    for i, ref in enumerate(sc.facts):
        if ref.id not in lib.facts:
            add(
                ("facts", i, "id"),
                f"unknown fact '{ref.id}'; facts are defined in "
                f"data/facts.yaml: {sorted(lib.facts)}",
            )
    if sc.start not in known:
        add(("start",), f"unknown step '{sc.start}'; steps are {sorted(known)}")
    policies = lib.policies.get(sc.platform)
    if policies is None:
        add(("platform",), f"no policy file data/policies/{sc.platform}.yaml")

    def check_cond(cond: Condition | None, loc: tuple) -> None:
        if cond is None:
            return
        for j, sub in enumerate(cond.all or []):
            check_cond(sub, (*loc, "all", j))
        for j, sub in enumerate(cond.any or []):
            check_cond(sub, (*loc, "any", j))
        check_cond(cond.not_, (*loc, "not"))
        for attr in ("fact", "days_since"):
            fid = getattr(cond, attr)
            if fid and fid not in fact_ids:
                add(
                    (*loc, attr),
                    f"unknown fact '{fid}'; this scenario's facts are {sorted(fact_ids)}",
                )
            elif (
                fid
                and attr == "days_since"
                and lib.facts.get(fid)
                and lib.facts[fid].type != "datetime"
            ):
                add((*loc, attr), f"fact '{fid}' is not a datetime")
        for attr in ("answer", "visited"):
            sid = getattr(cond, attr)
            if sid and sid not in known:
                add((*loc, attr), f"unknown step '{sid}'; steps are {sorted(known)}")
        if cond.answer and cond.answer in known:
            opts = {o.id for o in sc.step(cond.answer).options}
            for value in [cond.eq, cond.ne, *(cond.in_ or [])]:
                if value is not None and str(value) not in opts:
                    add(
                        (*loc, "answer"),
                        f"step '{cond.answer}' has no option '{value}'; "
                        f"options are {sorted(opts)}",
                    )

    def check_next(next_: Any, loc: tuple) -> None:
        rs = routes(next_)
        for j, route in enumerate(rs):
            rloc = (*loc, j)
            if route.to not in known:
                add((*rloc, "to"), f"unknown step '{route.to}'; steps are {sorted(known)}")
            check_cond(route.when, (*rloc, "when"))
        if rs and rs[-1].when is not None:
            add(loc, "the last route needs no 'when', so there is always a way on")

    for i, step in enumerate(sc.steps):
        sloc = ("steps", i)
        if step.kind == "outcome":
            if step.next is not None or step.options:
                add(sloc, f"outcome step '{step.id}' ends the walk; remove 'next' and 'options'")
        elif step.kind == "question":
            if not step.options:
                add(sloc, f"non-outcome step '{step.id}' has no way on: a question needs options")
            elif all(o.when is not None for o in step.options):
                add(
                    (*sloc, "options"),
                    f"step '{step.id}': at least one option needs no "
                    "'when', so there is always a choice",
                )
            if step.next is not None:
                add(
                    (*sloc, "next"),
                    f"question step '{step.id}' goes on through its options; remove 'next'",
                )
        else:
            if step.next is None:
                add(sloc, f"non-outcome step '{step.id}' has no way on: add 'next'")
            if step.options:
                add(
                    (*sloc, "options"),
                    f"{step.kind} step '{step.id}' cannot have options; make it a question",
                )
        seen_opts: set[str] = set()
        for j, opt in enumerate(step.options):
            if opt.id in seen_opts:
                add((*sloc, "options", j, "id"), f"duplicate option id '{opt.id}'")
            seen_opts.add(opt.id)
            check_cond(opt.when, (*sloc, "options", j, "when"))
            check_next(opt.next, (*sloc, "options", j, "next"))
        if step.next is not None:
            check_next(step.next, (*sloc, "next"))
        for j, ref in enumerate(step.deadlines):
            dloc = (*sloc, "deadlines", j)
            if policies is not None and ref.policy not in policies.policies:
                add(
                    (*dloc, "policy"),
                    f"unknown policy key '{ref.policy}'; keys in "
                    f"data/policies/{sc.platform}.yaml are {sorted(policies.policies)}",
                )
            elif policies is not None and not policies.policies[ref.policy].is_duration:
                add(
                    (*dloc, "policy"),
                    f"policy '{ref.policy}' is not a duration "
                    f"(unit '{policies.policies[ref.policy].unit}')",
                )
            if ref.from_ not in fact_ids:
                add(
                    (*dloc, "from"),
                    f"unknown fact '{ref.from_}'; this scenario's facts are {sorted(fact_ids)}",
                )
            elif lib.facts.get(ref.from_) and lib.facts[ref.from_].type != "datetime":
                add((*dloc, "from"), f"fact '{ref.from_}' is not a datetime")
        for j, tid in enumerate(step.messages):
            template = lib.templates.get(tid)
            if template is None:
                add(
                    (*sloc, "messages", j),
                    f"unknown template '{tid}'; templates are {sorted(lib.templates)}",
                )
                continue
            for text in (template.subject, template.body):
                for lang in ("en", "zh"):
                    try:
                        names = placeholders(getattr(text, lang) or "") if text else []
                    except TemplateError:
                        continue  # reported on the template itself
                    for name in names:
                        if name not in fact_ids:
                            add(
                                (*sloc, "messages", j),
                                f"template '{tid}' placeholder "
                                f"'{{{name}}}' cannot be filled: '{name}' is not a fact of "
                                f"this scenario ({sorted(fact_ids)})",
                            )
        for j, tag in enumerate(step.root_causes):
            if tag not in lib.root_causes:
                add(
                    (*sloc, "root_causes", j),
                    f"unknown root cause '{tag}'; root causes are {sorted(lib.root_causes)}",
                )
    for loc, lang in _missing_translations(sc):
        add(loc, f"missing translation: no '{lang}' text")
    if sc.start in known and not problems:  # graph rules need a sound graph
        _check_graph(sc, add)
    return problems


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
