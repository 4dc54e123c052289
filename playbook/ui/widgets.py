"""Widget helpers shared by the panels: classed widgets, quiet relabelling, closing trees."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

import ipywidgets as w

ANY = ""  # a filter's "any" choice
W = TypeVar("W", bound=w.DOMWidget)


def classed(widget: W, *classes: str) -> W:
    """``widget`` with CSS classes added (the hooks of the page's style and of the tests)."""
    for cls in classes:
        widget.add_class(cls)
    return widget


def html_box(*classes: str) -> w.HTML:
    """An empty HTML widget with CSS classes."""
    return classed(w.HTML(), *classes)


def button(*classes: str, style: str = "") -> w.Button:
    """A button with CSS classes and a ``button_style`` (its label is set when rendering)."""
    return classed(w.Button(button_style=style), *classes)


def text_box(cls: str, width: str = "420px", **kwargs: Any) -> w.Text:
    """A text box ``width`` wide with a CSS class; ``kwargs`` go to ``ipywidgets.Text``."""
    return classed(w.Text(layout=w.Layout(width=width), **kwargs), cls)


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
