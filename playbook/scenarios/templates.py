"""Message drafts: fill a template's ``{fact}`` placeholders with case facts.

Placeholders are bare names only; attribute access, indexing and format specs are refused so a
template can never reach into Python objects.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from playbook.errors import TemplateError
from playbook.library.model import FactDef, Template
from playbook.scenarios.facts import format_fact

_NAME_OK = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")


def placeholders(text: str) -> list[str]:
    """The placeholder names in ``text``, in order.

    >>> placeholders("Hi {buyer_name}, order {order_id}.")
    ['buyer_name', 'order_id']

    Raises:
        TemplateError: a placeholder is not a bare lower-case name, or braces are unbalanced.
    """
    names = []
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise TemplateError("error.template_syntax", detail=str(exc)) from exc
    for _, name, spec, conv in parsed:
        if name is None:
            continue
        if not name or set(name) - _NAME_OK or spec or conv:
            raise TemplateError("error.template_placeholder", name=name or "{}")
        names.append(name)
    return names


@dataclass(frozen=True)
class Draft:
    """A rendered message: what to send (English) and the staff's reference text."""

    template_id: str
    kind: str
    subject: str
    body: str
    missing: tuple[str, ...]


def render(
    template: Template, facts: Mapping[str, Any], defs: Mapping[str, FactDef], lang: str = "en"
) -> Draft:
    """Fill ``template`` in ``lang`` with ``facts``.

    A fact that is not known yet shows as ``[Label]`` so staff see the gap instead of a blank;
    its id is listed in ``Draft.missing``.
    """
    missing: list[str] = []

    def fill(text: str) -> str:
        out = []
        for literal, name, _, _ in string.Formatter().parse(text):
            out.append(literal)
            if name is None:
                continue
            value = facts.get(name)
            if value in (None, ""):
                if name not in missing:
                    missing.append(name)
                label = defs[name].label.get(lang) if name in defs else name
                out.append(f"[{label}]")
            else:
                out.append(format_fact(value))
        return "".join(out)

    subject = fill(template.subject.get(lang)) if template.subject else ""
    body = fill(template.body.get(lang))
    return Draft(template.id, template.kind, subject, body, tuple(missing))
