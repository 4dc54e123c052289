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


class _Missing(str):
    """A parameter not given: the placeholder stays in the text, its plural form too."""


class _Default(dict):
    def __missing__(self, key: str) -> str:
        return _Missing(key)


def text(key: str, lang: str = DEFAULT_LANG, /, **params: Any) -> str:
    """The catalogue text for ``key`` in ``lang``, with ``{name}`` placeholders filled.

    An unknown key (or no library loaded yet) comes back as the key itself, so a missing
    entry is visible, never a crash (``python -m playbook check`` reports missing entries).
    """
    entry = _active.get(key)
    if entry is None:
        return key + (" " + repr(params) if params else "")
    raw = entry.get(lang) or entry.get("en") or key
    return fill(raw, **params)


def fill(raw: str, /, **params: Any) -> str:
    """A catalogue text already looked up (``raw``) with its ``{name}`` placeholders filled.

    >>> fill("{n:page follows|pages follow}", n=1), fill("{n:page follows|pages follow}", n=3)
    ('1 page follows', '3 pages follow')
    """
    return _Formatter().vformat(raw, (), _Default({k: _fmt(v) for k, v in params.items()}))


def _fmt(value: Any) -> Any:
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(f"'{v}'" for v in value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value  # numbers stay numbers, for plural forms
    return str(value)


class _Formatter(string.Formatter):
    """Fill ``{count:case|cases}`` with the number and the word that fits it.

    "1 case", "3 cases" (English plurals are the message layer's, never a "case(s)" in a text).
    """

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, _Missing):
            return "{" + value + (":" + format_spec if format_spec else "") + "}"
        if "|" in format_spec:
            one, other = format_spec.split("|", 1)
            return f"{value} {one if value == 1 else other}"
        return str(value) if not format_spec else format(value, format_spec)
