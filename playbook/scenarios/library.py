"""Load everything under data/ into one validated ``Library``; the only place that reads it.

``check(data_dir)`` returns every problem found (schema, graph, cross-file); ``load_library``
raises ``ScenarioError`` listing them all, so a broken file fails fast for the whole tree.
"""

from __future__ import annotations

import functools
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from playbook.errors import ScenarioError
from playbook.scenarios.model import FactDef, PolicySet, RootCause, Scenario, Template
from playbook.yamlio import line_of, load_yaml


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a data file."""

    file: str
    where: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        place = f"{self.file}:{self.line}" if self.line else self.file
        return (
            f"{place}: {self.where}: {self.message}" if self.where else f"{place}: {self.message}"
        )


@dataclass
class Library:
    """Everything the playbook knows: scenarios, facts, policies, templates, root causes."""

    data_dir: Path
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    facts: dict[str, FactDef] = field(default_factory=dict)
    policies: dict[str, PolicySet] = field(default_factory=dict)
    templates: dict[str, Template] = field(default_factory=dict)
    root_causes: dict[str, RootCause] = field(default_factory=dict)
    files: dict[tuple[str, str], Path] = field(default_factory=dict)
    raw: dict[Path, Any] = field(default_factory=dict)

    def scenario(self, scenario_id: str) -> Scenario:
        """The scenario with this id.

        Raises:
            ScenarioError: no such scenario.
        """
        try:
            return self.scenarios[scenario_id]
        except KeyError:
            raise ScenarioError(
                "error.unknown_scenario", scenario=scenario_id, choices=sorted(self.scenarios)
            ) from None

    def policy(self, platform: str, key: str):
        """The policy ``key`` of ``platform`` (KeyError if unknown)."""
        return self.policies[platform].policies[key]

    def where(self, kind: str, ident: str, loc: tuple = ()) -> tuple[str, int | None]:
        """File (relative to data/) and line of an item, for messages."""
        path = self.files.get((kind, ident))
        if path is None:
            return "?", None
        return self.rel(path), line_of(self.raw.get(path), loc)

    def rel(self, path: Path) -> str:
        """``path`` as shown in messages: relative to the data folder's parent when possible."""
        try:
            return str(path.relative_to(self.data_dir.parent))
        except ValueError:
            return str(path)


def _loc(loc: tuple) -> str:
    return ".".join(str(p) for p in loc)


def _validate(
    model: type[BaseModel], raw: Any, path: Path, lib: Library, problems: list[Problem]
) -> Any:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(
                p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function"))
            )
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                allowed = _allowed_keys(model, loc[:-1])
                msg = f"unknown key '{loc[-1]}'" + (
                    f"; allowed keys are {allowed}" if allowed else ""
                )
            problems.append(Problem(lib.rel(path), _loc(loc), msg, line_of(raw, loc)))
        return None


def _allowed_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    """The keys allowed at ``loc`` inside ``model`` (best effort, for error messages)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if fields is None:
            return []
        by_alias = {(f.alias or n): f for n, f in fields.items()}
        if part not in by_alias:
            return []
        current = _model_in(by_alias[part].annotation)
    fields = getattr(current, "model_fields", None) or {}
    return sorted((f.alias or n) for n, f in fields.items())


def _model_in(annotation: Any) -> Any:
    """The first pydantic model class inside an annotation such as ``list[Step] | None``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _read(path: Path, lib: Library, problems: list[Problem]) -> Any:
    try:
        raw = load_yaml(path)
    except ScenarioError as exc:
        p = exc.params
        message = "not valid YAML: " + p["detail"] if exc.code == "error.yaml_syntax" else str(exc)
        problems.append(Problem(lib.rel(path), "", message, p.get("line")))
        return None
    lib.raw[path] = raw
    return raw


def _load_list(
    path: Path, model: type[BaseModel], kind: str, lib: Library, problems: list[Problem]
) -> dict[str, Any]:
    """A file holding a list of items with ids (facts.yaml, root_causes.yaml)."""
    raw = _read(path, lib, problems)
    if raw is None:
        return {}
    if not isinstance(raw, list):
        problems.append(Problem(lib.rel(path), "", "expected a list of entries", 1))
        return {}
    out: dict[str, Any] = {}
    for i, item in enumerate(raw):
        before = len(problems)
        obj = _validate(model, item, path, lib, problems)
        for p in problems[before:]:
            object.__setattr__(p, "where", f"{i}.{p.where}" if p.where else str(i))
        if obj is None:
            continue
        if obj.id in out:
            problems.append(
                Problem(
                    lib.rel(path), f"{i}.id", f"duplicate id '{obj.id}'", line_of(raw, (i, "id"))
                )
            )
            continue
        out[obj.id] = obj
        lib.files[(kind, obj.id)] = path
    return out


def read_all(data_dir: Path) -> tuple[Library, list[Problem]]:
    """Parse and schema-validate every data file; collect problems instead of stopping."""
    lib = Library(data_dir=data_dir)
    problems: list[Problem] = []
    if not data_dir.is_dir():
        return lib, [Problem(str(data_dir), "", "data folder not found")]
    lib.facts = _load_list(data_dir / "facts.yaml", FactDef, "fact", lib, problems)
    lib.root_causes = _load_list(
        data_dir / "root_causes.yaml", RootCause, "root_cause", lib, problems
    )
    for path in sorted((data_dir / "policies").glob("*.yaml")):
        raw = _read(path, lib, problems)
        ps = _validate(PolicySet, raw, path, lib, problems) if raw is not None else None
        if ps is not None:
            if ps.platform != path.stem:
                problems.append(
                    Problem(
                        lib.rel(path),
                        "platform",
                        f"platform '{ps.platform}' must equal the file name '{path.stem}'",
                        line_of(raw, ("platform",)),
                    )
                )
            lib.policies[ps.platform] = ps
            lib.files[("policy", ps.platform)] = path
    for kind, model, target in (
        ("template", Template, lib.templates),
        ("scenario", Scenario, lib.scenarios),
    ):
        folder = data_dir / ("templates" if kind == "template" else "scenarios")
        for path in sorted(folder.glob("*.yaml")):
            raw = _read(path, lib, problems)
            if raw is None:
                continue
            obj = _validate(model, raw, path, lib, problems)
            if obj is None:
                continue
            if obj.id != path.stem:
                problems.append(
                    Problem(
                        lib.rel(path),
                        "id",
                        f"id '{obj.id}' must equal the file name '{path.stem}'",
                        line_of(raw, ("id",)),
                    )
                )
                continue
            target[obj.id] = obj
            lib.files[(kind, obj.id)] = path
    return lib, problems


def check(data_dir: Path) -> tuple[Library, list[Problem]]:
    """Every problem in the data folder: schema, then graph and cross-file rules."""
    from playbook.scenarios.checker import check_library

    lib, problems = read_all(data_dir)
    problems.extend(check_library(lib))
    return lib, problems


@functools.cache
def _load(data_dir: Path) -> Library:
    lib, problems = check(data_dir)
    if problems:
        raise ScenarioError(
            "error.data_invalid",
            count=len(problems),
            problems="\n".join(str(p) for p in problems),
        )
    return lib


def load_library(data_dir: Path | None = None) -> Library:
    """The validated library for ``data_dir`` (default: the configured data folder).

    Cached per folder: data files are reviewed like code and do not change while serving.

    Raises:
        ScenarioError: any file is invalid; the message lists every problem.
    """
    from playbook.config import data_dir as default_dir

    return _load(Path(data_dir or default_dir()).resolve())
