"""The package's floors, as data: each part of ``playbook`` may import only the parts below it.

Every import counts, wherever it stands: at module level, inside a function (imported late
for speed), or under ``if TYPE_CHECKING`` (type-only). A part is a top-level module or package
of ``playbook``; ``playbook`` itself is the package's ``__init__``.
"""

from __future__ import annotations

import ast
from pathlib import Path

from playbook.config import REPO_ROOT

BASE = frozenset({"config", "errors", "i18n"})
CORE = BASE | {"library", "scenarios", "cases", "orders", "training", "lessons", "reminders"}

# part -> the parts it may import (besides itself)
ALLOWED: dict[str, frozenset[str]] = {
    "config": frozenset({"errors", "i18n"}),
    "i18n": frozenset(),
    "errors": frozenset({"i18n"}),
    "library": BASE,
    "scenarios": BASE | {"library"},
    "cases": BASE | {"library", "scenarios"},
    "orders": BASE | {"library", "scenarios", "cases"},
    "training": BASE | {"library", "scenarios", "cases"},
    "lessons": BASE | {"library", "scenarios", "cases"},
    "reminders": BASE | {"library", "scenarios", "cases"},
    # entry points: the checked library, the command line, the pages, the public API
    "load": CORE,
    "cli": CORE | {"load"},
    "ui": CORE | {"load"},
    "__init__": CORE | {"load"},
    "__main__": frozenset({"cli"}),
}
# Only entry points call the global loader (``playbook.load``); everything else is given
# the library it works with.
ENTRY_POINTS = frozenset({"load", "cli", "ui", "__init__"})


def part_of(module: str) -> str:
    """The part a dotted ``playbook`` module belongs to."""
    parts = module.split(".")
    return "__init__" if len(parts) == 1 else parts[1]


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, imported ``playbook`` module) for every import in the file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "playbook":
                found += [(node.lineno, f"playbook.{a.name}") for a in node.names]
            elif node.module.startswith("playbook."):
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("playbook")]
    return found


def modules() -> dict[str, Path]:
    """Every module of the package, by dotted name."""
    out = {}
    for path in sorted((REPO_ROOT / "playbook").rglob("*.py")):
        parts = path.relative_to(REPO_ROOT).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def violations() -> list[str]:
    """Every import against ``ALLOWED``, as ``file:line: part -> part (module)``."""
    found = []
    for name, path in modules().items():
        mine = part_of(name)
        for line, target in imports(path):
            theirs = part_of(target)
            if theirs != mine and theirs not in ALLOWED[mine]:
                where = f"{path.relative_to(REPO_ROOT)}:{line}"
                found.append(f"{where}: {mine} -> {theirs} ({target})")
    return found


def test_every_part_has_a_floor() -> None:
    assert {part_of(name) for name in modules()} == set(ALLOWED)


def test_no_part_imports_a_part_above_it() -> None:
    assert violations() == []


def test_the_rule_is_checked_against_real_imports(tmp_path: Path) -> None:
    """The checker sees module-level, late and type-only imports (it would miss nothing)."""
    src = tmp_path / "m.py"
    src.write_text(
        "from typing import TYPE_CHECKING\n"
        "from playbook.cases.session import CaseSession\n"
        "if TYPE_CHECKING:\n    from playbook.ui.app import staff_page\n"
        "def late():\n    import playbook.orders.triage\n    from playbook import load\n",
        encoding="utf-8",
    )
    assert [t for _, t in imports(src)] == [
        "playbook.cases.session",
        "playbook.ui.app",
        "playbook.orders.triage",
        "playbook.load",
    ]
    assert {part_of(t) for _, t in imports(src)} - ALLOWED["scenarios"] == {
        "cases",
        "ui",
        "orders",
        "load",
    }


def test_only_entry_points_load_the_library() -> None:
    callers = set()
    for name, path in modules().items():
        if any(part_of(t) == "load" for _, t in imports(path)):
            callers.add(part_of(name))
    assert callers <= ENTRY_POINTS


def test_no_code_outside_a_store_touches_its_engine() -> None:
    """``.engine`` belongs to the SQL store (and its evidence-file half).

    Others use its public connections (``transaction``, ``reading``).
    """
    stores = {REPO_ROOT / "playbook" / "cases" / f for f in ("sql_store.py", "sql_files.py")}
    sources = [
        *(REPO_ROOT / "playbook").rglob("*.py"),
        *(REPO_ROOT / "scripts").glob("*.py"),
        *(REPO_ROOT / "bench").glob("*.py"),
        *(REPO_ROOT / "notebooks").rglob("*.ipynb"),
        *(REPO_ROOT / "deploy").rglob("*.py"),
    ]
    found = []
    for path in sources:
        if path in stores:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if ".engine" in line.replace("scenarios.engine", ""):
                found.append(f"{path.relative_to(REPO_ROOT)}:{n}: {line.strip()}")
    assert found == []
