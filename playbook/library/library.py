"""The ``Library``, everything under data/, and ``Problem``, one thing wrong in a data file.

The library is loaded once (see ``playbook.library.read``) and passed where it is needed.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playbook.errors import ScenarioError
from playbook.i18n import Catalogue
from playbook.library.evidence_limits import EvidenceLimits
from playbook.library.lessons import LessonsConfig
from playbook.library.model import FactDef, GlossaryTerm, PolicySet, RootCause, Scenario, Template
from playbook.library.order_formats import OrderFormat
from playbook.library.picker import PickerConfig
from playbook.library.practice import PracticeCase
from playbook.library.triage_rules import ReasonCodes, RuleSet
from playbook.library.yamlio import line_of


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a data file."""

    file: str
    where: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        place = f"{self.file}:{self.line}" if self.line else self.file
        return (
            f"{place}: {self.where}: {self.message}" if self.where else f"{place}: {self.message}"
        )


@dataclass
class Library:
    """Everything under data/, loaded and checked.

    scenarios, facts, policies, templates, root causes, triage rules and refund-reason codes
    (per platform), order-file formats, evidence-file limits, the lessons page's outcome
    classes, the dispute picker's groups, the message catalogue and the practice cases of training.

    A platform is its policy file (``policies``, by platform id); its scenarios, rules, reason
    codes, order formats and evidence profile name it.
    """

    data_dir: Path
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    facts: dict[str, FactDef] = field(default_factory=dict)
    policies: dict[str, PolicySet] = field(default_factory=dict)
    templates: dict[str, Template] = field(default_factory=dict)
    root_causes: dict[str, RootCause] = field(default_factory=dict)
    triage: dict[str, RuleSet] = field(default_factory=dict)  # by platform
    reasons: dict[str, ReasonCodes] = field(default_factory=dict)  # by platform
    order_formats: dict[str, OrderFormat] = field(default_factory=dict)  # by format id
    lessons: LessonsConfig | None = None
    picker: PickerConfig | None = None  # data/picker.yaml: the staff page's dispute picker
    evidence_limits: EvidenceLimits | None = None
    catalogue: Catalogue = field(default_factory=dict)
    practice: dict[str, PracticeCase] = field(default_factory=dict)  # data/training/*.yaml
    glossary: dict[str, GlossaryTerm] = field(default_factory=dict)  # data/glossary.yaml
    files: dict[tuple[str, str], Path] = field(default_factory=dict)
    raw: dict[Path, Any] = field(default_factory=dict)

    def scenario(self, scenario_id: str) -> Scenario:
        """The scenario with this id.

        Raises:
            ScenarioError: no such scenario.
        """
        try:
            return self.scenarios[scenario_id]
        except KeyError:
            raise ScenarioError(
                "error.unknown_scenario", scenario=scenario_id, choices=sorted(self.scenarios)
            ) from None

    def policy(self, platform: str, key: str):
        """The policy ``key`` of ``platform`` (KeyError if unknown)."""
        return self.policies[platform].policies[key]

    def platforms(self, hidden: Collection[str] = ()) -> list[str]:
        """The platforms staff can choose: those with a policy file and scenarios, by id.

        Less ``hidden`` (``Settings.hidden_platforms``: platforms not offered yet).
        """
        used = {s.platform for s in self.scenarios.values()}
        return [p for p in sorted(self.policies) if p in used and p not in set(hidden)]

    def platform_name(self, platform: str, lang: str) -> str:
        """The platform's name in ``lang``: its policy file's ``name``, else the id capitalised."""
        policy_set = self.policies.get(platform)
        if policy_set is not None and policy_set.name is not None:
            return policy_set.name.get(lang)
        return platform.capitalize()

    def scenarios_of(self, platform: str) -> list[Scenario]:
        """The scenarios of ``platform``, by id."""
        return [s for _, s in sorted(self.scenarios.items()) if s.platform == platform]

    def formats_of(self, platform: str) -> list[OrderFormat]:
        """The declared order-file formats of ``platform``, by id."""
        return [f for _, f in sorted(self.order_formats.items()) if f.platform == platform]

    def where(self, kind: str, ident: str, loc: tuple = ()) -> tuple[str, int | None]:
        """File (relative to data/) and line of an item, for messages."""
        path = self.files.get((kind, ident))
        if path is None:
            return "?", None
        return self.rel(path), line_of(self.raw.get(path), loc)

    def rel(self, path: Path) -> str:
        """``path`` as shown in messages: relative to the data folder's parent when possible."""
        try:
            return str(path.relative_to(self.data_dir.parent))
        except ValueError:
            return str(path)
