"""Lessons learned from the case store: tidy pandas tables of cases, outcomes and root causes.

Pure pandas and SQLAlchemy Core (no widgets). ``read_cases`` reads one row per case from the
store (SQLite or PostgreSQL): the case row's columns and facts, including what the moves keep
there from the event log (first buyer reply, first move into a closed status; see
:mod:`playbook.cases.projection`), so the event log itself is never read. Imported orders
(``read_orders(...).orders``) fill in the SKU, product, carrier and country of cases that came
from an order. Every other function here is plain pandas over that table, so the page can
filter and redraw without asking the store again.

Times are UTC; weeks start on Monday (UTC). Outcome classes and thresholds come from
``data/lessons.yaml`` (:mod:`playbook.library.lessons`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from playbook.cases.sql_store import SqlStore
from playbook.errors import InputError
from playbook.lessons.table import CASE_FACT_COLUMNS, TABLE_COLUMNS, typed_cases
from playbook.library.lessons import LessonsConfig
from playbook.library.model import CLOSED_STATUSES

__all__ = [
    "CASE_COLUMNS",
    "DIMENSIONS",
    "AppealRate",
    "Filters",
    "FixEffect",
    "Medians",
    "OpenNow",
    "appeal_rate",
    "cause_rows",
    "dispute_rates",
    "fix_effect",
    "median_times",
    "open_now",
    "outcome_mix",
    "pareto",
    "read_cases",
    "select_cases",
    "week_start",
    "weekly_flow",
]

# Breakdowns of the root-cause Pareto (columns of the case table).
DIMENSIONS = ("sku", "product", "carrier", "country", "store", "assignee")
CASE_COLUMNS = TABLE_COLUMNS
WEEK = pd.Timedelta(days=7)
HOUR = pd.Timedelta(hours=1)


# --- reading the store ----------------------------------------------------------------------


def read_cases(
    store: SqlStore,
    config: LessonsConfig,
    orders: pd.DataFrame | None = None,
    *,
    cache_dir: Path | None = None,
) -> pd.DataFrame:
    """One row per case in the store, ready for the page.

    Columns: ``CASE_COLUMNS`` plus ``closed_now`` (status is closed now), ``outcome_class``,
    ``reply_hours`` (created to first buyer-message draft) and ``resolution_hours`` (created
    to first move into a closed status). ``root_causes`` holds a tuple of ids. The two times
    come from the case row, where the moves keep them (playbook/cases/projection.py): the
    event log is not read.

    Args:
        store: the case store.
        config: data/lessons.yaml.
        orders: imported orders (``read_orders(...).orders``); a case with an ``order_id``
            found there takes the order's SKU, product, carrier and country where its own
            facts have none.
        cache_dir: keep the typed table in a snapshot there and read only the cases that
            changed since (see :mod:`playbook.lessons.table`); None reads every case.

    Raises:
        StoreError: the store cannot be read.
    """
    table = typed_cases(store, cache_dir)
    table["root_causes"] = _root_causes(table["root_causes"])
    if orders is not None and len(orders):
        table = _fill_from_orders(table, orders)
    table["closed_now"] = table["status"].isin(CLOSED_STATUSES).astype(bool)
    table["outcome_class"] = classify_outcomes(config, table, table["closed_now"])
    table["reply_hours"] = (table["first_reply_at"] - table["created_at"]) / HOUR
    table["resolution_hours"] = (table["closed_at"] - table["created_at"]) / HOUR
    return table


def _root_causes(raw: pd.Series) -> list[tuple[str, ...]]:
    """The JSON lists of root-cause ids as tuples, each distinct text parsed once."""
    codes, texts = pd.factorize(raw, use_na_sentinel=True)
    parsed = [_as_tuple(t) for t in texts] + [()]  # code -1 (missing) -> the last one
    return [parsed[c] for c in codes.tolist()]


def _as_tuple(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        value = json.loads(value)
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def _fill_from_orders(table: pd.DataFrame, orders: pd.DataFrame) -> pd.DataFrame:
    wanted = {src: col for col, src in CASE_FACT_COLUMNS.values() if src and src in orders}
    if "order_id" not in orders or not wanted:
        return table
    by_id = orders.drop_duplicates("order_id").set_index("order_id")[list(wanted)]
    linked = by_id.reindex(table["order_id"].to_numpy())
    for src, col in wanted.items():
        values = pd.Series(linked[src].to_numpy(), index=table.index).astype("string")
        table[col] = table[col].fillna(values)
    return table


# --- filtering --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What the page shows: the cases it counts.

    Cases opened from ``start`` to ``end`` (dates, inclusive, UTC) of one platform, scenario,
    store and assignee (None: any).
    """

    start: dt.date | None = None
    end: dt.date | None = None
    platform: str | None = None
    scenario: str | None = None
    store: str | None = None
    assignee: str | None = None

    def __post_init__(self) -> None:
        if self.start and self.end and self.start > self.end:
            raise InputError("lessons.error.range", start=self.start, end=self.end)

    def bounds(self) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
        """The range as UTC timestamps: ``[start 00:00, day after end 00:00)``."""
        lo = pd.Timestamp(self.start, tz="UTC") if self.start else None
        hi = pd.Timestamp(self.end, tz="UTC") + pd.Timedelta(days=1) if self.end else None
        return lo, hi


def _attribute_mask(table: pd.DataFrame, filters: Filters) -> pd.Series:
    keep = pd.Series(True, index=table.index)
    for col, value in (
        ("platform", filters.platform),
        ("scenario_id", filters.scenario),
        ("store", filters.store),
        ("assignee", filters.assignee),
    ):
        if value is not None:
            keep &= (table[col] == value).fillna(False).astype(bool)
    return keep


def _in_range(times: pd.Series, filters: Filters) -> pd.Series:
    return _between(times, *filters.bounds())


def select_cases(table: pd.DataFrame, filters: Filters, *, dates: bool = True) -> pd.DataFrame:
    """The cases the filters pick (by platform, scenario, store, assignee; ``dates``: range)."""
    keep = _attribute_mask(table, filters)
    if dates:
        keep &= _in_range(table["created_at"], filters)
    return table[keep]


def week_start(times: pd.Series) -> pd.Series:
    """The Monday 00:00 UTC of each time's week."""
    day = times.dt.floor("D")
    return day - pd.to_timedelta(day.dt.day_of_week, unit="D")


# --- figures ----------------------------------------------------------------------------------


def weekly_flow(table: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Cases opened and closed per week and scenario (tidy: week, scenario_id, opened, closed).

    Opened counts cases created in the range; closed counts first moves into a closed status
    in the range (of cases of any opening date).
    """
    picked = select_cases(table, filters, dates=False)
    parts = []
    for kind, col in (("opened", "created_at"), ("closed", "closed_at")):
        rows = picked[_in_range(picked[col], filters)]
        counts = rows.groupby([week_start(rows[col]), rows["scenario_id"]]).size()
        parts.append(counts.rename(kind))
    if not any(len(p) for p in parts):
        return pd.DataFrame(columns=["week", "scenario_id", "opened", "closed"])
    flow = pd.concat(parts, axis=1).fillna(0).astype("int64")
    flow.index.names = ["week", "scenario_id"]
    return flow.reset_index().sort_values(["week", "scenario_id"], ignore_index=True)


def outcome_mix(table: pd.DataFrame, config: LessonsConfig) -> pd.DataFrame:
    """Cases per outcome class (in data/lessons.yaml order): outcome, cases, share."""
    counts = table["outcome_class"].value_counts()
    order = [c for c in config.class_ids() if c in counts.index]
    mix = pd.DataFrame({"outcome": order, "cases": [int(counts[c]) for c in order]})
    total = mix["cases"].sum()
    mix["share"] = mix["cases"] / total if total else 0.0
    return mix


@dataclass(frozen=True)
class AppealRate:
    """Appeals won, lost and pending; ``rate`` = won ÷ (won + lost), None with no result."""

    won: int
    lost: int
    pending: int

    @property
    def rate(self) -> float | None:
        """Won ÷ (won + lost); None before any appeal has a result."""
        decided = self.won + self.lost
        return self.won / decided if decided else None


def appeal_rate(table: pd.DataFrame, config: LessonsConfig) -> AppealRate:
    """Appeal results among ``table``'s cases (classes marked ``appeal`` in the config)."""
    classes = table["outcome_class"]
    return AppealRate(
        *(int(classes.isin(config.class_ids(kind)).sum()) for kind in ("won", "lost", "pending"))
    )


@dataclass(frozen=True)
class Medians:
    """Median hours to the first buyer reply and to resolution, with how many cases each."""

    reply_hours: float | None
    reply_cases: int
    resolution_hours: float | None
    resolution_cases: int


def median_times(table: pd.DataFrame) -> Medians:
    """Medians over the cases that have a first reply / a resolution."""
    reply = table["reply_hours"].dropna()
    resolved = table["resolution_hours"].dropna()
    return Medians(
        float(reply.median()) if len(reply) else None,
        len(reply),
        float(resolved.median()) if len(resolved) else None,
        len(resolved),
    )


@dataclass(frozen=True)
class OpenNow:
    """Cases not closed now, and those of them past their next deadline."""

    open: int
    overdue: int


def open_now(table: pd.DataFrame, now: dt.datetime) -> OpenNow:
    """Open and overdue cases at ``now`` (the page passes cases of any opening date)."""
    still_open = table[~table["closed_now"]]
    overdue = (still_open["next_deadline"] <= pd.Timestamp(now)).fillna(False)
    return OpenNow(len(still_open), int(overdue.sum()))


def cause_rows(table: pd.DataFrame) -> pd.DataFrame:
    """One row per (case, root cause) with the case's breakdown columns; untagged cases out."""
    cols = ["id", "created_at", *DIMENSIONS, "root_causes"]
    long = table[cols].explode("root_causes").rename(columns={"root_causes": "cause"})
    return long[long["cause"].notna()].reset_index(drop=True)


def pareto(table: pd.DataFrame, by: str | None = None, cause: str | None = None) -> pd.DataFrame:
    """A root-cause Pareto: tagged cases per cause, or per ``by`` value, most first.

    Args:
        table: case rows.
        by: None for causes overall, or one of ``DIMENSIONS``: then cases per value of that
            column (an empty string for cases that do not record it).
        cause: with ``by``, count only cases tagged with this cause.

    Returns:
        Columns ``key`` (cause id or ``by`` value), ``cases``, ``share``, ``cumulative``.
    """
    if by is not None and by not in DIMENSIONS:
        raise ValueError(f"unknown breakdown {by!r}; known: {DIMENSIONS}")
    long = cause_rows(table)
    if by is None:
        keys = long["cause"]
    else:
        if cause is not None:
            long = long[long["cause"] == cause]
        long = long.drop_duplicates("id")
        keys = long[by].fillna("")
    counts = keys.value_counts()
    counts = counts.sort_index().sort_values(ascending=False, kind="stable")
    out = pd.DataFrame({"key": counts.index.astype("string"), "cases": counts.to_numpy()})
    total = out["cases"].sum()
    out["share"] = out["cases"] / total if total else 0.0
    out["cumulative"] = out["share"].cumsum()
    return out


def dispute_rates(
    table: pd.DataFrame,
    orders: pd.DataFrame,
    by: str,
    filters: Filters,
    small_numbers: int,
) -> pd.DataFrame:
    """Disputes ÷ orders shipped in the same period, per SKU or carrier.

    The period is the filters' date range; an open end is taken from the cases shown (first and
    last opening day). Disputes are ``table``'s cases opened in the period.

    Returns:
        Columns ``key``, ``disputes``, ``shipped``, ``rate`` (None without shipped orders) and
        ``few`` (True when the rate rests on fewer than ``small_numbers`` shipped orders),
        highest rate first.
    """
    if by not in ("sku", "carrier"):
        raise ValueError(f"dispute rates are per 'sku' or 'carrier', not {by!r}")
    lo, hi = filters.bounds()
    opened = table["created_at"].dropna()
    if lo is None and len(opened):
        lo = opened.min().floor("D")
    if hi is None and len(opened):
        hi = opened.max().floor("D") + pd.Timedelta(days=1)
    cases_in = table[_between(table["created_at"], lo, hi)]
    disputes = cases_in[by].dropna().value_counts()
    shipped_at = orders["shipped_at"] if "shipped_at" in orders else pd.Series(dtype=object)
    shipped_rows = orders[_between(shipped_at, lo, hi)] if by in orders else orders.iloc[:0]
    shipped = shipped_rows[by].dropna().value_counts() if by in shipped_rows else pd.Series()
    keys = sorted(set(disputes.index) | set(shipped.index))
    out = pd.DataFrame(
        {
            "key": pd.array(keys, dtype="string"),
            "disputes": [int(disputes.get(k, 0)) for k in keys],
            "shipped": [int(shipped.get(k, 0)) for k in keys],
        }
    )
    out["rate"] = (out["disputes"] / out["shipped"].where(out["shipped"] > 0)).astype("Float64")
    out["few"] = out["shipped"] < small_numbers
    return out.sort_values(["rate", "disputes"], ascending=False, na_position="last").reset_index(
        drop=True
    )


def _between(times: pd.Series, lo: pd.Timestamp | None, hi: pd.Timestamp | None) -> pd.Series:
    keep = times.notna()
    if lo is not None:
        keep &= times >= lo
    if hi is not None:
        keep &= times < hi
    return keep.fillna(False).astype(bool)


@dataclass(frozen=True)
class FixEffect:
    """A root cause's weekly rate in the weeks before a fix and the weeks after it.

    ``*_cases`` count cases tagged with the cause opened in the window, ``*_total`` all cases
    opened in it, ``*_weeks`` the window's length in weeks (the after window ends at the
    as-of time if that comes first). Rates are cases per week (None for an empty window).
    """

    cause: str
    starts_at: pd.Timestamp
    before_cases: int
    before_total: int
    before_weeks: float
    after_cases: int
    after_total: int
    after_weeks: float
    weekly: pd.DataFrame

    @property
    def before_rate(self) -> float | None:
        """Cases of the cause per week before the fix (None for an empty window)."""
        return self.before_cases / self.before_weeks if self.before_weeks > 0 else None

    @property
    def after_rate(self) -> float | None:
        """Cases of the cause per week from the fix on (None for an empty window)."""
        return self.after_cases / self.after_weeks if self.after_weeks > 0 else None

    @property
    def change(self) -> float | None:
        """after_rate ÷ before_rate − 1 (None when either is missing or before is 0)."""
        if not self.before_rate or self.after_rate is None:
            return None
        return self.after_rate / self.before_rate - 1


def fix_effect(
    table: pd.DataFrame, cause: str, starts_at: dt.datetime, as_of: dt.datetime, weeks: int
) -> FixEffect:
    """The cause's cases per week, ``weeks`` weeks before ``starts_at`` and after it.

    ``weekly`` has one row per week of both windows: ``week`` (its first day), ``period``
    ('before' or 'after'), ``cases`` (tagged with the cause) and ``total`` (all cases).
    """
    start = pd.Timestamp(starts_at).tz_convert("UTC")
    lo, hi = start - weeks * WEEK, min(start + weeks * WEEK, pd.Timestamp(as_of))
    created = table["created_at"]
    tagged = pd.Series([cause in c for c in table["root_causes"].tolist()], index=table.index)
    before, after = _between(created, lo, start), _between(created, start, hi)
    offsets = ((created - lo) // WEEK).where(before | after)
    weekly = pd.DataFrame(
        {"offset": offsets, "cases": tagged.astype("int64"), "total": 1}
    ).dropna()
    weekly = weekly.groupby("offset")[["cases", "total"]].sum()
    n_weeks = int(-(-(hi - lo) // WEEK)) if hi > lo else weeks
    weekly = weekly.reindex(range(n_weeks), fill_value=0).reset_index(names="offset")
    weekly.insert(0, "week", lo + weekly.pop("offset") * WEEK)
    weekly.insert(1, "period", ["before" if w < start else "after" for w in weekly["week"]])
    return FixEffect(
        cause=cause,
        starts_at=start,
        before_cases=int((tagged & before).sum()),
        before_total=int(before.sum()),
        before_weeks=float(weeks),
        after_cases=int((tagged & after).sum()),
        after_total=int(after.sum()),
        after_weeks=max(0.0, (hi - start) / WEEK),
        weekly=weekly.astype({"cases": "int64", "total": "int64"}),
    )


def unique_values(table: pd.DataFrame, column: str) -> list[str]:
    """The distinct non-empty values of a case-table column, sorted (for filter choices)."""
    values: Iterable[str] = table[column].dropna().unique()
    return sorted(str(v) for v in values if str(v))


def classify_outcomes(config: LessonsConfig, table: pd.DataFrame, closed: pd.Series) -> pd.Series:
    """The outcome class of each case row (``scenario_id``, ``outcome``, ``status``).

    Args:
        config: data/lessons.yaml.
        table: case rows.
        closed: per row, whether the case is in a closed status now.

    Returns:
        A string Series (missing for cases that have no class yet).
    """
    pairs = {(s, o): c for s, steps in config.by_outcome.items() for o, c in steps.items()}
    by_outcome = _lookup([table["scenario_id"], table["outcome"]], pairs.get)
    by_status = _lookup([table["status"]], lambda k: config.by_status.get(k[0]))
    fallback = _lookup([table["status"]], lambda k: config.closed_without_outcome.get(k[0]))
    fallback = fallback.where(closed & table["outcome"].isna())
    return by_status.fillna(by_outcome).fillna(fallback)


def _lookup(columns: list[pd.Series], find: Callable[[tuple], str | None]) -> pd.Series:
    """``find`` of each row's values of ``columns`` (None for missing), once per combination.

    ``find`` is called once per distinct combination (a handful of scenarios, statuses and
    outcomes on 100k rows), not once per row.
    """
    combined = np.zeros(len(columns[0]), dtype="int64")
    coded = []
    for col in columns:
        codes, uniques = pd.factorize(col)  # missing -> -1
        combined = combined * (len(uniques) + 1) + (codes + 1)
        coded.append((codes, [*uniques.tolist(), None]))  # index -1 -> None
    _, first, inverse = np.unique(combined, return_index=True, return_inverse=True)
    found = [find(tuple(vals[codes[i]] for codes, vals in coded)) for i in first]
    return pd.Series(pd.array(found, dtype="string")[inverse], index=columns[0].index)
