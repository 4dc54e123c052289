"""The lessons page's fix form: a root cause, the day the fix took effect, what was changed.

What is typed goes to ``LessonsStore.record_fix`` as it is: the store checks every value (and,
on a team server, that the signed-in person may record a fix).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import ipywidgets as w

from playbook.errors import StoreError
from playbook.lessons.store import LessonsStore
from playbook.library.library import Library
from playbook.ui.feedback import show_errors
from playbook.ui.html import esc, tag
from playbook.ui.lessons_render import LessonsText
from playbook.ui.page import Host, Part
from playbook.ui.widgets import button, classed, relabel, text_box


class FixHost(Host, Protocol):
    """What the fix form needs from the lessons page (``fix_recorded``: show the new fix)."""

    lib: Library
    lessons: LessonsStore | None
    user: str | None
    texts: LessonsText
    fix_recorded: Callable[[int], None]


class FixForm(Part):
    """The "record a fix" form (``widget``).

    The name field shows only when the server does not name the acting person.
    """

    page: FixHost

    def __init__(self, page: FixHost) -> None:
        """Build the form for ``page``.

        Args:
            page: the lessons page (library, lessons store, acting user, language, messages).
        """
        super().__init__(page)
        self.cause = classed(w.Dropdown(), "pb-fix-cause")
        self.date = classed(w.DatePicker(), "pb-fix-date")
        self.title = text_box("pb-fix-title")
        self.actor = classed(
            w.Text(layout=w.Layout(display="none" if page.user else "")), "pb-actor"
        )
        self.save = button("pb-fix-save", style="primary")
        self.heading = w.HTML()
        self.widget = w.VBox(
            [self.heading, self.cause, self.date, self.title, self.actor, self.save]
        )
        self.save.on_click(self._on_save)

    def render(self) -> None:
        """Labels and root-cause choices in the page's language."""
        t, texts = self.t, self.page.texts
        self.heading.value = tag("h3", esc(t("lessons.fix_new")))
        self.cause.description = t("lessons.cause")
        relabel(self.cause, tuple((texts.cause(c), c) for c in self.page.lib.root_causes))
        self.date.description = t("lessons.fix_from")
        self.title.description = t("lessons.fix_what")
        self.title.placeholder = t("lessons.fix_placeholder")
        self.actor.description = t("lessons.actor")
        self.save.description = t("lessons.fix_save")

    @show_errors
    def _on_save(self, _button: w.Button) -> None:
        lessons = self.page.lessons
        if lessons is None:
            raise StoreError("lessons.error.no_store")
        new_id = lessons.record_fix(
            root_cause=str(self.cause.value),
            title=str(self.title.value or ""),
            day=self.date.value,
            actor=self.page.user or str(self.actor.value or ""),
        )
        self.title.value = ""
        self.page.fix_recorded(new_id)
        self.message.value = tag("p", esc(self.t("lessons.fix_saved")), "pb-muted")
