"""The page layer's own floors: pages share only the base modules, never each other's code.

Each page (staff, analyst, lessons, trainee, trainer) is a family of modules; a module may
import the shared modules and its own family, and a shared module only shared ones. Only
``app`` (the page builders) imports pages.
"""

from __future__ import annotations

from playbook.config import REPO_ROOT
from tests.test_layers import imports

UI = REPO_ROOT / "playbook" / "ui"
SHARED = frozenset(
    {"__init__", "page", "html", "widgets", "feedback", "nav", "landing", "map_view"}
)
FAMILIES = {
    "staff": frozenset(
        {
            "staff_panel",
            "staff_start",
            "staff_walk",
            "case_list",
            "assign",
            "evidence_files",
            "fact_inputs",
            "walk_html",
        }
    ),
    "analyst": frozenset({"analyst_panel", "analyst_render"}),
    "lessons": frozenset(
        {"lessons_panel", "lessons_filters", "lessons_tabs", "lessons_fix", "lessons_render"}
    ),
    "training": frozenset({"training_panel"}),
    "trainer": frozenset({"trainer_panel"}),
}
BUILDERS = frozenset({"app"})


def family(module: str) -> str:
    """The family a ``playbook.ui`` module belongs to ("shared" or "app" for those)."""
    if module in SHARED:
        return "shared"
    if module in BUILDERS:
        return "app"
    return next(name for name, members in FAMILIES.items() if module in members)


def ui_imports() -> dict[str, list[tuple[int, str]]]:
    """Every ``playbook.ui`` module's imports of other ``playbook.ui`` modules."""
    out = {}
    for path in sorted(UI.glob("*.py")):
        found = [
            (line, target.split(".")[2])
            for line, target in imports(path)
            if target.startswith("playbook.ui.")
        ]
        out[path.stem] = found
    return out


def test_every_ui_module_has_a_family() -> None:
    known = SHARED | BUILDERS | frozenset().union(*FAMILIES.values())
    assert set(ui_imports()) <= known


def test_pages_import_only_shared_modules_and_their_own() -> None:
    found = []
    for module, targets in ui_imports().items():
        mine = family(module)
        for line, target in targets:
            theirs = family(target)
            if mine == "app" or theirs in ("shared", mine):
                continue
            found.append(f"playbook/ui/{module}.py:{line}: {mine} -> {theirs} ({target})")
    assert found == []
