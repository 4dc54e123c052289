"""The lessons page: where disputes come from, how they end, and whether the fixes work.

Built on :mod:`playbook.lessons.analytics`. The case table is read from the store once (and
again on Refresh); filters redraw from it in memory. The page is put together from the filter
row (``lessons_filters``), the tabs with their charts (``lessons_tabs``) and the fix form
(``lessons_fix``); it holds what they share: the case table, the selection, the fixes.
"""

from __future__ import annotations

from pathlib import Path

import ipywidgets as w
import pandas as pd

from playbook.cases.session import utcnow
from playbook.config import REPO_ROOT
from playbook.errors import PlaybookError
from playbook.lessons import analytics as an
from playbook.lessons.store import LessonsStore
from playbook.library.library import Library
from playbook.ui.feedback import error_html
from playbook.ui.html import esc, tag
from playbook.ui.lessons_filters import LessonsFilters
from playbook.ui.lessons_fix import FixForm
from playbook.ui.lessons_render import LESSONS_STYLE, LessonsText
from playbook.ui.lessons_tabs import TABS, LessonsTabs
from playbook.ui.page import Clock, Page
from playbook.ui.widgets import classed, html_box

__all__ = ["TABS", "LessonsPanel"]


class LessonsPanel(Page):
    """The whole lessons page as one widget tree (``panel.widget``).

    Its parts: ``filters`` (the filter row), ``tabs`` (the charts) and ``fix_form``.
    """

    def __init__(
        self,
        library: Library,
        lessons: LessonsStore | None = None,
        clock: Clock = utcnow,
        lang: str = "zh",
        user: str | None = None,
        orders_dir: Path | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        """Build the page and draw it from the store.

        Args:
            library: the library.
            lessons: the lessons view of the case store; None shows the empty state.
            clock: the current UTC time (open/overdue now, the end of fix windows).
            lang: 'zh' or 'en'.
            user: the acting person when the server knows it (recording a fix asks otherwise).
            orders_dir: order files may only be loaded from under this folder (default data/).
            cache_dir: where the case table is kept between page views (``read_cases``); None
                reads every case each time.
        """
        super().__init__(lang, clock=clock)
        self.lib = library
        self.config = library.lessons
        self.lessons, self.user = lessons, user
        self.orders_dir = Path(orders_dir or REPO_ROOT / "data").resolve()
        self.cache_dir = cache_dir
        self.orders: pd.DataFrame | None = None
        self.table = pd.DataFrame()  # one row per case; read by refresh()
        self.fixes = pd.DataFrame()
        self.shown: pd.DataFrame | None = None  # the cases the filters select
        self.filters_now: an.Filters | None = None  # the filters they were selected with
        self.header.add_class("pb-header")
        self.summary = html_box("pb-summary")
        self.empty = html_box("pb-empty-state")
        self.filters = LessonsFilters(self)
        self.fix_form = FixForm(self)
        self.tabs = LessonsTabs(self, self.fix_form.widget)
        self.content = w.VBox([self.filters.widget, self.summary, self.tabs.widget])
        self.widget = classed(
            w.VBox([self.header, self.lang_toggle, self.message, self.empty, self.content]),
            "pb-app",
            "pb-lessons",
        )
        self.refresh()

    @property
    def texts(self) -> LessonsText:
        """The page's texts and views in its language."""
        return LessonsText(self.lib, self.config, self.lang)

    @property
    def ready(self) -> bool:
        """Whether there are cases and a selection to draw the tabs from."""
        return len(self.table) > 0 and self.shown is not None

    # --- data --------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the cases (joined with the loaded orders) and fixes again, then redraw."""
        if self.lessons is None:
            self.table, self.fixes = pd.DataFrame(), pd.DataFrame()
        else:
            self.table = self.lessons.read_cases(self.orders, cache_dir=self.cache_dir)
            self.fixes = self.lessons.fixes()
        self.render()

    def fix_recorded(self, fix_id: int) -> None:
        """Read the fixes again and show the one just recorded."""
        self.fixes = self.lessons.fixes()
        self.tabs.render_fix_pick()
        self.tabs.fix_pick.value = fix_id
        if self.ready:
            self.tabs.draw("fixes")

    # --- rendering ---------------------------------------------------------------------------

    def render(self) -> None:
        """Labels in the page language, the summary, and the visible tab (others go stale)."""
        label = esc(self.t("lessons.to_staff"))
        link = f'<a class="pb-link-staff" href="staff.ipynb?lang={self.lang}">{label}</a>'
        self.header.value = self.heading(
            "lessons.title", "lessons.subtitle", style=LESSONS_STYLE, after=" · " + link
        )
        self.filters.render()
        self.tabs.render()
        self.fix_form.render()
        has_cases = len(self.table) > 0
        self.empty.value = (
            "" if has_cases else tag("div", esc(self.t("lessons.empty")), "pb-empty")
        )
        self.content.layout.display = "" if has_cases else "none"
        if not has_cases:
            return
        try:
            filters = self.filters.current()
        except PlaybookError as err:
            self.message.value = error_html(err.render(self.lang))
            return
        self.shown = an.select_cases(self.table, filters)
        self.filters_now = filters
        everywhere = an.select_cases(self.table, filters, dates=False)
        self.summary.value = self.texts.kpis(self.shown, an.open_now(everywhere, self.clock()))
        self.tabs.draw(self.tabs.visible)
