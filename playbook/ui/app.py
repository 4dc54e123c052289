"""Entry points the notebooks call: build a page, return the widget to display."""

from __future__ import annotations

import logging

import ipywidgets as w

from playbook.ui.staff_panel import StaffPanel


def staff_page(lang: str = "zh") -> w.Widget:
    """The staff dispute page (notebooks/staff.ipynb)."""
    logging.basicConfig(level=logging.INFO)
    return StaffPanel(lang=lang).widget
