"""Message catalogue: every text a staff member can see, keyed, in zh and en.

Texts live in ``data/i18n/*.yaml`` (one file per area, merged). The data library reads them
with every other data file (``Library.catalogue``); loading the library makes its catalogue
the one ``text`` answers from (``use``). Code never builds staff-facing sentences itself.
"""

from __future__ import annotations

import string
from typing import Any

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

Catalogue = dict[str, dict[str, str]]

_active: Catalogue = {}


def use(catalogue: Catalogue) -> None:
    """Make ``catalogue`` the one ``text`` answers from (the loaded library's)."""
    global _active
    _active = catalogue


class _Default(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def text(key: str, lang: str = DEFAULT_LANG, /, **params: Any) -> str:
    """The catalogue text for ``key`` in ``lang``, with ``{name}`` placeholders filled.

    An unknown key (or no library loaded yet) comes back as the key itself, so a missing
    entry is visible, never a crash (``python -m playbook check`` reports missing entries).
    """
    entry = _active.get(key)
    if entry is None:
        return key + (" " + repr(params) if params else "")
    raw = entry.get(lang) or entry.get("en") or key
    return string.Formatter().vformat(raw, (), _Default({k: _fmt(v) for k, v in params.items()}))


def _fmt(value: Any) -> str:
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(f"'{v}'" for v in value)
    return str(value)
