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


def close_tree(widget: Any) -> None:
    """Close a widget and everything inside it, so the kernel and the page let go of it."""
    for child in getattr(widget, "children", ()):
        close_tree(child)
    for part in ("layout", "style"):  # each widget owns its own Layout and Style models
        sub = getattr(widget, part, None)
        if sub is not None:
            sub.close()
    widget.close()


def replace_children(box: Any, children: list[Any]) -> None:
    """Show ``children`` in ``box`` and close the ones they replace (re-renders leak otherwise)."""
    old = [c for c in box.children if c not in children]
    box.children = children
    for child in old:
        close_tree(child)
