"""Inputs of the facts form: a text box per fact; dates and times also get a picker.

The text box holds the fact's value (staff may type it); the picker next to it only
writes what was picked into the box, in the form's format, in UTC (the label says so).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ipywidgets as w

from playbook.library.model import FactDef

PICKERS = {"datetime": w.NaiveDatetimePicker, "date": w.DatePicker}


def picked_text(kind: str, value: Any) -> str | None:
    """How a picked date or time is typed into the form, or None for anything else.

    The picker's value comes from the browser and is not trusted: only a real date (for a
    date fact) or date and time (for a datetime fact) is copied.
    """
    if kind == "datetime" and isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if kind == "date" and isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    return None


def fact_input(fact: FactDef, value: str) -> tuple[w.Text | w.Textarea, w.Widget]:
    """The fact's text box (``.pb-fact-<id>``) and the row to show.

    The row is the box, plus a picker (``.pb-picker-<id>``) for dates and times.
    """
    cls = w.Textarea if fact.type == "longtext" else w.Text
    box = cls(value=value, placeholder=fact.example or "", layout=w.Layout(width="420px"))
    box.add_class(f"pb-fact-{fact.id}")
    if fact.type not in PICKERS:
        return box, box
    picker = PICKERS[fact.type](layout=w.Layout(width="auto"))
    picker.add_class("pb-picker")
    picker.add_class(f"pb-picker-{fact.id}")

    def copy(change: dict) -> None:
        typed = picked_text(fact.type, change["new"])
        if typed is not None:
            box.value = typed

    picker.observe(copy, names="value")
    return box, w.HBox([box, picker])
