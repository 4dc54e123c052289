"""Scenario maps: every step and edge drawn, the walked path highlighted, labels escaped.

The README's picture is up to date. Rendered by the real Graphviz ``dot``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from playbook.cli import main
from playbook.config import REPO_ROOT
from playbook.library.library import Library
from playbook.library.model import Scenario
from playbook.scenarios.diagram import dot_digest, edges, render_svg, source_digest
from playbook.scenarios.engine import explore
from tests.store_fixtures import new_walk

SVG = "{http://www.w3.org/2000/svg}"
README_MAP = REPO_ROOT / "docs" / "map-unfulfilled-order.svg"


def groups(svg: str) -> dict[str, set[str]]:
    """Every <g> element's id with its classes."""
    root = ET.fromstring(svg)
    return {g.get("id"): set(g.get("class", "").split()) for g in root.iter(f"{SVG}g")}


def texts(svg: str) -> str:
    return " ".join(t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_step_and_edge_is_drawn(lib: Library, lang: str) -> None:
    for scenario in lib.scenarios.values():
        svg = render_svg(scenario, lang)
        found = groups(svg)
        for step in scenario.steps:
            assert f"step-{step.id}" in found, (scenario.id, step.id)
        pairs = edges(scenario)
        for a, b in pairs:
            assert f"edge-{a}--{b}" in found, (scenario.id, a, b)
        assert len([g for g in found if g.startswith("edge-")]) == len(pairs)
        drawn = texts(svg).replace(" ", "")
        for step in scenario.steps:
            assert step.title.get(lang).replace(" ", "")[:6] in drawn


def test_highlighted_path_is_the_walk(lib: Library) -> None:
    raw = {
        "order_id": "x1",
        "buyer_name": "B",
        "store_name": "S",
        "order_total": "8",
        "currency": "USD",
    }
    walks = list(explore(new_walk(lib, "item-mismatch", raw)))
    assert len(walks) > 5
    for walk in walks[:: max(1, len(walks) // 6)]:
        found = groups(render_svg(walk.scenario, "en", path=walk.path))
        on_nodes = {k.removeprefix("step-") for k, c in found.items() if "on-path" in c}
        on_edges = {k.removeprefix("edge-") for k, c in found.items() if "on-path" in c} - {
            f"step-{s}" for s in walk.path
        }
        assert on_nodes - {k for k in on_nodes if "--" in k} == set(walk.path)
        assert {e for e in on_edges if "--" in e} == {
            f"{a}--{b}" for a, b in zip(walk.path, walk.path[1:], strict=False)
        }
        current = [k for k, c in found.items() if "current" in c]
        assert current == [f"step-{walk.path[-1]}"]


def test_expected_path_is_styled_apart(lib: Library) -> None:
    sc = lib.scenario("unfulfilled-order")
    svg = render_svg(
        sc,
        "en",
        path=["find-cause", "past-deadline"],
        expected=["find-cause", "contact-buyer"],
    )
    found = groups(svg)
    assert {"on-path", "expected"} <= found["step-find-cause"]
    assert "expected" in found["edge-find-cause--contact-buyer"]
    assert "on-path" not in found["edge-find-cause--contact-buyer"]
    assert "on-path" in found["edge-find-cause--past-deadline"]
    assert "stroke-dasharray" in svg  # the expected-only edge is dashed


def test_labels_cannot_add_markup(lib: Library) -> None:
    raw = lib.scenario("item-mismatch").model_dump(by_alias=True, exclude_none=True)
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>"  # an HTML-like DOT label
    raw["steps"][0]["title"] = {"en": evil, "zh": evil}
    raw["steps"][1]["title"] = {"en": 'a \\N "q" \\l', "zh": "x"}  # DOT escape sequences
    scenario = Scenario.model_validate(raw)
    svg = render_svg(scenario, "en")
    root = ET.fromstring(svg)  # still well-formed XML
    assert not list(root.iter(f"{SVG}script"))
    assert not list(root.iter(f"{SVG}img"))
    assert "<script" not in svg
    assert "<img" not in svg
    assert "alert(1)" in texts(svg).replace(" ", "")


def test_cli_writes_the_map(
    lib: Library, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "map.svg"
    assert main(["diagram", "item-mismatch", "--lang", "en", "--out", str(out)]) == 0
    title = lib.scenario("item-mismatch").steps[0].title.en
    assert title.split()[0] in texts(out.read_text(encoding="utf-8"))
    assert main(["diagram", "no-such-scenario"]) == 2
    assert "no-such-scenario" in capsys.readouterr().err


def test_readme_map_is_current(lib: Library) -> None:
    """The committed picture was drawn from today's scenario; `make map` redraws it."""
    assert "docs/map-unfulfilled-order.svg" in (REPO_ROOT / "README.md").read_text()
    committed = source_digest(README_MAP.read_text(encoding="utf-8"))
    assert committed == dot_digest(lib.scenario("unfulfilled-order"), "en"), (
        "docs/map-unfulfilled-order.svg is stale: run `make map`"
    )
