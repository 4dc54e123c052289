"""How fresh the platform rules are.

When each was last compared with its source, how old its source is, and which a lead should
re-check (``python -m playbook policies``; the staff page's "rules last checked" line).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from playbook.i18n import text
from playbook.library.library import Library
from playbook.library.model import UNDATED, PolicySet
from playbook.scenarios.policies import policy_status, policy_value


@dataclass(frozen=True)
class PolicyAge:
    """One rule's freshness at a date."""

    platform: str
    key: str
    value: str  # the number with its unit, in English
    confidence: str
    source_date: str  # a date, "undated", or "-" (no source)
    checked_on: dt.date | None
    age_days: int | None  # days since checked_on (None: never checked)
    flags: tuple[str, ...]  # stale, never-checked, undated, old-source, unverified, historical

    @property
    def due(self) -> bool:
        """Whether a lead should compare it with its source again now."""
        return "stale" in self.flags or "never-checked" in self.flags


def policy_ages(
    lib: Library, as_of: dt.date, stale_days: int | None = None, platform: str | None = None
) -> list[PolicyAge]:
    """Every rule (of ``platform``, or all), the least recently checked first.

    ``stale``: checked more than ``stale_days`` days before ``as_of`` (only with
    ``stale_days``); ``undated``/``old-source``/``unverified``: why its sentences carry a mark.
    """
    rows = []
    for name, ps in sorted(lib.policies.items()):
        if platform is not None and name != platform:
            continue
        for key, policy in ps.policies.items():
            age = (as_of - policy.checked_on).days if policy.checked_on else None
            flags = []
            if policy.checked_on is None:
                flags.append("never-checked")
            elif stale_days is not None and age is not None and age > stale_days:
                flags.append("stale")
            status = policy_status(policy, as_of)
            if status == "unverified":
                flags.append("unverified")
            elif policy.source_date in (None, UNDATED):
                flags.append("undated")
            elif status == "verify":
                flags.append("old-source")
            if policy.historical:
                flags.append("historical")
            source_date = "-" if not policy.source else str(policy.source_date or UNDATED)
            shown = policy_value(policy, "en") if policy.unit != "rule" else "(rule, no number)"
            rows.append(
                PolicyAge(
                    name, key, shown, policy.confidence, source_date,
                    policy.checked_on, age, tuple(flags),
                )
            )  # fmt: skip
    never = dt.date.min
    return sorted(rows, key=lambda r: (r.checked_on or never, r.platform, r.key))


def last_checked(ps: PolicySet) -> dt.date | None:
    """When the least recently checked rule of a platform was checked (None: one never was)."""
    dates = [p.checked_on for p in ps.policies.values()]
    if not dates or any(d is None for d in dates):
        return None
    return min(d for d in dates if d is not None)


def rules_checked_line(lib: Library, lang: str) -> str:
    """The staff page's footer: when each platform's rules were last compared with sources."""
    parts = []
    for name, ps in sorted(lib.policies.items()):
        when = last_checked(ps)
        parts.append(
            text("ui.rules_checked", lang, platform=name.capitalize(), date=when)
            if when
            else text("ui.rules_unchecked", lang, platform=name.capitalize())
        )
    return ("" if lang == "zh" else " ").join(parts)  # no space after Chinese "。"
