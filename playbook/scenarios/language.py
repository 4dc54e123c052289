"""Language rules for every text people read, in both languages, and the glossary.

- Chinese uses full-width punctuation (GB/T 15834): no ASCII ``, ; : ? ! ( ) "`` in a Chinese
  text, outside ``{placeholders}``, URLs, times and digit groups
  (``scripts/zh_punctuation.py`` rewrites a file);
- no line break in the middle of a Chinese sentence (after ``，、``);
- English has no "(s)" plurals (the message layer has ``{count:case|cases}``), and no "a"/"an"
  before a ``{policy:KEY}`` number ("a 8 hours hold");
- one term, one translation: data/glossary.yaml lists each term's English and Chinese, the
  wordings to avoid, and where the term is used (checked against the data).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from playbook.library.library import Library, Problem
from playbook.library.model import GlossaryTerm
from playbook.scenarios.claims import AREAS, Site, located, sites

HAN = re.compile(r"[\u3400-\u9fff]")
PROTECTED = re.compile(r"\{[^{}]*\}|https?://\S+|\d{1,2}:\d{2}|\d,\d{3}|HH:MM")
ASCII_MARKS = re.compile(r"[,;:?!()\"]")
ALNUM = re.compile(r"[A-Za-z0-9]")
BROKEN_LINE = re.compile(r"[，、]\n")
PLURAL_HACK = re.compile(r"\w\(s\)")
ARTICLE = re.compile(r"\b[Aa]n? \{policy:")
LANGS = ("en", "zh")


def _problems_in(site: Site, lang: str, value: str) -> Iterator[str]:
    if lang == "zh" and HAN.search(value):
        bare = PROTECTED.sub("\u3000", value)  # a placeholder reads as Chinese here
        marks = sorted(
            {
                m.group(0)
                for m in ASCII_MARKS.finditer(bare)
                if m.group(0) in '()"'
                or not (
                    ALNUM.match(bare[: m.start()].rstrip(" ")[-1:] or " ")
                    and ALNUM.match(bare[m.end() :].lstrip(" ")[:1] or " ")
                )
            }
        )
        if marks:
            yield (
                f"ASCII punctuation {' '.join(marks)} in Chinese text; use full-width "
                "，；：？！（）“” (scripts/zh_punctuation.py rewrites a file)"
            )
        if BROKEN_LINE.search(value):
            yield "a line break in the middle of a Chinese sentence; join the lines"
    if lang == "en":
        if PLURAL_HACK.search(value):
            yield 'a "(s)" plural; write {count:one|many} (the message layer picks the form)'
        if ARTICLE.search(value):
            yield '"a"/"an" before a {policy:KEY} number reads "a 8 hours"; rephrase'


_WORD_CHAR = re.compile(r"[\w-]")


def _finder(term: str, lang: str) -> Callable[[str, str], bool]:
    """Whether a text (as written, and lower-cased) contains ``term``.

    As written in Chinese; as a whole word, in any case, in English: the lower-cased word, not
    followed by a letter, digit, '_' or '-', nor preceded by one (checked at each place the
    word's letters are found: a scan for the letters is far faster than a pattern that starts
    with a look-behind).
    """
    if lang == "zh":
        return lambda value, _lowered: term in value
    low = term.lower()
    word = re.compile(rf"{re.escape(low)}(?![\w-])")

    def finds(_value: str, lowered: str) -> bool:
        found = word.search(lowered) if low in lowered else None
        while found is not None:
            at = found.start()
            if at == 0 or not _WORD_CHAR.match(lowered[at - 1]):
                return True
            found = word.search(lowered, at + 1)  # overlapping places too
        return False

    return finds


def check_language(lib: Library) -> list[Problem]:
    """Punctuation, line breaks, plurals and the glossary, in every text people read."""
    problems: list[Problem] = []
    every = [(site, lang, getattr(site.text, lang) or "") for site in sites(lib) for lang in LANGS]
    # A term is looked for once in all the texts of an area (a line break between texts: no
    # term spans two); a wording to avoid, in each text of the areas where it appears at all.
    joined: dict[tuple[str, str], list[str]] = {}
    for site, lang, value in every:
        joined.setdefault((site.area, lang), []).append(value)
    # per language: (term id, finds its word, [(the message for a wording to avoid, finds it)])
    glossary = {
        lang: [
            (
                term.id,
                _finder(mine, lang),
                [
                    (
                        f"'{avoid}': the glossary's word for '{term.en}' is '{mine}' "
                        "(data/glossary.yaml)",
                        _finder(avoid, lang),
                    )
                    for avoid in getattr(term.avoid, lang)
                ],
            )
            for term in lib.glossary.values()
            for mine in [term.zh if lang == "zh" else term.en]
        ]
        for lang in LANGS
    }
    used: dict[str, set[str]] = {t.id: set() for t in lib.glossary.values()}
    avoided: dict[tuple[str, str], list[tuple[str, Callable[[str, str], bool]]]] = {}
    for (area, lang), values in joined.items():
        text = "\n".join(values)
        lowered = text.lower()
        avoided[area, lang] = []
        for term_id, has_mine, avoids in glossary[lang]:
            if has_mine(text, lowered):
                used[term_id].add(area)
            avoided[area, lang] += [(m, has) for m, has in avoids if has(text, lowered)]
    for site, lang, value in every:
        found = list(_problems_in(site, lang, value))
        if avoided[site.area, lang]:
            lowered = value.lower()
            found += [message for message, has in avoided[site.area, lang] if has(value, lowered)]
        if found:  # where a text is, only for texts with a problem (it is not cheap)
            file, where, line = located(lib, site, lang)
            problems += [Problem(file, where, message, line) for message in found]
    problems.extend(_glossary_where(lib, used, {site.area for site, _, _ in every}))
    return problems


def _glossary_where(lib: Library, used: dict[str, set[str]], present: set[str]) -> list[Problem]:
    """Each term's `where` lists exactly the areas (of those this library has) using it."""
    out = []
    for i, term in enumerate(lib.glossary.values()):
        found = [a for a in AREAS if a in used[term.id]]
        if [a for a in term.where if a in present] != found:
            file, line = lib.where("glossary", term.id, (i, "where"))
            out.append(
                Problem(
                    file, f"{i}.where",
                    f"'{term.en}' / '{term.zh}' is used in {found}, not {list(term.where)}",
                    line,
                )
            )  # fmt: skip
    return out


def glossary_markdown(terms: list[GlossaryTerm]) -> str:
    """The glossary as a Markdown table (README and docs)."""
    rows = ["| term | 中文 | avoid | used in |", "|---|---|---|---|"]
    for t in terms:
        avoid = ", ".join([*t.avoid.en, *t.avoid.zh]) or "-"
        rows.append(f"| {t.en} | {t.zh} | {avoid} | {', '.join(t.where)} |")
    return "\n".join(rows) + "\n"
