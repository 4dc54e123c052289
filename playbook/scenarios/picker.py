"""The order and groups of the staff page's dispute picker, from ``data/picker.yaml``.

``picker_sections`` is what the page shows: per platform (a heading only when the library has
scenarios of several), the groups in the order of their most common dispute, each group's
scenarios by rank, then the scenarios the file does not rank yet (by title) under its
``other`` heading. ``check_picker`` is the file's cross-check (``python -m playbook check``).
Pure Python: no widgets.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from playbook.library.library import Library, Problem
from playbook.library.model import Scenario, Text
from playbook.library.yamlio import line_of

OTHER = "other"  # the id of the group of scenarios the file does not list


@dataclass(frozen=True)
class PickerItem:
    """One dispute in the picker and the line that says when to pick it (None: not ranked)."""

    scenario: Scenario
    when: Text | None


@dataclass(frozen=True)
class PickerSection:
    """A heading of the picker and its disputes, in the order shown."""

    platform: str
    group: str
    title: Text | None  # None only for an "other" group when the library has no picker file
    items: tuple[PickerItem, ...]


def picker_sections(lib: Library, hidden: Collection[str] = ()) -> list[PickerSection]:
    """The picker's sections in the order the page shows them (see the module docstring).

    Scenarios of a platform in ``hidden`` (``Settings.hidden_platforms``) are left out; the
    platform heading shows when more than one platform is left.
    """
    conf = lib.picker
    entries = {e.scenario: e for e in conf.scenarios} if conf else {}
    titles = {g.id: g.title for g in conf.groups} if conf else {}
    group_order = {g.id: i for i, g in enumerate(conf.groups)} if conf else {}
    by_platform: dict[str, list[Scenario]] = {}
    shown = set(lib.platforms(hidden=hidden))
    for scenario in lib.scenarios.values():
        if scenario.platform not in shown:
            continue
        by_platform.setdefault(scenario.platform, []).append(scenario)

    def best_rank(scenarios: list[Scenario]) -> tuple[int, str]:
        ranks = [entries[s.id].rank for s in scenarios if s.id in entries]
        return (min(ranks) if ranks else 10**9, scenarios[0].platform)

    sections: list[PickerSection] = []
    for platform, scenarios in sorted(by_platform.items(), key=lambda kv: best_rank(kv[1])):
        groups: dict[str, list[Scenario]] = {}
        others = []
        for scenario in scenarios:
            entry = entries.get(scenario.id)
            if entry is None or entry.group not in titles:
                others.append(scenario)
            else:
                groups.setdefault(entry.group, []).append(scenario)
        ordered = sorted(
            groups.items(),
            key=lambda kv: (min(entries[s.id].rank for s in kv[1]), group_order[kv[0]]),
        )
        for group, members in ordered:
            members.sort(key=lambda s: (entries[s.id].rank, s.id))
            items = tuple(PickerItem(s, entries[s.id].when) for s in members)
            sections.append(PickerSection(platform, group, titles[group], items))
        if others:
            others.sort(key=lambda s: (s.title.en.casefold(), s.id))
            items = tuple(PickerItem(s, None) for s in others)
            sections.append(PickerSection(platform, OTHER, conf.other if conf else None, items))
    return sections


def picker_order(lib: Library) -> list[str]:
    """Every scenario id in the order the picker shows them."""
    return [item.scenario.id for sec in picker_sections(lib) for item in sec.items]


def check_picker(lib: Library) -> list[Problem]:
    """data/picker.yaml names only known scenarios and groups, each scenario and rank once."""
    conf = lib.picker
    if conf is None:
        return []
    path = lib.files.get(("picker", "picker"))
    file = lib.rel(path) if path else "data/picker.yaml"
    raw = lib.raw.get(path)
    problems: list[Problem] = []

    def add(loc: tuple, message: str) -> None:
        problems.append(Problem(file, ".".join(map(str, loc)), message, line_of(raw, loc)))

    groups = [g.id for g in conf.groups]
    for i, gid in enumerate(groups):
        if gid == OTHER:
            add(("groups", i, "id"), f"'{OTHER}' is the heading of unlisted scenarios")
        elif groups.index(gid) != i:
            add(("groups", i, "id"), f"duplicate group '{gid}'")
    seen: dict[str, int] = {}
    ranks: dict[int, str] = {}
    used = set()
    for i, entry in enumerate(conf.scenarios):
        if entry.scenario not in lib.scenarios:
            add(
                ("scenarios", i, "scenario"),
                f"unknown scenario '{entry.scenario}'; known: {', '.join(sorted(lib.scenarios))}",
            )
        if entry.scenario in seen:
            add(("scenarios", i, "scenario"), f"scenario '{entry.scenario}' listed twice")
        seen.setdefault(entry.scenario, i)
        if entry.group not in groups:
            add(
                ("scenarios", i, "group"),
                f"unknown group '{entry.group}'; known: {', '.join(groups)}",
            )
        used.add(entry.group)
        if entry.rank in ranks:
            add(
                ("scenarios", i, "rank"),
                f"rank {entry.rank} is also '{ranks[entry.rank]}'s (one rank per scenario)",
            )
        ranks.setdefault(entry.rank, entry.scenario)
    for i, gid in enumerate(groups):
        if gid not in used:
            add(("groups", i, "id"), f"group '{gid}' has no scenario")
    return problems
