"""Links between the pages ``make serve`` serves side by side (/voila/render/<notebook>).

Light on purpose: the staff page imports it, and must not pay for pandas or matplotlib.
"""

from __future__ import annotations

import os

import ipywidgets as w

from playbook.cases.roles import identity_from_env
from playbook.i18n import text
from playbook.load import load_library
from playbook.ui.html import esc

PAGE_ACTIONS = {"lessons": "lessons"}  # the role action a page needs on a team server
PAGES = {
    "staff": ("staff.ipynb", "lessons.to_staff"),
    "lessons": ("lessons.ipynb", "lessons.to_lessons"),
}


def page_link(page: str, lang: str = "zh") -> w.HTML:
    """A link to a sibling page (``staff`` or ``lessons``) in both languages' reach.

    On a team server the link is left out (an empty widget) for a person whose roles do not
    open that page (the lessons page is for leads): no link that leads to a refusal.
    """
    notebook, key = PAGES[page]
    load_library()  # its message catalogue: the link is drawn before the page loads it
    identity = identity_from_env(os.environ)
    if identity is not None and page in PAGE_ACTIONS and not identity.may(PAGE_ACTIONS[page]):
        return w.HTML()
    label = f"{text(key, lang)} · {text(key, 'en' if lang == 'zh' else 'zh')}"
    link = w.HTML(f'<a class="pb-link-{page}" href="{notebook}">{esc(label)} →</a>')
    link.add_class("pb-nav")
    return link
