"""Cross-check of data/evidence_limits.yaml against the scenarios (`python -m playbook check`)."""

from __future__ import annotations

from playbook.library.library import Library, Problem
from playbook.library.yamlio import line_of


def check_evidence_limits(lib: Library) -> list[Problem]:
    """Every platform a scenario is for has an evidence profile of the same name."""
    limits = lib.evidence_limits
    if limits is None:
        return []
    path = lib.files.get(("evidence_limits", "evidence_limits"))
    file = lib.rel(path) if path else "data/evidence_limits.yaml"
    return [
        Problem(
            file,
            "profiles",
            f"no profile for platform '{platform}', which scenarios are written for",
            line_of(lib.raw.get(path), ("profiles",)),
        )
        for platform in sorted({s.platform for s in lib.scenarios.values()})
        if platform not in limits.profiles
    ]
