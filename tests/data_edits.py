"""A test's edits to a copy of data/, and what ``python -m playbook check`` then says of it."""

from __future__ import annotations

from pathlib import Path

from playbook.load import check


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first ``old`` in the file with ``new``; ``old`` must be there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems(data: Path) -> list[str]:
    """Every problem the checker finds in the data folder, as printed."""
    return [str(p) for p in check(data)[1]]
