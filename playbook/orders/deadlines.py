"""Due times of triage rules.

a policy duration (hours, calendar or business days) from the first present start column, or
Wish's own count of the time left (``hours_to_fulfill``/``days_to_fulfill`` from
``last_updated``), or the platform's own due time in the file (``given``, e.g. a ship-by date).
Shared by :mod:`playbook.orders.triage` and :mod:`playbook.orders.explain`.

The basis of a due time says where it came from: the index of the ``from`` column used,
``len(from)`` for Wish's hours left, ``len(from) + 1`` for its days left, ``len(from) + 2``
for the ``given`` column, -1 when there is no start time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

from playbook.library.model import Policy
from playbook.library.triage_rules import DeadlineSpec, Overdue, ReasonCodes, RuleSet

__all__ = [
    "Picked",
    "TriageData",
    "add_business_days",
    "basis_names",
    "due_times",
    "gather",
    "spec_rows",
    "start_times",
]


class Durations(Protocol):
    """What due times need from the triage data: a policy's length, and a start plus it."""

    def duration(self, key: str) -> pd.Timedelta: ...

    def due(self, key: str, start: pd.Series) -> pd.Series: ...


def add_business_days(start: pd.Series, days: int) -> pd.Series:
    """Each time plus ``days`` Monday-to-Friday days, the time of day kept.

    UTC days, no holiday calendar: :func:`playbook.scenarios.policies.add_business_days` for a
    column.

    A start on a weekend counts from the Friday before, as stepping day by day does (Saturday
    plus one business day is Monday).
    """
    if days <= 0:
        return start
    utc = start.dt.tz_convert("UTC").dt.tz_localize(None)
    day = utc.dt.floor("D")
    valid = start.notna().to_numpy()
    out = np.full(len(start), np.datetime64("NaT"), dtype="datetime64[us]")
    if valid.any():
        dates = day.to_numpy("datetime64[D]")[valid]
        moved = np.busday_offset(dates, days, roll="backward").astype("datetime64[us]")
        out[valid] = moved + (utc - day).to_numpy("timedelta64[us]")[valid]
    return pd.Series(out, index=start.index).dt.tz_localize("UTC")


class TriageData(Durations, Protocol):
    """The triage data (``playbook.orders.triage.Triage``) as explanations read it."""

    rules: RuleSet
    reasons: ReasonCodes

    def policy(self, key: str) -> Policy:
        """The triage platform's policy ``key``."""


@dataclass
class Picked:
    """The orders triage lists, in table order, with the rule picked for each."""

    idx: np.ndarray  # order rows listed
    pick: np.ndarray  # the rule of each
    case: np.ndarray  # True: the rule fired; False: a look
    due: np.ndarray  # datetime64[us] (UTC, naive)
    basis: np.ndarray
    state_code: np.ndarray  # index into DEADLINE_STATES
    priority: np.ndarray


def gather(ser: pd.Series, idx: np.ndarray) -> pd.Series:
    """Rows ``idx`` of a column, numbered from 0."""
    return ser.take(idx).reset_index(drop=True)


def spec_rows(orders: pd.DataFrame, idx: np.ndarray, spec: DeadlineSpec | Overdue) -> pd.DataFrame:
    """The columns a deadline or overdue spec reads (and its ``by``), for rows ``idx`` only."""
    cols = [*spec.from_]
    if getattr(spec, "by", None):
        cols.append(spec.by)
    if spec.left:
        cols += [c for c in (spec.left.from_, spec.left.hours, spec.left.days) if c]
    if spec.given:
        cols.append(spec.given)
    return pd.DataFrame({c: gather(orders[c], idx) for c in dict.fromkeys(cols)})


def basis_names(spec: DeadlineSpec | Overdue) -> list[str]:
    """The column each basis of :func:`due_times` starts from, by basis (then '' for -1)."""
    left = spec.left.from_ if spec.left else ""
    return [*spec.from_, left, left, spec.given or "", ""]


def due_times(
    orders: pd.DataFrame, spec: DeadlineSpec | Overdue, data: Durations
) -> tuple[pd.Series, np.ndarray]:
    """Each order's due time under a deadline or overdue spec, and its basis (see the module)."""
    base = orders[spec.from_[0]]
    basis = np.where(base.notna().to_numpy(), 0, -1)
    for i, col in enumerate(spec.from_[1:], start=1):
        take = (base.isna() & orders[col].notna()).to_numpy()
        basis[take] = i
        if take.any():
            base = base.fillna(orders[col])
    due = data.due(spec.policy, base)
    if spec.given:
        own = orders[spec.given].notna().to_numpy()
        if own.any():
            due = due.mask(pd.Series(own, index=due.index), orders[spec.given])
            basis[own] = len(spec.from_) + 2
    left = spec.left
    if left is None:
        return due, basis
    start = orders[left.from_]
    for k, (col, unit) in enumerate(((left.hours, "h"), (left.days, "D"))):
        if not col or not orders[col].notna().any():
            continue
        count = orders[col]
        use = (count.notna() & start.notna()).to_numpy() & (basis < len(spec.from_))
        if use.any():
            moved = start + pd.to_timedelta(count.astype("float64"), unit=unit)
            due = due.mask(pd.Series(use, index=due.index), moved)
            basis[use] = len(spec.from_) + k
    return due, basis


def start_times(orders: pd.DataFrame, spec: DeadlineSpec | Overdue, basis: np.ndarray):
    """(the start column's name, its time) of each row for ``basis`` from :func:`due_times`."""
    names = basis_names(spec)
    name = np.array(names, dtype=object)[basis]
    start = pd.Series(pd.NaT, index=orders.index, dtype=orders[spec.from_[0]].dtype)
    for b, col in enumerate(names[:-1]):
        hit = basis == b
        if col and hit.any():
            start = start.mask(pd.Series(hit, index=orders.index), orders[col])
    return name, start
