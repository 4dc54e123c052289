"""The scenario map as a widget: a "Map" toggle and the SVG, for any page with a walk.

The staff page shows it beside the current step (walked path and current step highlighted);
the training end screen shows the trainee's path and the expected path. The SVG comes from
``playbook.scenarios.diagram.render_svg`` (labels escaped, checked for script) and is drawn
only while the map is open.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import ipywidgets as w

from playbook.i18n import text
from playbook.library.model import Scenario
from playbook.scenarios.diagram import render_svg
from playbook.scenarios.engine import Walk
from playbook.ui.feedback import show_errors
from playbook.ui.html import esc, tag
from playbook.ui.page import Host, Part

MAP_STYLE = (
    "<style>.pb-map { max-width: 560px; overflow: auto; border-left: 1px solid #ddd; "
    "padding-left: 8px; } .pb-map svg { max-width: 100%; height: auto; } "
    ".pb-map-legend span { margin-right: 12px; }</style>"
)


def map_html(
    scenario: Scenario,
    lang: str,
    *,
    path: Sequence[str] = (),
    expected: Sequence[str] = (),
    current: str | None = None,
) -> str:
    """The map of ``scenario`` with a legend, as HTML for an HTML widget."""
    svg = render_svg(scenario, lang, path=path, expected=expected, current=current)
    legend = [
        f'<span style="color:#b3261e">━ {esc(text("ui.map_walked", lang))}</span>',
    ]
    if expected:
        legend.append(f'<span style="color:#2f6db5">┅ {esc(text("ui.map_expected", lang))}</span>')
        legend.append(f'<span style="color:#7b1fa2">━ {esc(text("ui.map_both", lang))}</span>')
    return MAP_STYLE + tag("div", "".join(legend), "pb-map-legend") + svg


class MapHost(Host, Protocol):
    """What the map needs from the view it sits beside: the open walk, or None."""

    walk: Walk | None


class MapView(Part):
    """A "Map" toggle button and the map beside a walk."""

    page: MapHost

    def __init__(self, page: MapHost) -> None:
        """Build the toggle and the (closed) map.

        Args:
            page: the view with the walk (language, message area, ``walk``).
        """
        super().__init__(page)
        self.toggle = w.ToggleButton(value=False, icon="")
        self.toggle.add_class("pb-map-toggle")
        self.html = w.HTML()
        self.html.add_class("pb-map")
        self.html.layout.display = "none"
        self.toggle.observe(self._on_toggle, names="value")

    def render(self) -> None:
        """Label the toggle; draw the map of the open walk while the map is open."""
        self.toggle.description = self.t("ui.map")
        walk = self.page.walk
        if not self.toggle.value or walk is None:
            self.html.value, self.html.layout.display = "", "none"
            return
        self.html.value = map_html(walk.scenario, self.lang, path=walk.path)
        self.html.layout.display = ""

    @show_errors
    def _on_toggle(self, change: dict) -> None:
        self.render()
