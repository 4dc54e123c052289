"""Inputs of the facts form, by the fact's type in data/facts.yaml.

- ``choice`` facts: a dropdown of their choices in the page's language (the case keeps the id);
- ``currency``: a dropdown of ISO 4217 codes; ``country``: a searchable list (type the code,
  the Chinese or the English name) of ISO 3166 codes; both from
  ``playbook.scenarios.fact_options``;
- ``money``: a number box written back with two decimals once the person leaves it;
- ``date`` / ``datetime``: a text box (type it) and a picker that writes into the box, in UTC;
- ``longtext``: a text area; anything else a text box.

Each input carries its label as its ``description`` (a ``<label for=...>`` tied to the input in
the browser). ``FactField.raw()`` is what is passed to ``CaseSession.start``: untrusted text or
ids that the session checks.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

import ipywidgets as w

from playbook.library.model import FactDef
from playbook.scenarios.fact_options import fact_options, option_value
from playbook.ui.html import esc, tag
from playbook.ui.widgets import classed, html_box

PICKERS = {"datetime": w.NaiveDatetimePicker, "date": w.DatePicker}
BLANK = ""  # a dropdown's "nothing picked" value
LABEL_STYLE = {"description_width": "initial"}


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


def money_text(value: Any) -> str | None:
    """A typed amount written with two decimals (``24.9`` -> ``24.90``), None if it is none.

    Only a finite amount of 0 or more with at most two decimals is rewritten; anything else
    stays as typed, and the session says what is wrong with it when Start is pressed.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        amount = Decimal(value.strip().replace(",", ""))
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0 or amount.as_tuple().exponent < -2:
        return None
    return f"{amount:.2f}"


class FactField:
    """One fact's row: a heading slot, its input (labelled), a hint and an error line.

    ``parts`` are the widgets put into the form (flat: one box for the whole form keeps the
    page light); ``box`` is the input holding the value.
    """

    def __init__(self, fact: FactDef, lang: str) -> None:
        """Build the inputs of ``fact``, labelled in ``lang``."""
        self.fact = fact
        self.required = False
        self.head = html_box("pb-facts-head")
        self.hint = html_box("pb-fact-hint")
        self.error = html_box("pb-field-error", f"pb-fact-error-{fact.id}")
        self.picker: w.Widget | None = None
        kind = fact.type
        common = {"style": LABEL_STYLE, "layout": w.Layout(width="100%", max_width="560px")}
        if kind in ("choice", "currency"):
            self.box: w.Widget = w.Dropdown(options=[("—", BLANK)], value=BLANK, **common)
        elif kind == "country":
            self.box = w.Combobox(value="", ensure_option=False, **common)
        elif kind == "longtext":
            self.box = w.Textarea(value="", **common)
        elif kind == "money":
            # the value comes back when the person leaves the box; it is then written with
            # two decimals (money_text)
            self.box = w.Text(value="", continuous_update=False, **common)
            self.box.observe(self._on_money, names="value")
        else:
            self.box = w.Text(value="", **common)
        if kind not in ("choice", "currency"):
            self.box.placeholder = fact.example or ""
        classed(self.box, "pb-fact", f"pb-fact-{fact.id}")
        row: w.Widget = self.box
        if kind in PICKERS:
            self.picker = classed(
                PICKERS[kind](layout=w.Layout(width="auto"), style=LABEL_STYLE),
                "pb-picker",
                f"pb-picker-{fact.id}",
            )
            self.picker.observe(self._on_pick, names="value")
            row = classed(w.HBox([self.box, self.picker]), "pb-fact-row")
        self.parts = [self.head, row, self.hint, self.error]
        self.relabel(lang, required=False)

    def relabel(
        self, lang: str, *, required: bool, utc: str = "", mark: str = "", pick: str = ""
    ) -> None:
        """Label the input in ``lang``.

        Args:
            lang: the page's language.
            required: whether the dispute on screen needs the fact (``mark`` is then shown).
            utc: a note shown for times ("UTC"), before the fact's help.
            mark: the "required" mark.
            pick: the label of a date picker beside the box.
        """
        self.required = required
        fact = self.fact
        label = fact.label.get(lang)
        self.box.description = f"{label} ({mark})" if required and mark else label
        if self.picker is not None:
            self.picker.description = pick
            self.picker.tooltip = label
        options = fact_options(fact, lang)
        listed = (("—", BLANK), *options)
        if isinstance(self.box, w.Dropdown) and tuple(self.box.options) != listed:
            current = self.box.value
            self.box.options = listed
            self.box.value = current if current in {v for _, v in options} else BLANK
        elif isinstance(self.box, w.Combobox) and tuple(self.box.options) != tuple(
            lbl for lbl, _ in options
        ):
            typed = str(self.box.value)
            code = self._country_code(typed)
            self.box.options = [lbl for lbl, _ in options]
            match = next((lbl for lbl, ident in options if ident == code), None)
            if match is not None and typed != match:
                self.box.value = match
        help_text = fact.help.get(lang) if fact.help else ""
        self.hint.value = (
            tag("span", esc(" · ".join(p for p in (utc, help_text) if p)), "pb-muted")
            if utc or help_text
            else ""
        )

    def raw(self) -> str:
        """The value to start the case with: an id for picked facts, else the text typed."""
        value = "" if self.box.value is None else str(self.box.value)
        if self.fact.type == "country":
            return self._country_code(value)
        return value

    def _country_code(self, typed: str) -> str:
        # a label of either language (the list may be relabelled while the person types)
        code = option_value(self.fact, typed, "zh")
        return code if code != typed else option_value(self.fact, typed, "en")

    def clear(self) -> None:
        """Empty the input (a new dispute starts from an empty form)."""
        self.box.value = BLANK
        if self.picker is not None:
            self.picker.value = None
        self.error.value = ""

    def show(self, shown: bool) -> None:
        """Show or hide the whole row."""
        for part in self.parts:
            part.layout.display = "" if shown else "none"

    def _on_pick(self, change: dict) -> None:
        typed = picked_text(self.fact.type, change["new"])
        if typed is not None:
            self.box.value = typed

    def _on_money(self, change: dict) -> None:
        written = money_text(change["new"])
        if written is not None and written != change["new"]:
            self.box.value = written
