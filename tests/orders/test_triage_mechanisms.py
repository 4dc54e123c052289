"""Triage mechanisms a second platform needed.

Business days counted for a whole column as for one date, and the platform's own due time
(``given``) used where the file has it.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from playbook.orders.deadlines import add_business_days
from playbook.orders.reader import read_orders
from playbook.orders.triage import TriageSet, triage
from playbook.scenarios.policies import add_business_days as one_date

ALL_ORDERS = (
    Path(__file__).parent.parent / "data" / "orders" / "amazon" / "all_orders_by_order_date.txt"
)


def test_business_days_for_a_column_match_the_one_date_rule() -> None:
    start = dt.datetime(2026, 11, 27, 0, 0, tzinfo=dt.UTC)  # a Friday
    times = [start + dt.timedelta(hours=7 * i) for i in range(72)]  # 3 weeks, every weekday
    column = pd.Series([*times, None], dtype="datetime64[us, UTC]")
    for days in range(1, 7):
        got = add_business_days(column, days)
        assert pd.isna(got.iloc[-1])
        for when, due in itertools.islice(zip(times, got, strict=False), len(times)):
            assert due.to_pydatetime() == one_date(when, days), (when, days)


def test_the_files_own_due_time_is_used_where_it_has_one(lib) -> None:
    result = read_orders(ALL_ORDERS, formats=lib.order_formats)
    orders = result.orders.copy()
    # A report that gave a ship-by date for row 2 (none of Amazon's reports does).
    orders.loc[orders["source_row"] == 2, "fulfil_by"] = pd.Timestamp("2026-11-21T10:00:00Z")
    tri = triage(
        orders, "2026-11-20T12:00:00Z", TriageSet.from_library(lib), complete=result.complete
    )
    table = tri.table.set_index("source_row")
    row = table.loc[2]
    assert (row["verdict"], row["rule"], row["priority"], row["deadline_state"]) == (
        "case",
        "mfn-not-shipped",
        1,
        "soon",
    )
    assert row["due_at"] == pd.Timestamp("2026-11-21T10:00:00Z")
    assert row["deadline_source"] == "fulfil_by"
    assert "ship by 2026-11-21 10:00 UTC + 0 h (the file's own due time)" in row["explanation"]
    assert table.loc[18, "verdict"] == "look"  # still no ship-by date there


@pytest.mark.parametrize("rules", [3, 62, 63, 130])
def test_other_rules_name_every_other_rule_that_fires_in_rule_order(rules) -> None:
    """``other_rules`` is the rules that fire besides the picked one, also past 62 rules."""
    from playbook.orders.deadlines import Picked
    from playbook.orders.triage import _others

    rng = np.random.default_rng(rules)
    n = 500
    fires = rng.random((rules, n)) < 0.2
    idx = np.sort(rng.choice(n, 300, replace=False))
    pick = rng.integers(0, rules, len(idx))
    fires[pick, idx] = True
    ids = [f"rule-{k}" for k in range(rules)]
    none = np.zeros(len(idx))
    got = _others(ids, fires, Picked(idx, pick, none > 0, none, none, none, none))
    expected = [
        ";".join(ids[k] for k in range(rules) if fires[k, i] and k != picked)
        for i, picked in zip(idx, pick, strict=True)
    ]
    assert got.tolist() == expected
    assert str(got.dtype) == "str"
    assert (got != "").any()
