"""The values a fact is picked from, by its type in data/facts.yaml, with labels in a language.

``choice`` facts offer their own choices (their ids are what a case keeps); ``currency`` the
ISO 4217 codes and ``country`` the ISO 3166-1 alpha-2 codes, both from pycountry (maintained
lists with their Chinese names), never a hand-typed list. A label starts with the code, so a
person can type it to jump to it; ``option_value`` turns a picked label back into the id.
Pure Python: no widgets.
"""

from __future__ import annotations

import functools
import gettext

from playbook.library.model import FactDef

PICKED_TYPES = frozenset({"choice", "currency", "country"})
SEPARATOR = " · "
_GETTEXT_LANG = {"zh": "zh_CN"}


@functools.cache
def _translate(domain: str, lang: str) -> gettext.NullTranslations:
    import pycountry  # loaded when a form first needs a list (not by every page start)

    code = _GETTEXT_LANG.get(lang)
    if code is None:
        return gettext.NullTranslations()
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[code], fallback=True)


@functools.cache
def countries(lang: str) -> tuple[tuple[str, str], ...]:
    """(code, name in ``lang``) of every ISO 3166-1 country, by code."""
    import pycountry

    tr = _translate("iso3166-1", lang)
    named = (
        (c.alpha_2, tr.gettext(getattr(c, "common_name", c.name))) for c in pycountry.countries
    )
    return tuple(sorted(named))


@functools.cache
def currencies(lang: str) -> tuple[tuple[str, str], ...]:
    """(code, name in ``lang``) of every ISO 4217 currency, by code."""
    import pycountry

    tr = _translate("iso4217", lang)
    return tuple(sorted((c.alpha_3, tr.gettext(c.name)) for c in pycountry.currencies))


def fact_options(fact: FactDef, lang: str) -> list[tuple[str, str]]:
    """(label, id) of every value ``fact`` is picked from; empty for typed facts.

    Country labels carry both languages (``DE · 德国 · Germany``) so either can be searched.
    """
    if fact.type == "choice":
        return [(c.text.get(lang), c.id) for c in fact.choices]
    if fact.type == "currency":
        return [(f"{code}{SEPARATOR}{name}", code) for code, name in currencies(lang)]
    if fact.type == "country":
        english = dict(countries("en"))
        out = []
        for code, name in countries(lang):
            names = [name] if name == english[code] else [name, english[code]]
            out.append((SEPARATOR.join([code, *names]), code))
        return out
    return []


def option_value(fact: FactDef, typed: str, lang: str) -> str:
    """The id a picked or typed value stands for: a label's id, else the text as typed.

    A country typed as its code or picked by its label gives the code; anything else is
    passed on as typed, and ``parse_fact`` says what is wrong with it.
    """
    text = typed.strip()
    if not text or fact.type not in PICKED_TYPES:
        return typed
    for label, ident in fact_options(fact, lang):
        if text == label or text.casefold() == ident.casefold():
            return ident
    head = text.split(SEPARATOR, 1)[0].strip()
    if head != text and any(head.casefold() == i.casefold() for _, i in fact_options(fact, lang)):
        return head.upper()
    return typed
