"""Links between the pages ``make serve`` serves side by side (/voila/render/<notebook>).

Light on purpose: the staff page imports it, and must not pay for pandas or matplotlib.
"""

from __future__ import annotations

import ipywidgets as w

from playbook.i18n import text
from playbook.ui.html import esc

PAGES = {
    "staff": ("staff.ipynb", "lessons.to_staff"),
    "lessons": ("lessons.ipynb", "lessons.to_lessons"),
}


def page_link(page: str, lang: str = "zh") -> w.HTML:
    """A link to a sibling page (``staff`` or ``lessons``) in both languages' reach."""
    notebook, key = PAGES[page]
    label = f"{text(key, lang)} · {text(key, 'en' if lang == 'zh' else 'zh')}"
    link = w.HTML(f'<a class="pb-link-{page}" href="{notebook}">{esc(label)} →</a>')
    link.add_class("pb-nav")
    return link
