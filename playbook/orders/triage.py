"""Triage imported orders into dispute scenarios, vectorised, from rules in data/triage.yaml.

Deadlines come from data/policies/wish.yaml and an explicit "as of" time; refund reasons are
grouped through data/reason_codes.yaml. Also the ``python -m playbook triage`` command.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field, ValidationError

from playbook.errors import OrderFileError, ScenarioError
from playbook.orders.reader import ORDER_COLUMNS, money_text, read_orders, write_table
from playbook.scenarios.model import Model, PolicySet, Text
from playbook.yamlio import line_of, load_yaml

DEADLINE_STATES = ("past", "soon", "ok", "none")
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


# --- rule and reason data -------------------------------------------------------------------


class Overdue(Model):
    """A policy deadline counted from the first present ``from`` column."""

    policy: str
    from_: list[str] = Field(alias="from", min_length=1)
    within_hours: float = 0
    by: str | None = None


class When(Model):
    """The tests of one rule (all must hold)."""

    state: list[str] | None = None
    reason_group: list[str] | None = None
    present: list[str] = []
    absent: list[str] = []
    overdue: Overdue | None = None


class DeadlineSpec(Model):
    """The act-by date of a rule."""

    policy: str
    from_: list[str] = Field(alias="from", min_length=1)


class Rule(Model):
    """One triage rule (see data/triage.yaml)."""

    id: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    scenario: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    label: Text
    when: When
    deadline: DeadlineSpec
    priority: dict[Literal["past", "soon", "ok", "none"], int]


class RuleSet(Model):
    """data/triage.yaml."""

    soon_hours: float = 24
    rules: list[Rule] = Field(min_length=1)


class ReasonEntry(Model):
    """One canonical refund reason and its spellings."""

    group: str
    codes: list[int] = []
    texts: list[str] = []
    also: list[str] = []


class ReasonCodes(Model):
    """data/reason_codes.yaml."""

    groups: dict[str, Text]
    reasons: dict[str, ReasonEntry]

    def lookup(self) -> dict[str, tuple[str, str]]:
        """Normalised spelling -> (canonical reason, group)."""
        out: dict[str, tuple[str, str]] = {}
        for key, entry in self.reasons.items():
            for spelling in [key, *entry.also, *entry.texts, *map(str, entry.codes)]:
                out[reason_key(spelling)] = (key, entry.group)
        return out


def reason_key(text: str) -> str:
    """How reasons are matched: case, spaces and punctuation ignored ('-1' keeps its sign)."""
    return re.sub(r"[^0-9a-z-]", "", str(text).casefold()).strip("-") or str(text).strip()


def _validated(model: type[Model], path: Path) -> Any:
    data = load_yaml(path)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ScenarioError(
            "error.triage_data", file=str(path), line=line_of(data, err["loc"]), detail=err["msg"]
        ) from exc


@dataclass(frozen=True)
class Triage:
    """Everything triage needs from data/: rules, reason codes and policies (checked)."""

    rules: RuleSet
    reasons: ReasonCodes
    policies: PolicySet

    @classmethod
    def load(cls, data_dir: Path | None = None) -> Triage:
        """Load and cross-check data/triage.yaml, data/reason_codes.yaml and the Wish policies.

        Raises:
            ScenarioError: a file is invalid, or a rule names an unknown column, policy or
                reason group; the message names the file.
        """
        from playbook.config import data_dir as default_dir

        base = data_dir or default_dir()
        rules = _validated(RuleSet, base / "triage.yaml")
        reasons = _validated(ReasonCodes, base / "reason_codes.yaml")
        policies = _validated(PolicySet, base / "policies" / "wish.yaml")
        for entry in reasons.reasons.values():
            if entry.group not in reasons.groups:
                raise ScenarioError(
                    "error.triage_data",
                    file=str(base / "reason_codes.yaml"),
                    line=0,
                    detail=f"unknown group {entry.group!r}",
                )
        for rule in rules.rules:
            w = rule.when
            specs = [rule.deadline, *([w.overdue] if w.overdue else [])]
            cols = [*w.present, *w.absent, *(c for s in specs for c in s.from_)]
            cols += [w.overdue.by] if w.overdue and w.overdue.by else []
            bad = [c for c in cols if c not in ORDER_COLUMNS]
            bad += [p for p in (s.policy for s in specs) if not _is_duration(policies, p)]
            bad += [g for g in w.reason_group or [] if g not in reasons.groups]
            if bad:
                raise ScenarioError(
                    "error.triage_data",
                    file=str(base / "triage.yaml"),
                    line=0,
                    detail=f"rule {rule.id}: unknown {bad}",
                )
        return cls(rules, reasons, policies)

    def duration(self, key: str) -> pd.Timedelta:
        """The policy's duration (hours or calendar days)."""
        pol = self.policies.policies[key]
        unit = "h" if pol.unit == "hours" else "D"
        return pd.Timedelta(float(pol.value), unit=unit)


def _is_duration(policies: PolicySet, key: str) -> bool:
    pol = policies.policies.get(key)
    return pol is not None and pol.unit in ("hours", "calendar_days")


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


def main_triage(argv: list[str]) -> int:
    """``python -m playbook triage FILE [--as-of TIME] [--out DIR] [--lang en|zh]``.

    Writes ``<name>.triage.csv`` and ``<name>.rejects.csv`` to DIR and prints the counts.

    Returns:
        0 when every row was accepted, 1 when some were rejected, 2 when the file (or the
        rules under data/) could not be read.
    """
    from playbook.i18n import text

    ap = argparse.ArgumentParser(
        prog="python -m playbook triage",
        description="Import a Wish order file and list the orders that need a dispute case.",
    )
    ap.add_argument("file", type=Path, help="CSV export, .xlsx, or API v2/v3 JSON")
    ap.add_argument(
        "--as-of",
        default=None,
        help="ISO time deadlines are judged at (UTC if no zone; default: now)",
    )
    ap.add_argument("--out", type=Path, default=Path("."), help="folder for the CSV files")
    ap.add_argument("--lang", choices=["zh", "en"], default="en")
    args = ap.parse_args(argv)
    try:
        as_of = as_utc(args.as_of) if args.as_of else pd.Timestamp.now(tz="UTC").floor("s")
    except ValueError:
        ap.error(f"--as-of: not a time: {args.as_of!r}")
    try:
        result = read_orders(args.file)
        tri = triage(result.orders, as_of, lang=args.lang)
    except (OrderFileError, ScenarioError) as err:
        print(err.render(args.lang), file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.file.name.rsplit(".", 1)[0]
    write_table(tri.table, args.out / f"{stem}.triage.csv")
    write_table(result.rejects, args.out / f"{stem}.rejects.csv")
    say = print
    say(
        text(
            "triage.cli.summary",
            args.lang,
            file=args.file,
            format=result.format,
            read=result.rows_read,
            imported=len(result.orders),
            rejected=len(result.rejects),
            as_of=as_of.strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
    )
    say(text("triage.cli.by_scenario", args.lang))
    for scenario, count in tri.counts().items():
        say(f"  {scenario:<28} {count:>8}")
    say(text("triage.cli.by_priority", args.lang))
    for prio, count in tri.table["priority"].value_counts().sort_index().items():
        say(f"  {prio:<28} {count:>8}")
    if len(result.rejects):
        say(text("triage.cli.by_reason", args.lang))
        for reason, count in result.rejects["reason"].value_counts().items():
            say(f"  {reason:<28} {count:>8}")
    if len(tri.unknown_reasons):
        say(text("triage.cli.unknown_reasons", args.lang, count=len(tri.unknown_reasons)))
        for r in tri.unknown_reasons.itertuples():
            say(f"  {r.reason:<28} {r.orders:>8}")
    say(text("triage.cli.written", args.lang, folder=args.out))
    return 1 if len(result.rejects) else 0
