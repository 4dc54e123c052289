"""Scenario maps: DOT from a scenario, drawn to SVG by Graphviz (Debian's ``dot``).

Every step is a node (``id="step-<step id>"``) and every pair of steps joined by an option or a
route is one edge (``id="edge-<from>--<to>"``), labelled with the options' texts in the page's
language. A walked path is drawn solid red, an expected path dashed blue (both: solid purple),
and the current step gets a thick border; the same information is in each element's ``class``
(``on-path``, ``expected``, ``current``) for tests and styles. Labels go through
``graphviz.escape`` (no HTML labels, no escape sequences) and ``dot`` writes them as XML text,
so data cannot add markup to the SVG. Pure Python: no widgets.
"""

from __future__ import annotations

import hashlib
import re
import textwrap
from collections.abc import Sequence

import graphviz

from playbook.errors import PlaybookError
from playbook.library.model import Scenario, Step, routes

WALKED, EXPECTED, BOTH = "#b3261e", "#2f6db5", "#7b1fa2"
FILL = {"walked": "#fdecea", "expected": "#e3eefa", "both": "#efe3f7"}
SHAPES = {"question": "box", "action": "box", "info": "note", "outcome": "ellipse"}
FONT = "Noto Sans CJK SC"
SOURCE_MARK = "playbook-map-source"


def edges(scenario: Scenario) -> dict[tuple[str, str], list[str]]:
    """Every (from, to) pair of steps with the option ids leading along it ('' = next)."""
    out: dict[tuple[str, str], list[str]] = {}
    for step in scenario.steps:
        for option in step.options:
            for route in routes(option.next):
                out.setdefault((step.id, route.to), []).append(option.id)
        for route in routes(step.next):
            out.setdefault((step.id, route.to), []).append("")
    return out


def _wrap(text: str, lang: str) -> str:
    width = 12 if lang == "zh" else 22
    return "\n".join(textwrap.wrap(text, width=width, break_long_words=True)) or text


def _short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _mark(walked: bool, expected: bool) -> str:
    return (
        "both" if walked and expected else "walked" if walked else "expected" if expected else ""
    )


def scenario_dot(
    scenario: Scenario,
    lang: str = "en",
    *,
    path: Sequence[str] = (),
    expected: Sequence[str] = (),
    current: str | None = None,
) -> str:
    """The DOT source of ``scenario``'s map, labels in ``lang``.

    Args:
        scenario: the scenario to draw, every step and every way between steps.
        lang: the language of the labels ("en" or "zh").
        path: the steps walked, in order (drawn red).
        expected: the expected path, in order (drawn dashed blue).
        current: the step to frame (default: the last of ``path``).
    """
    current = current or (path[-1] if path else None)
    walked_edges = set(zip(path, path[1:], strict=False))
    expected_edges = set(zip(expected, expected[1:], strict=False))
    dot = graphviz.Digraph(name=scenario.id)
    dot.attr(rankdir="TB", fontname=FONT, nodesep="0.3", ranksep="0.35")
    dot.attr("node", fontname=FONT, fontsize="11", style="rounded,filled", fillcolor="#ffffff")
    dot.attr("edge", fontname=FONT, fontsize="9", color="#777777")
    for step in scenario.steps:
        dot.node(step.id, **_node_attrs(step, lang, path, expected, current))
    for (a, b), options in edges(scenario).items():
        walked, exp = (a, b) in walked_edges, (a, b) in expected_edges
        mark = _mark(walked, exp)
        attrs = {"id": f"edge-{a}--{b}", "class": " ".join(["pb-edge", *_classes(walked, exp)])}
        label = _edge_label(scenario.step(a), options, lang)
        if label:
            attrs["label"] = graphviz.escape(label)
        if mark:
            color = {"walked": WALKED, "expected": EXPECTED, "both": BOTH}[mark]
            attrs.update(color=color, penwidth="2.5", fontcolor=color)
            if mark == "expected":
                attrs["style"] = "dashed"
        dot.edge(a, b, **attrs)
    return dot.source


def _classes(walked: bool, expected: bool) -> list[str]:
    return (["on-path"] if walked else []) + (["expected"] if expected else [])


def _node_attrs(
    step: Step, lang: str, path: Sequence[str], expected: Sequence[str], current: str | None
) -> dict[str, str]:
    walked, exp = step.id in path, step.id in expected
    classes = ["pb-node", f"kind-{step.kind}", *_classes(walked, exp)]
    attrs = {
        "label": graphviz.escape(_wrap(step.title.get(lang), lang)),
        "shape": SHAPES[step.kind],
        "id": f"step-{step.id}",
    }
    mark = _mark(walked, exp)
    if mark:
        attrs["fillcolor"] = FILL[mark]
    if step.kind == "question":
        attrs["style"] = "rounded,filled,bold"
    if step.id == current:
        classes.append("current")
        attrs.update(penwidth="3", color=WALKED)
    attrs["class"] = " ".join(classes)
    return attrs


def _edge_label(step: Step, options: list[str], lang: str) -> str:
    texts = [o.text.get(lang) for o in step.options if o.id in options]
    if not texts:
        return ""
    label = _short(texts[0], 24)
    return label if len(texts) == 1 else f"{label} (+{len(texts) - 1})"


def render_svg(
    scenario: Scenario,
    lang: str = "en",
    *,
    path: Sequence[str] = (),
    expected: Sequence[str] = (),
    current: str | None = None,
) -> str:
    """The map as an SVG element to put in a page or a file (no XML prolog or doctype).

    The SVG carries the SHA-256 of its DOT source in a comment, so a committed picture can
    be checked against the scenario without depending on the Graphviz version.

    Raises:
        PlaybookError: Graphviz's ``dot`` is not installed (``error.graphviz_missing``).
    """
    source = scenario_dot(scenario, lang, path=path, expected=expected, current=current)
    try:
        svg = graphviz.Source(source).pipe(format="svg", encoding="utf-8")
    except graphviz.ExecutableNotFound as exc:
        raise PlaybookError("error.graphviz_missing") from exc
    svg = svg[svg.index("<svg") :]
    if re.search(r"<script|<foreignObject|javascript:", svg, re.IGNORECASE):  # defence in depth
        raise PlaybookError("error.map_unsafe", scenario=scenario.id)
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()
    head_end = svg.index(">") + 1
    return f"{svg[:head_end]}\n<!-- {SOURCE_MARK}: {digest} -->{svg[head_end:]}"


def source_digest(svg: str) -> str | None:
    """The DOT-source digest a rendered map carries (None if it has none)."""
    found = re.search(rf"<!-- {SOURCE_MARK}: ([0-9a-f]{{64}}) -->", svg)
    return found.group(1) if found else None


def dot_digest(scenario: Scenario, lang: str = "en") -> str:
    """The digest ``render_svg`` would write for the plain map of ``scenario``."""
    return hashlib.sha256(scenario_dot(scenario, lang).encode("utf-8")).hexdigest()
