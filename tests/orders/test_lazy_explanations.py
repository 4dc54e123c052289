"""Explanations made for the rows asked for read exactly as the whole table's.

Triage puts a listed row's ``explanation`` into words when a page (``TriageResult.explained``)
or the export (``TriageResult.table``) asks for it. Whatever rows are asked for, in whatever
order, the words are the ones the whole table has, on files in real shapes: spaced and
unspaced states, "True"/"False" text, money as text, date-only times, Wish's API payloads, the
older export with Wish's own hours left, and Amazon's reports.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from playbook.config import REPO_ROOT
from playbook.load import load_library
from playbook.orders.reader import read_orders, write_table
from playbook.orders.triage import TRIAGE_COLUMNS, TriageSet, triage
from tests.orders.order_files import SHAPES, gen

SAMPLE = REPO_ROOT / "data" / "sample" / "wish_orders_sample.csv"
AMAZON = Path(__file__).resolve().parents[1] / "data" / "orders" / "amazon"
AS_OF = "2026-11-20T12:00:00Z"
# Sample states written as other exports write them: no spaces, other cases, underscores.
UNSPACED = {
    "REFUNDED BY WISH": "REFUNDEDBYWISH",
    "REFUNDED BY MERCHANT": "Refunded_by_merchant",
    "REFUNDED BY WISH FOR MERCHANT": "refunded by wish for merchant",
    "CANCELLED BY CUSTOMER": "CANCELLEDBYCUSTOMER",
    "UNDER REVIEW FOR FRAUD": "Under Review For Fraud",
}


def _mixed(path: Path) -> Path:
    """The sample with states unspaced, flags as 'TRUE'/'false', date-only times, odd money."""
    frame = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    every = np.arange(len(frame))
    odd = every % 2 == 1
    frame.loc[odd, "Order State"] = frame.loc[odd, "Order State"].replace(UNSPACED)
    for col in ("Tracking Confirmed", "Confirmed Delivery", "Is Wish Express"):
        flags = frame[col]
        frame.loc[every % 3 == 0, col] = flags[every % 3 == 0].str.upper()
        frame.loc[every % 3 == 1, col] = flags[every % 3 == 1].str.lower()
    for k, col in enumerate(
        ("Available for Fulfillment Time", "Shipped on", "Tracking Confirmed Date", "Refund Date")
    ):
        day = (every % 4 == k) & (frame[col] != "")
        frame.loc[day, col] = frame.loc[day, col].str[:10]  # '2026-11-13'
    money = (every % 5 == 0) & (frame["Total Cost"] != "")
    frame.loc[money, "Total Cost"] = " " + frame.loc[money, "Total Cost"] + "00 "
    frame.to_csv(path, index=False)
    return path


def _old(path: Path) -> Path:
    """The older export (Wish's own hours and days left), 400 generated orders."""
    gen.write_csv(gen.build(400, seed=11), path, variant="old")
    return path


FILES = {
    "sample": lambda tmp: SAMPLE,
    "mixed": lambda tmp: _mixed(tmp / "mixed.csv"),
    "old": lambda tmp: _old(tmp / "old.csv"),
    "v2": lambda tmp: SHAPES / "v2_orders.json",
    "v3": lambda tmp: SHAPES / "v3_orders.json",
    "amazon": lambda tmp: AMAZON / "all_orders_by_order_date.txt",
    "amazon-no-channel": lambda tmp: AMAZON / "all_orders_by_last_update_no_channel.txt",
    "amazon-returns": lambda tmp: AMAZON / "returns.txt",
}


@pytest.fixture(scope="module")
def lib():
    """The library under data/."""
    return load_library()


def _pages(listed: pd.DataFrame) -> list[pd.DataFrame]:
    """Rows as pages and lookups ask for them: filtered, reversed, shuffled, one at a time."""
    rng = np.random.default_rng(5)
    pages = [listed.head(50), listed.iloc[::-1].head(50), listed.sample(frac=1, random_state=3)]
    for col in ("scenario", "verdict", "deadline_state", "rule"):
        pages += [listed[listed[col] == value].head(50) for value in listed[col].unique()]
    singles = rng.choice(len(listed), min(len(listed), 40), replace=False)
    pages += [listed.iloc[[i]] for i in singles]
    pages.append(listed.iloc[0:0])
    return pages


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("kind", list(FILES))
def test_rows_explained_on_demand_read_as_the_whole_table(kind, lang, lib, tmp_path):
    """Any rows asked for get the words the whole table gives them; the CSV is the same."""
    path = FILES[kind](tmp_path)
    orders = read_orders(path, formats=lib.order_formats).orders
    data = TriageSet.from_library(lib)
    for as_of in (AS_OF, "2026-12-01T00:00:00Z"):
        lazy = triage(orders, as_of, data, lang=lang)
        whole = triage(orders, as_of, data, lang=lang).table  # every row at once
        assert list(whole.columns) == TRIAGE_COLUMNS
        assert len(whole) > 0
        assert (whole["explanation"] != "").all()
        assert "explanation" not in lazy.listed.columns
        got, want = [], []
        for page in _pages(lazy.listed):
            got.append(lazy.explained(page))
            want.append(whole.loc[page.index])
            assert list(got[-1].columns) == list(want[-1].columns)
            assert got[-1].dtypes.equals(want[-1].dtypes)
        # every page's rows, values and index at once (one comparison, not one per page)
        pd.testing.assert_frame_equal(pd.concat(got), pd.concat(want))
        pd.testing.assert_frame_equal(lazy.table, whole)
        a, b = tmp_path / "lazy.csv", tmp_path / "whole.csv"
        assert write_table(lazy.table, a).read_bytes() == write_table(whole, b).read_bytes()


def test_the_mixed_file_is_read_as_the_sample(tmp_path):
    """The mixed spellings are real inputs: every row imported, with the sample's values."""
    mixed = read_orders(_mixed(tmp_path / "mixed.csv"))
    plain = read_orders(SAMPLE).orders
    assert len(mixed.rejects) == 0
    same = ["state", "refund_source", "tracking_confirmed", "delivery_confirmed", "order_total"]
    pd.testing.assert_frame_equal(mixed.orders[same], plain[same])
    day = mixed.orders["released_at"] != plain["released_at"]
    assert day.sum() > 100
    assert (mixed.orders.loc[day, "released_at"].dt.strftime("%H:%M:%S") == "00:00:00").all()


def test_rows_of_another_table_are_refused(lib):
    """Rows are found by their index and file row: a renumbered copy cannot be explained."""
    tri = triage(read_orders(SAMPLE).orders, AS_OF, TriageSet.from_library(lib))
    renumbered = tri.listed.iloc[10:12].reset_index(drop=True)
    with pytest.raises(ValueError, match="not rows of this triage table"):
        tri.explained(renumbered)
    moved = tri.listed.iloc[10:12].copy()
    moved["source_row"] = moved["source_row"] + 1
    with pytest.raises(ValueError, match="not rows of this triage table"):
        tri.explained(moved)


def test_words_are_those_of_the_orders_as_triaged(lib, tmp_path):
    """Changing the order table after triage does not change the words asked for later."""
    orders = read_orders(_old(tmp_path / "old.csv")).orders
    data = TriageSet.from_library(lib)
    expected = triage(orders.copy(), AS_OF, data).table
    tri = triage(orders, AS_OF, data)
    for col in ("released_at", "shipped_at", "confirmed_fulfilled_at", "updated_at"):
        orders[col] = pd.NaT
    orders["hours_to_fulfill"] = pd.NA
    orders["state"] = "SHIPPED"
    pd.testing.assert_frame_equal(tri.table, expected)
