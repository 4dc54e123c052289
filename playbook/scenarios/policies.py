"""Policies and deadlines: platform rules as data, and the arithmetic to turn them into dates.

Pure: callers pass the start time and the "as of" time; nothing here reads the clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from playbook.scenarios.model import Policy

UTC = dt.UTC
SOON = dt.timedelta(hours=24)


def add_duration(start: dt.datetime, policy: Policy, country: str | None = None) -> dt.datetime:
    """``start`` plus the policy's duration (the destination country's, where it has one).

    >>> from playbook.scenarios.model import Policy, Text
    >>> p = Policy(value=5, unit="calendar_days", summary=Text(en="x", zh="x"),
    ...            source="u", confidence="high")
    >>> add_duration(dt.datetime(2026, 1, 1, tzinfo=UTC), p).isoformat()
    '2026-01-06T00:00:00+00:00'

    Raises:
        ValueError: the policy is not a duration (e.g. a money amount).
    """
    value = policy.for_country(country)
    if policy.unit == "hours":
        return start + dt.timedelta(hours=value)
    if policy.unit == "calendar_days":
        return start + dt.timedelta(days=value)
    if policy.unit == "business_days":
        return add_business_days(start, int(value))
    raise ValueError(f"policy unit {policy.unit!r} is not a duration")


def add_business_days(start: dt.datetime, days: int) -> dt.datetime:
    """``start`` plus ``days`` Monday-to-Friday days (no holiday calendar).

    >>> add_business_days(dt.datetime(2026, 11, 27, 9, tzinfo=UTC), 1).date()  # Fri -> Mon
    datetime.date(2026, 11, 30)
    """
    out = start
    left = days
    while left > 0:
        out += dt.timedelta(days=1)
        if out.weekday() < 5:
            left -= 1
    return out


@dataclass(frozen=True)
class Deadline:
    """A computed deadline and how it stands at ``as_of``."""

    policy_key: str
    due: dt.datetime
    as_of: dt.datetime

    @property
    def left(self) -> dt.timedelta:
        """Time left (negative once past)."""
        return self.due - self.as_of

    @property
    def state(self) -> str:
        """'past', 'soon' (under 24 h left) or 'ok'."""
        if self.left <= dt.timedelta(0):
            return "past"
        if self.left <= SOON:
            return "soon"
        return "ok"

    @property
    def hours_left(self) -> float:
        """Hours left, negative once past."""
        return self.left.total_seconds() / 3600


def deadline(
    key: str, policy: Policy, start: dt.datetime, as_of: dt.datetime, country: str | None = None
) -> Deadline:
    """The deadline for ``policy`` counted from ``start``, seen at ``as_of``."""
    return Deadline(policy_key=key, due=add_duration(start, policy, country), as_of=as_of)
