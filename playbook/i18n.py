"""Message catalogue: every text a staff member can see, keyed, in zh and en.

Texts live in ``data/i18n/*.yaml`` (one file per area, merged); code never builds staff-facing
sentences itself. The catalogue of the configured data folder is read once per process.
"""

from __future__ import annotations

import functools
import string
from pathlib import Path
from typing import Any

from playbook.config import settings
from playbook.yamlio import YamlError, load_yaml

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

Catalogue = dict[str, dict[str, str]]


@functools.cache
def load_catalogue(folder: Path) -> Catalogue:
    """Every entry of ``folder/*.yaml`` merged: ``{key: {"zh": ..., "en": ...}}``.

    Raises:
        YamlError: a catalogue file cannot be read or parsed.
    """
    out: Catalogue = {}
    for path in sorted(folder.glob("*.yaml")):
        out.update((str(k), dict(v)) for k, v in (load_yaml(path) or {}).items())
    return out


@functools.cache
def _default_folder() -> Path:
    return settings().data_dir / "i18n"


def catalogue(data_dir: Path | None = None) -> Catalogue:
    """The catalogue of ``data_dir`` (default: the configured data folder, resolved once)."""
    return load_catalogue(data_dir / "i18n" if data_dir else _default_folder())


class _Default(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def text(key: str, lang: str = DEFAULT_LANG, /, **params: Any) -> str:
    """The catalogue text for ``key`` in ``lang``, with ``{name}`` placeholders filled.

    Unknown keys come back as the key itself so a missing entry is visible, never a crash; a
    broken catalogue file does the same (``python -m playbook check`` reports it).
    """
    try:
        entry = catalogue().get(key)
    except YamlError:
        entry = None
    if entry is None:
        return key + (" " + repr(params) if params else "")
    raw = entry.get(lang) or entry.get("en") or key
    return string.Formatter().vformat(raw, (), _Default({k: _fmt(v) for k, v in params.items()}))


def _fmt(value: Any) -> str:
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(f"'{v}'" for v in value)
    return str(value)
