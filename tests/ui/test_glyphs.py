"""No glyph the page's fonts cannot draw.

Every character of the pages' texts (the message catalogue, the scenarios, facts and picker,
and the string literals of the page code) is in a font installed on the machine (DejaVu Sans
and Noto Sans CJK with the project's system packages). A "📊" on a button showed as a box.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import unicodedata

import pytest
from fontTools.ttLib import TTCollection, TTFont

from playbook.config import REPO_ROOT


def font_chars() -> set[int]:
    files = subprocess.run(
        ["fc-list", "--format", "%{file}\n"], capture_output=True, text=True, check=True
    ).stdout.split()
    chars: set[int] = set()
    for path in sorted(set(files)):
        holder = TTCollection(path) if path.lower().endswith(".ttc") else TTFont(path)
        for font in getattr(holder, "fonts", [holder]):
            chars.update(font.getBestCmap() or {})
        holder.close()
    return chars


def page_texts(lib) -> list[tuple[str, str]]:
    out = [(f"catalogue {k}", v) for k, e in lib.catalogue.items() for v in e.values()]
    for sc in lib.scenarios.values():
        out += [(f"scenario {sc.id}", t) for t in (*sc.title.model_dump().values(),)]
        for step in sc.steps:
            for text in (step.title, step.text, *(o.text for o in step.options)):
                if text:
                    out += [
                        (f"scenario {sc.id} step {step.id}", v) for v in text.model_dump().values()
                    ]
    for fact in lib.facts.values():
        out += [(f"fact {fact.id}", v) for v in fact.label.model_dump().values()]
    for entry in lib.picker.scenarios:
        out += [(f"picker {entry.scenario}", v) for v in entry.when.model_dump().values()]
    for path in sorted((REPO_ROOT / "playbook" / "ui").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                out.append((f"{path.name}:{node.lineno}", node.value))
    return out


@pytest.mark.skipif(shutil.which("fc-list") is None, reason="fontconfig not installed")
def test_every_character_on_the_pages_has_a_font(lib) -> None:
    have = font_chars()
    missing = {}
    for where, value in page_texts(lib):
        for ch in str(value):
            if ch.isspace() or unicodedata.category(ch).startswith("C"):
                continue
            if ord(ch) not in have:
                missing.setdefault(f"{ch} U+{ord(ch):04X}", where)
    assert missing == {}
