"""Widget helpers shared by the panels."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def relabel(widget: Any, options: Iterable[tuple[str, str]]) -> None:
    """Give a selection widget new labels without losing what is selected.

    Assigning ``options`` resets the selection, which would fire the widget's observers
    twice; they are told to stand still through ``quiet(widget)`` meanwhile.
    """
    options = tuple(options)
    if tuple(widget.options) == options:
        return
    value = widget.value
    widget._pb_quiet = True
    try:
        widget.options = options
        if value in {v for _, v in options}:
            widget.value = value
    finally:
        widget._pb_quiet = False


def quiet(widget: Any) -> bool:
    """Whether ``widget`` is being relabelled (its value changes are not the user's)."""
    return getattr(widget, "_pb_quiet", False)
