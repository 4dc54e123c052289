"""Readable charts.

Weekly ticks on the Mondays the table counts, and a short range shown as weeks (one week of
data once spanned four years).
"""

from __future__ import annotations

import io

import pandas as pd
from PIL import Image

from playbook.lessons.charts import MAX_WEEK_TICKS, week_axis, weekly_chart

MONDAYS = pd.date_range("2026-10-05", periods=6, freq="W-MON")


def test_ticks_are_the_weeks_the_table_counts() -> None:
    ticks, labels, (lo, hi) = week_axis(list(MONDAYS))
    assert ticks == list(MONDAYS)
    assert all(t.day_of_week == 0 for t in ticks)
    assert labels[0] == "10-05"
    assert lo == MONDAYS[0] - pd.Timedelta(days=3.5)
    assert hi == MONDAYS[-1] + pd.Timedelta(days=3.5)


def test_one_week_is_shown_as_one_week() -> None:
    ticks, labels, (lo, hi) = week_axis([MONDAYS[0]])
    assert ticks == [MONDAYS[0]]
    assert hi - lo == pd.Timedelta(days=7)


def test_many_weeks_are_thinned_and_keep_their_year() -> None:
    weeks = list(pd.date_range("2025-11-03", periods=30, freq="W-MON"))
    ticks, labels, _ = week_axis(weeks)
    assert len(ticks) <= MAX_WEEK_TICKS
    assert set(ticks) <= set(weeks)
    assert labels[0] == "2025-11-03"  # the range spans two years: the year is shown


def test_the_weekly_chart_draws_a_single_week() -> None:
    flow = pd.DataFrame(
        {
            "scenario_id": ["item-mismatch"],
            "week": [pd.Timestamp("2026-11-30", tz="UTC")],
            "opened": [3],
            "closed": [1],
        }
    )
    png = weekly_chart(flow, {"item-mismatch": "Item mismatch"}, "opened", "closed", "Cases")
    assert Image.open(io.BytesIO(png)).size == (576, 240)
