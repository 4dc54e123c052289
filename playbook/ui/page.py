"""The base every page stands on: language, catalogue text, message area, toggle and clock.

A ``Page`` is a whole page (staff, analyst, lessons, trainee, trainer): it holds the visitor's
language, the language toggle, the message area where ``show_errors`` puts what went wrong,
and the clock deadlines and figures are measured with. A ``Part`` is a piece of a page (a
view, a form, a list) that speaks the page's language and reports in the page's message area.
``Texts`` gives catalogue text in one language to both and to the HTML renderers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Protocol

import ipywidgets as w

from playbook.cases.session import utcnow
from playbook.i18n import LANGS as LANG_CODES
from playbook.i18n import text
from playbook.ui.feedback import show_errors
from playbook.ui.html import STYLE, esc, tag

LANGS = (("中文", "zh"), ("English", "en"))  # the language toggle's choices
Clock = Callable[[], dt.datetime]


def page_lang(lang: object, default: str = "zh") -> str:
    """``lang`` if the catalogue has it, else ``default`` (a URL or a widget may say anything)."""
    return lang if isinstance(lang, str) and lang in LANG_CODES else default


def duration(span: dt.timedelta, lang: str) -> str:
    """A time span as minutes and seconds in ``lang``."""
    minutes, seconds = divmod(int(span.total_seconds()), 60)
    return text("ui.t.duration", lang, minutes=minutes, seconds=seconds)


class Texts:
    """Catalogue text in one language: the base of pages and of the HTML renderers."""

    lang: str

    def t(self, key: str, **params: Any) -> str:
        """The catalogue text for ``key`` in this language, with ``params`` filled in."""
        return text(key, self.lang, **params)


class Page(Texts):
    """A whole page: language, message area, language toggle, header and clock.

    Subclasses build their widgets after ``Page.__init__`` and implement ``render``, which
    the toggle calls after the language changed.
    """

    def __init__(
        self,
        lang: object,
        *,
        default_lang: str = "zh",
        clock: Clock = utcnow,
        toggle: str = "pb-lang",
    ) -> None:
        """Set up what every page has.

        Args:
            lang: the language asked for ('zh' or 'en'; anything else gives ``default_lang``).
            default_lang: the page's language when ``lang`` is not one.
            clock: returns the current UTC time (tests pass another).
            toggle: the CSS class of the language toggle.
        """
        self.lang = page_lang(lang, default_lang)
        self.clock = clock
        self.header = w.HTML()
        self.message = w.HTML()
        self.message.add_class("pb-message")
        self.lang_toggle = w.ToggleButtons(options=LANGS, value=self.lang)
        self.lang_toggle.add_class(toggle)
        self.lang_toggle.observe(self._on_lang_change, names="value")

    def render(self) -> None:
        """Redraw the page in the current language."""
        raise NotImplementedError

    def heading(self, title: str, subtitle: str, *, style: str = "", after: str = "") -> str:
        """The header's HTML: the shared styles and ``style``, a title, a muted subtitle.

        Args:
            title: catalogue key of the title.
            subtitle: catalogue key of the subtitle.
            style: the page's own ``<style>`` block.
            after: safe HTML put after the subtitle (a link to a sibling page).
        """
        return (
            STYLE
            + style
            + tag("h2", esc(self.t(title)))
            + tag("p", esc(self.t(subtitle)) + after, "pb-muted")
        )

    @show_errors
    def _on_lang_change(self, change: dict) -> None:
        if change["new"] in LANG_CODES:  # the toggle's value comes from the browser
            self.lang = change["new"]
            self.render()


class Host(Protocol):
    """What a part needs from the page (or the larger part) it sits on."""

    lang: str
    message: w.HTML
    t: Callable[..., str]


class Part:
    """A piece of a page: it speaks the page's language and reports in its message area.

    ``show_errors`` on a part's callbacks shows errors in the page's message area.
    """

    def __init__(self, page: Host) -> None:
        """Attach the part to ``page`` (a ``Page``, or a part it sits in).

        Args:
            page: where the part sits; it gives the language and the message area.
        """
        self.page = page

    @property
    def lang(self) -> str:
        """The page's language."""
        return self.page.lang

    @property
    def message(self) -> w.HTML:
        """The page's message area."""
        return self.page.message

    def t(self, key: str, **params: Any) -> str:
        """Catalogue text in the page's language."""
        return self.page.t(key, **params)
