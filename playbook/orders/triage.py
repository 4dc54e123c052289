"""Triage imported orders into dispute scenarios, vectorised, from rules in data/triage.yaml.

Deadlines come from data/policies/wish.yaml and an explicit "as of" time; refund reasons are
grouped through data/reason_codes.yaml. Also the ``python -m playbook triage`` command.
"""

from __future__ import annotations

import datetime as dt
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from playbook.orders.reader import ORDER_COLUMNS, money_text
from playbook.orders.rules import (
    DEADLINE_STATES,
    TRIAGE_PLATFORM,
    ReasonCodes,
    RuleSet,
    reason_key,
)
from playbook.scenarios.library import Library
from playbook.scenarios.loader import load_library
from playbook.scenarios.model import PolicySet

TRIAGE_COLUMNS = [
    "order_id",
    "source_row",
    "scenario",
    "rule",
    "priority",
    "due_at",
    "hours_left",
    "deadline_state",
    "deadline_policy",
    "label",
    "state",
    "reason_group",
    "refund_reason_key",
    "refund_reason",
    "other_rules",
    "released_at",
    "shipped_at",
    "delivered_at",
    "refunded_at",
    "product_name",
    "sku",
    "quantity",
    "order_total",
    "currency",
    "country",
]
_DATE_COLUMNS = [c for c in ORDER_COLUMNS if c.endswith("_at") or c == "fulfil_by"]


@dataclass(frozen=True)
class Triage:
    """Everything triage needs from data/: rules, reason codes and policies (checked)."""

    rules: RuleSet
    reasons: ReasonCodes
    policies: PolicySet

    @classmethod
    def from_library(cls, lib: Library) -> Triage:
        """The triage data of a loaded (and so checked) library."""
        return cls(lib.triage, lib.reasons, lib.policies[TRIAGE_PLATFORM])

    @classmethod
    def load(cls, data_dir: Path | None = None) -> Triage:
        """The triage data of the library in ``data_dir`` (default: the configured folder).

        Raises:
            ScenarioError: a data file is invalid (``python -m playbook check`` lists why).
        """
        return cls.from_library(load_library(data_dir))

    def duration(self, key: str) -> pd.Timedelta:
        """The policy's duration (hours or calendar days)."""
        pol = self.policies.policies[key]
        unit = "h" if pol.unit == "hours" else "D"
        return pd.Timedelta(float(pol.value), unit=unit)


# --- triage ---------------------------------------------------------------------------------


@dataclass
class TriageResult:
    """Orders that need a case, and the refund reasons nobody could map.

    Attributes:
        table: one row per order matching a rule (first matching rule wins), sorted by
            priority then due date; columns :data:`TRIAGE_COLUMNS`.
        unknown_reasons: refund reasons found in no entry of data/reason_codes.yaml, with
            their count (``reason``, ``orders``).
        as_of: the time deadlines were judged at.
    """

    table: pd.DataFrame
    unknown_reasons: pd.DataFrame
    as_of: pd.Timestamp

    def counts(self) -> pd.Series:
        """Orders per scenario."""
        return self.table["scenario"].value_counts().sort_index()


def as_utc(value: str | dt.datetime | pd.Timestamp) -> pd.Timestamp:
    """A time as a UTC timestamp; a time without zone is taken as UTC."""
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


_GATHER_WORKERS = max(1, min(4, os.cpu_count() or 1))


def _gather(ser: pd.Series, idx: np.ndarray) -> pd.Series:
    return ser.take(idx).reset_index(drop=True)


def _first(orders: pd.DataFrame, cols: list[str]) -> pd.Series:
    out = orders[cols[0]]
    for col in cols[1:]:
        out = out.fillna(orders[col])
    return out


def triage(
    orders: pd.DataFrame,
    as_of: str | dt.datetime | pd.Timestamp,
    data: Triage | None = None,
    lang: str = "en",
) -> TriageResult:
    """Match every order against the rules, at ``as_of``.

    Args:
        orders: the order table from :func:`playbook.orders.read_orders`.
        as_of: the time deadlines are judged at (no clock is read here).
        data: rules, reasons and policies; loaded from the data folder when None.
        lang: language of the ``label`` column ('en' or 'zh').
    """
    data = data or Triage.load()
    now = as_utc(as_of)
    n = len(orders)  # columns are read where needed: no copy of the (wide) order table
    lookup = data.reasons.lookup()
    reasons = orders["refund_reason"]
    codes, uniq = pd.factorize(reasons)  # map each distinct spelling once, not each row
    mapped = [lookup.get(reason_key(r), (None, None)) for r in uniq]
    canon_u = np.array([m[0] for m in mapped] + [None], dtype=object)
    group_u = np.array([m[1] for m in mapped] + [None], dtype=object)
    unknown_u = [i for i, m in enumerate(mapped) if m[1] is None]
    counts = np.bincount(codes[codes >= 0], minlength=len(uniq))
    unknown_df = pd.DataFrame(
        {
            "reason": pd.Series([uniq[i] for i in unknown_u], dtype="str"),
            "orders": np.array([counts[i] for i in unknown_u], dtype=np.int64),
        }
    ).sort_values("orders", ascending=False, ignore_index=True)

    matches, dues = [], []
    for rule in data.rules.rules:
        w = rule.when
        ok = np.ones(n, bool)
        if w.state is not None:
            ok &= orders["state"].isin(w.state).to_numpy()
        if w.reason_group is not None:
            ok &= np.isin(group_u, w.reason_group)[codes]  # code -1 (no reason) -> last: None
        for col in w.present:
            ok &= orders[col].notna().to_numpy()
        for col in w.absent:
            ok &= orders[col].isna().to_numpy()
        if w.overdue:
            due = _first(orders, w.overdue.from_) + data.duration(w.overdue.policy)
            if w.overdue.by:
                by = orders[w.overdue.by]
                hit = (by > due) | (by.isna() & (due <= now))
            else:
                hit = due <= now + pd.Timedelta(hours=w.overdue.within_hours)
            ok &= hit.fillna(False).to_numpy(dtype=bool)
        matches.append(ok)
        dues.append(_first(orders, rule.deadline.from_) + data.duration(rule.deadline.policy))

    hits = np.vstack(matches) if matches else np.zeros((0, n), bool)
    any_hit = hits.any(axis=0)
    first = hits.argmax(axis=0)
    idx = np.flatnonzero(any_hit)
    rules = data.rules.rules
    pick = first[idx]
    due_np = np.full(len(idx), np.datetime64("NaT"), dtype="datetime64[us]")
    for k, due in enumerate(dues):
        sel = pick == k
        due_np[sel] = due.to_numpy(dtype="datetime64[us]")[idx[sel]]
    priority_of = np.array(
        [[rule.priority.get(st, 2) for st in DEADLINE_STATES] for rule in rules], np.int64
    ).reshape(len(rules), len(DEADLINE_STATES))
    left_np = (due_np - now.tz_convert(None).to_datetime64()) / np.timedelta64(1, "h")
    soon = data.rules.soon_hours
    with np.errstate(invalid="ignore"):
        state_code = np.select(
            [np.isnat(due_np), left_np <= 0, left_np <= soon], [3, 0, 1], 2
        )  # index into DEADLINE_STATES
    priority = priority_of[pick, state_code]
    # Sorted by priority, then due date (none last), stable: the rows are picked in order.
    due_key = np.where(np.isnat(due_np), np.iinfo(np.int64).max, due_np.view(np.int64))
    order = np.lexsort((due_key, priority))
    idx, pick, due_np, state_code, priority = (
        a[order] for a in (idx, pick, due_np, state_code, priority)
    )
    due_at = pd.Series(due_np).dt.tz_localize("UTC")
    left = (due_at - now) / pd.Timedelta(hours=1)
    others = np.full(len(idx), "", dtype=object)
    for k, rule in enumerate(rules):
        also = hits[k, idx] & (pick != k)
        others[also] = others[also] + np.where(others[also] == "", "", ";") + rule.id
    reason_at = np.where(codes[idx] < 0, len(uniq), codes[idx])

    def text(values: list | np.ndarray, at: np.ndarray) -> pd.Series:
        return pd.Series(pd.array(list(values), dtype="str").take(at))

    # Gathering the matched rows is random access (cache misses, mostly in the text columns):
    # the columns are gathered in parallel (Arrow's take releases the GIL).
    wanted = ["order_id", "source_row", "state", "refund_reason", *TRIAGE_COLUMNS[15:]]
    series = [orders[name] for name in wanted]
    with ThreadPoolExecutor(max_workers=_GATHER_WORKERS) as pool:
        column = dict(zip(wanted, pool.map(lambda ser: _gather(ser, idx), series), strict=True))

    table = pd.DataFrame(
        {
            "order_id": column["order_id"],
            "source_row": column["source_row"],
            "scenario": text([r.scenario for r in rules], pick),
            "rule": text([r.id for r in rules], pick),
            "priority": priority,
            "due_at": due_at,
            "hours_left": left.round(1),
            "deadline_state": text(DEADLINE_STATES, state_code),
            "deadline_policy": text([r.deadline.policy for r in rules], pick),
            "label": text([r.label.get(lang) for r in rules], pick),
            "state": column["state"],
            "reason_group": text(group_u, reason_at),
            "refund_reason_key": text(canon_u, reason_at),
            "refund_reason": column["refund_reason"],
            "other_rules": pd.Series(others, dtype="str"),
            **{c: column[c] for c in TRIAGE_COLUMNS[15:]},
        }
    )
    return TriageResult(table[TRIAGE_COLUMNS], unknown_df, now)


# --- facts for a case -----------------------------------------------------------------------

FACT_COLUMNS = [
    "order_id",
    "transaction_id",
    "buyer_name",
    "product_name",
    "sku",
    "quantity",
    "order_total",
    "currency",
    "country",
    "released_at",
    "shipped_at",
    "delivered_at",
    "refunded_at",
    "refund_reason",
    "tracking_number",
    "carrier",
]


def order_facts(row: pd.Series | dict) -> dict[str, str]:
    """The case facts (ids of data/facts.yaml) of one order row, as strings.

    Empty values are left out. Times are ISO 8601 in UTC with ``Z``; money is a decimal
    string. An export without a release time gives the order time as ``released_at`` (the
    earlier, safer start for the fulfilment deadline).
    """
    get = row.get
    facts: dict[str, str] = {}
    for name in FACT_COLUMNS:
        value = get(name)
        if name == "released_at" and _empty(value):
            value = get("ordered_at")
        if _empty(value):
            continue
        if isinstance(value, pd.Timestamp | dt.datetime):
            text = as_utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")
        elif name == "order_total":
            text = money_text(value)
        elif name == "quantity":
            text = str(int(value))
        else:
            text = str(value).strip()
        if text:
            facts[name] = text
    return facts


def _empty(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


# --- command line ---------------------------------------------------------------------------
