"""Policies and deadlines: platform rules as data, and the arithmetic to turn them into dates.

Pure: callers pass the start time and the "as of" time; nothing here reads the clock.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from playbook.i18n import text as catalogue_text
from playbook.library.model import UNDATED, Policy

UTC = dt.UTC
SOON = dt.timedelta(hours=24)


def add_duration(start: dt.datetime, policy: Policy, country: str | None = None) -> dt.datetime:
    """``start`` plus the policy's duration (the destination country's, where it has one).

    >>> from playbook.library.model import Policy, Text
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


# --- policy status and policy numbers in step texts ----------------------------------------

PolicyStatus = Literal["ok", "verify", "unverified"]
# ``{policy:KEY}`` in a step text: the policy's number with its unit, in the page language.
POLICY_PLACEHOLDER = re.compile(r"\{policy:([a-z][a-z0-9_]*)\}")
FRESH_MONTHS = 12


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months earlier (the month's last day if it is shorter).

    >>> months_before(dt.date(2028, 2, 29), 12)
    datetime.date(2027, 2, 28)
    """
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def policy_status(policy: Policy, as_of: dt.datetime | dt.date) -> PolicyStatus:
    """How far staff can rely on a rule at ``as_of``.

    ``unverified``: no source at all (or marked ``confidence: unverified``); ``verify``: the
    source is undated, or its date is more than 12 months before ``as_of``; ``ok`` otherwise.
    """
    if not policy.source or policy.confidence == "unverified":
        return "unverified"
    day = as_of.date() if isinstance(as_of, dt.datetime) else as_of
    when = policy.source_date
    if when is None or when == UNDATED or when < months_before(day, FRESH_MONTHS):
        return "verify"
    return "ok"


def policy_value(policy: Policy, lang: str) -> str:
    """The policy's number with its unit in ``lang``: "90 days" / "90 天", "$10" / "10 美元".

    Nothing for a rule without a number (``unit: rule``: the text only cites it).
    """
    if policy.unit == "rule":
        return ""
    value = policy.value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    number = f"{value:,}" if isinstance(value, int | float) else str(value)
    key = f"policy.unit.{policy.unit}"
    if value == 1 and lang == "en":
        key += ".one"
    return catalogue_text(key, lang, n=number)


def policy_keys(text: str) -> list[str]:
    """The policy keys named by ``{policy:KEY}`` placeholders in ``text``, in order."""
    return POLICY_PLACEHOLDER.findall(text)


def policy_text(
    text: str, policies: Mapping[str, Policy], lang: str, as_of: dt.datetime | dt.date
) -> str:
    """``text`` with every ``{policy:KEY}`` replaced by that policy's number in ``lang``.

    The first mention of a rule whose source is undated or more than 12 months old at
    ``as_of`` is followed by "verify on the merchant dashboard"; a rule with no source by
    "unverified" (both from the message catalogue). A rule without a number (``unit: rule``)
    shows only that mark (write it right after the words it cites: "Manage Orders{policy:K}.").
    An unknown key stays as written, so it is visible (``python -m playbook check`` reports
    it).
    """
    marked: set[str] = set()

    def one(match: re.Match[str]) -> str:
        key = match.group(1)
        policy = policies.get(key)
        if policy is None:
            return match.group(0)
        shown = policy_value(policy, lang)
        status = policy_status(policy, as_of)
        if status == "ok" or key in marked:
            return shown
        marked.add(key)
        return catalogue_text(f"policy.mark.{status}", lang, value=shown)

    return POLICY_PLACEHOLDER.sub(one, text)
