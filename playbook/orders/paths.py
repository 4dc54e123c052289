"""Which order file a typed path names, on pages that may only read files under one folder.

Pure Python: the analyst and lessons pages ask here before reading a path a visitor typed.
"""

from __future__ import annotations

from pathlib import Path

from playbook.config import REPO_ROOT
from playbook.errors import OrderFileError

__all__ = ["folder_label", "order_file_under"]


def folder_label(folder: Path) -> str:
    """``folder`` as shown to staff: relative to the project when inside it."""
    return str(folder.relative_to(REPO_ROOT)) if folder.is_relative_to(REPO_ROOT) else str(folder)


def order_file_under(raw: object, folder: Path) -> Path:
    """The file a typed path names (relative to the project), if it lies under ``folder``.

    Raises:
        OrderFileError: outside the folder (after following links), or no such file.
    """
    shown = str(raw or "").strip()
    missing = OrderFileError("analyst.error.path_missing", path=shown[:200])
    if not shown or len(shown) > 1000 or "\x00" in shown:
        raise missing
    path = Path(shown)
    try:
        real = (path if path.is_absolute() else REPO_ROOT / path).resolve()
    except (OSError, RuntimeError, ValueError) as exc:
        raise missing from exc
    if not real.is_relative_to(folder):
        raise OrderFileError(
            "analyst.error.path_outside", path=shown[:200], folder=folder_label(folder)
        )
    if not real.is_file():
        raise missing
    return real
