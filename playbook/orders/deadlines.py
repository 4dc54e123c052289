"""Due times of triage rules.

A policy duration from the first present start column, or Wish's own count of the time left
(``hours_to_fulfill``/``days_to_fulfill`` from ``last_updated``). Shared by
:mod:`playbook.orders.triage` and :mod:`playbook.orders.explain`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

from playbook.library.model import Policy
from playbook.library.triage_rules import DeadlineSpec, Overdue, ReasonCodes, RuleSet

__all__ = ["Picked", "TriageData", "due_times", "gather", "spec_rows", "start_times"]


class Durations(Protocol):
    """What due times need from the triage data: a policy's length."""

    def duration(self, key: str) -> pd.Timedelta: ...


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
    return pd.DataFrame({c: gather(orders[c], idx) for c in dict.fromkeys(cols)})


def due_times(
    orders: pd.DataFrame, spec: DeadlineSpec | Overdue, data: Durations
) -> tuple[pd.Series, np.ndarray]:
    """Each order's due time under a deadline or overdue spec, and its basis.

    The basis is the index of the ``from`` column used, ``len(from)`` for Wish's hours left,
    ``len(from) + 1`` for its days left, -1 when there is no start time.
    """
    base = orders[spec.from_[0]]
    basis = np.where(base.notna().to_numpy(), 0, -1)
    for i, col in enumerate(spec.from_[1:], start=1):
        take = (base.isna() & orders[col].notna()).to_numpy()
        basis[take] = i
        if take.any():
            base = base.fillna(orders[col])
    due = base + data.duration(spec.policy)
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
    names = [*spec.from_]
    if spec.left:
        names += [spec.left.from_, spec.left.from_]
    names.append("")
    name = np.array(names, dtype=object)[basis]
    start = pd.Series(pd.NaT, index=orders.index, dtype=orders[spec.from_[0]].dtype)
    for b, col in enumerate(names[:-1]):
        hit = basis == b
        if hit.any():
            start = start.mask(pd.Series(hit, index=orders.index), orders[col])
    return name, start
