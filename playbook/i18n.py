"""Message catalogue: every text a staff member can see, keyed, in zh and en.

Texts live in ``data/i18n/*.yaml`` (one file per area, merged); code never builds staff-facing
sentences itself.
"""

from __future__ import annotations

import functools
import string
from pathlib import Path
from typing import Any

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"


_loading = False


@functools.cache
def _catalogue(folder: Path) -> dict[str, dict[str, str]]:
    global _loading
    from playbook.yamlio import load_yaml

    if _loading:  # an error raised while loading the catalogue renders without it
        raise RuntimeError("message catalogue is being loaded")
    _loading = True
    try:
        out: dict[str, dict[str, str]] = {}
        for path in sorted(folder.glob("*.yaml")):
            out.update((str(k), dict(v)) for k, v in (load_yaml(path) or {}).items())
        return out
    finally:
        _loading = False


def catalogue(data_dir: Path | None = None) -> dict[str, dict[str, str]]:
    """All catalogue entries: ``{key: {"zh": ..., "en": ...}}``."""
    from playbook.config import data_dir as default_dir

    return _catalogue((data_dir or default_dir()) / "i18n")


class _Default(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def text(key: str, lang: str = DEFAULT_LANG, /, **params: Any) -> str:
    """The catalogue text for ``key`` in ``lang``, with ``{name}`` placeholders filled.

    Unknown keys come back as the key itself so a missing entry is visible, never a crash.
    """
    try:
        entry = catalogue().get(key)
    except Exception:  # noqa: BLE001 - a broken catalogue must not hide the original error
        entry = None
    if entry is None:
        return key + (" " + repr(params) if params else "")
    raw = entry.get(lang) or entry.get("en") or key
    return string.Formatter().vformat(raw, (), _Default({k: _fmt(v) for k, v in params.items()}))


def _fmt(value: Any) -> str:
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(f"'{v}'" for v in value)
    return str(value)
