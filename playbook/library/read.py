"""Read every file under data/ into one ``Library``; the only place that reads data files.

``read_all`` parses each file and checks it against its schema, collecting every problem
instead of stopping. Cross-file rules belong to the subsystem that uses the data (each has
its ``checks`` module); ``playbook.load`` runs them all and keeps the result on disk.
"""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from playbook.library.evidence_limits import EvidenceLimits
from playbook.library.lessons import FILE_NAME as LESSONS_FILE
from playbook.library.lessons import LessonsConfig
from playbook.library.library import Library, Problem
from playbook.library.model import (
    FactDef,
    GlossaryTerm,
    PolicySet,
    RootCause,
    Scenario,
    Template,
)
from playbook.library.order_formats import OrderFormat
from playbook.library.picker import FILE_NAME as PICKER_FILE
from playbook.library.picker import PickerConfig
from playbook.library.practice import PracticeCase
from playbook.library.triage_rules import ReasonCodes, RuleSet
from playbook.library.yamlio import YamlError, line_of, load_yaml


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
    except YamlError as exc:
        syntax = exc.code == "error.yaml_syntax"
        message = f"not valid YAML: {exc.detail}" if syntax else f"cannot be read: {exc.detail}"
        problems.append(Problem(lib.rel(path), "", message, exc.line or None))
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
    _load_policies(data_dir, lib, problems)
    _load_folder(data_dir / "templates", Template, "template", lib.templates, lib, problems)
    _load_folder(data_dir / "scenarios", Scenario, "scenario", lib.scenarios, lib, problems)
    lib.triage = _load_per_platform(data_dir, "triage", RuleSet, lib, problems)
    lib.reasons = _load_per_platform(data_dir, "reason_codes", ReasonCodes, lib, problems)
    _load_folder(
        data_dir / "order_formats", OrderFormat, "order_format", lib.order_formats, lib, problems
    )
    lib.evidence_limits = _load_one(
        data_dir / "evidence_limits.yaml", EvidenceLimits, "evidence_limits", lib, problems
    )
    lib.catalogue = _load_catalogue(data_dir / "i18n", lib, problems)
    lib.lessons = _load_one(data_dir / LESSONS_FILE, LessonsConfig, "lessons", lib, problems)
    lib.picker = _load_one(data_dir / PICKER_FILE, PickerConfig, "picker", lib, problems)
    _load_folder(data_dir / "training", PracticeCase, "practice", lib.practice, lib, problems)
    if (data_dir / "glossary.yaml").is_file():
        lib.glossary = _load_list(
            data_dir / "glossary.yaml", GlossaryTerm, "glossary", lib, problems
        )
    return lib, problems


def _load_policies(data_dir: Path, lib: Library, problems: list[Problem]) -> None:
    for path in sorted((data_dir / "policies").glob("*.yaml")):
        raw = _read(path, lib, problems)
        ps = _validate(PolicySet, raw, path, lib, problems) if raw is not None else None
        if ps is None:
            continue
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


# The kind under which Library.files keeps each per-platform file (Library.where's first
# argument), by the name of its file and folder.
PER_PLATFORM_KIND = {"triage": "triage", "reason_codes": "reasons"}


def _load_per_platform(
    data_dir: Path, name: str, model: type[BaseModel], lib: Library, problems: list[Problem]
) -> dict[str, Any]:
    """One file per platform: ``data/<name>.yaml`` and ``data/<name>/<platform>.yaml``.

    The first is where Wish's has always been. Each names its ``platform``; in the folder it
    must equal the file name, and no platform may have two files.
    """
    kind = PER_PLATFORM_KIND[name]
    out: dict[str, Any] = {}
    paths = [data_dir / f"{name}.yaml"] if (data_dir / f"{name}.yaml").is_file() else []
    paths += sorted((data_dir / name).glob("*.yaml"))
    for path in paths:
        raw = _read(path, lib, problems)
        obj = _validate(model, raw, path, lib, problems) if raw is not None else None
        if obj is None:
            continue
        where = line_of(raw, ("platform",))
        if path.parent.name == name and obj.platform != path.stem:
            message = f"platform '{obj.platform}' must equal the file name '{path.stem}'"
            problems.append(Problem(lib.rel(path), "platform", message, where))
            continue
        if obj.platform in out:
            first = lib.rel(lib.files[(kind, obj.platform)])
            message = f"platform '{obj.platform}' already has its {name} in {first}"
            problems.append(Problem(lib.rel(path), "platform", message, where))
            continue
        out[obj.platform] = obj
        lib.files[(kind, obj.platform)] = path
    return out


def _load_folder(
    folder: Path,
    model: type[BaseModel],
    kind: str,
    target: dict[str, Any],
    lib: Library,
    problems: list[Problem],
) -> None:
    """One item per file (scenarios, templates, order formats, practice cases).

    Each id must equal its file name.
    """
    for path in sorted(folder.glob("*.yaml")):
        raw = _read(path, lib, problems)
        obj = _validate(model, raw, path, lib, problems) if raw is not None else None
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


def _load_one(
    path: Path, model: type[BaseModel], kind: str, lib: Library, problems: list[Problem]
) -> Any:
    """A file that is one document (evidence_limits.yaml, lessons.yaml); None if it is broken."""
    if not path.is_file():
        problems.append(Problem(lib.rel(path), "", "file not found"))
        return None
    raw = _read(path, lib, problems)
    obj = _validate(model, raw, path, lib, problems) if raw is not None else None
    if obj is not None:
        lib.files[(kind, kind)] = path
    return obj


def _load_catalogue(folder: Path, lib: Library, problems: list[Problem]) -> dict:
    """data/i18n/*.yaml merged; a key defined twice or missing a language is a problem."""
    out: dict[str, dict[str, str]] = {}
    first: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")):
        data = _read(path, lib, problems)
        if data is None:
            continue
        if not isinstance(data, dict):
            problems.append(Problem(lib.rel(path), "", "expected a mapping of message keys", 1))
            continue
        for key, entry in data.items():
            line = data.lines.get(key)
            if key in first:
                problems.append(
                    Problem(lib.rel(path), str(key), f"key also defined in {first[key]}", line)
                )
            first.setdefault(key, lib.rel(path))
            for lang in ("zh", "en"):
                if not isinstance(entry, dict) or not entry.get(lang):
                    problems.append(
                        Problem(
                            lib.rel(path), str(key), f"missing translation: no '{lang}' text", line
                        )
                    )
            if isinstance(entry, dict):
                out[str(key)] = {k: str(v) for k, v in entry.items()}
                lib.files[("i18n", str(key))] = path
    return out
