"""Order-table statistics for the analyst page: pure pandas over import and triage tables.

No I/O and no UI: callers pass DataFrames from ``orders.read_orders`` and ``triage.triage``,
and untrusted text (filters, the as-of time) as it came.
"""

from __future__ import annotations

import re

import pandas as pd

from playbook.errors import PlaybookError
from playbook.orders.facts import as_utc

__all__ = ["cell_text", "filter_triage", "parse_as_of", "weekly_counts"]

_AS_OF_RE = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)?(?:Z|[+-]\d{2}:?\d{2})?"
)


def parse_as_of(value: object) -> pd.Timestamp:
    """The time triage judges deadlines at, from an ISO date or date and time (UTC if no zone).

    Raises:
        PlaybookError: ``value`` is not such a time (code ``analyst.error.as_of``).
    """
    raw = str(value).strip()
    try:
        if _AS_OF_RE.fullmatch(raw):
            return as_utc(raw)
    except ValueError:
        pass
    raise PlaybookError("analyst.error.as_of", value=raw[:40])


def weekly_counts(table: pd.DataFrame, orders: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Triaged orders per ISO week of release ('2026-W47', rows) and scenario (columns).

    An order without a release time counts by its order time (as ``order_facts`` does); the
    second value is how many have neither and are left out.
    """
    released = table["released_at"]
    if released.isna().any() and "ordered_at" in orders:
        ordered = orders.set_index("source_row")["ordered_at"].reindex(table["source_row"])
        released = released.fillna(pd.Series(ordered.to_numpy(), index=table.index))
    dated = released.notna().to_numpy()
    if not dated.any():
        return pd.DataFrame(), int(len(table))
    iso = released[dated].dt.isocalendar()
    week = iso["year"].astype("str") + "-W" + iso["week"].astype("str").str.zfill(2)
    counts = pd.crosstab(week.to_numpy(), table["scenario"][dated].to_numpy())
    return counts.sort_index(), int((~dated).sum())


def filter_triage(
    table: pd.DataFrame, scenario: object, priority: object, query: object
) -> pd.DataFrame:
    """The triage rows that pass the filters; every filter value is untrusted input.

    Args:
        table: a ``TriageResult.listed`` (or ``.table``).
        scenario: a scenario id, or "" for any.
        priority: a priority as digits; anything else means any.
        query: part of an order id (case-insensitive, plain text, first 64 characters).
    """
    keep = pd.Series(True, index=table.index)
    if scenario != "":
        keep &= table["scenario"] == str(scenario)
    priority = str(priority)
    if priority.isdigit():
        keep &= table["priority"] == int(priority)
    query = str(query).strip()[:64]
    if query:
        keep &= table["order_id"].str.contains(query, case=False, regex=False, na=False)
    return table[keep]


def cell_text(value: object) -> str:
    """A cell's text; missing values (None, NA, NaT, NaN) are empty.

    >>> cell_text(None), cell_text(float("nan")), cell_text(3)
    ('', '', '3')
    """
    return "" if pd.api.types.is_scalar(value) and pd.isna(value) else str(value)
