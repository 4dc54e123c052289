"""Triage: the sample's known cases land in the right scenarios at a fixed "as of" time, small
hand-checked orders get the right deadline and priority, facts fill a case, the CLI's exits."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pandas as pd
import pytest

from playbook.cli import main as cli_main
from playbook.orders.reader import read_orders
from playbook.orders.rules import reason_key
from playbook.orders.triage import Triage, order_facts, triage

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data" / "sample" / "wish_orders_sample.csv"
BAD = Path(__file__).resolve().parent / "data" / "orders" / "bad"
AS_OF = "2026-11-20T12:00:00Z"


def _load_generator():
    spec = importlib.util.spec_from_file_location("make_orders", REPO / "scripts/make_orders.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_orders"] = module
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


@pytest.fixture(scope="module")
def data() -> Triage:
    """The real rules, reason codes and policies under data/."""
    return Triage.load()


@pytest.fixture(scope="module")
def sample_truth() -> pd.DataFrame:
    """The sample as the generator built it, with the outcome each case was built for."""
    return gen.build(gen.SAMPLE_ROWS, gen.SAMPLE_SEED)


def test_sample_file_is_what_the_generator_makes(sample_truth):
    """data/sample/ is reproducible from the generator (so its known cases are known)."""
    on_disk = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(on_disk, gen.to_export_frame(sample_truth), check_dtype=False)


def test_sample_covers_every_state_and_reason(sample_truth):
    """All CSV states and every refund reason text the generator knows appear in the sample."""
    states = {c[2] for c in gen.CASES if c[2] != "REFUNDED"} | set(gen.REFUND_STATES)
    assert set(sample_truth["csv_state"]) == states
    reasons = {t for texts in gen.REASONS.values() for t in texts}
    assert reasons <= set(sample_truth["refund_reason"])


def test_sample_triage_counts(sample_truth, data):
    """Each order lands in the scenario its generator case was built for, and no other."""
    result = triage(read_orders(SAMPLE).orders, AS_OF, data)
    expected = sample_truth.loc[sample_truth["expect"] != "", ["order_id", "expect"]]
    assert result.counts().to_dict() == expected["expect"].value_counts().sort_index().to_dict()
    got = dict(zip(result.table["order_id"], result.table["scenario"], strict=True))
    assert got == dict(zip(expected["order_id"], expected["expect"], strict=True))
    assert len(result.unknown_reasons) == 0
    # unfulfilled orders: the "soon" cases are within 24 h, the "past" ones are overdue
    unf = result.table[result.table["scenario"] == "unfulfilled-order"].set_index("order_id")
    case = sample_truth.set_index("order_id")["case"]
    assert set(unf["deadline_state"].groupby(case).unique().map(tuple)) == {("past",), ("soon",)}
    assert (unf["priority"] == 1).all()


def _orders(tmp_path: Path, rows: list[str]) -> pd.DataFrame:
    header = (
        "Transaction Date,Order Id,Order State,Quantity,Available for Fulfillment Time,"
        "Shipped on,Tracking Confirmed Date,Date Shipping Carrier Confirmed Delivery,"
        "Refund Date,Refund Reason"
    )
    path = tmp_path / "few.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    result = read_orders(path)
    assert len(result.rejects) == 0
    return result.orders


def test_hand_checked_orders(tmp_path, data):
    """Deadlines worked out by hand from the policies (5 days, 168 h, 30 days, 90 days)."""
    orders = _orders(
        tmp_path,
        [
            # released 11-15 12:00 -> due 11-20 12:00 = as-of: past, priority 1
            "2026-11-15 04:00:00,u-past,APPROVED,1,2026-11-15 12:00:00,,,,,",
            # released 11-16 00:00 -> due 11-21 00:00, 12 h left: soon
            "2026-11-15 16:00:00,u-soon,APPROVED,1,2026-11-16 00:00:00,,,,,",
            # released 11-16 13:00 -> due 11-21 13:00, 25 h left: not yet
            "2026-11-16 05:00:00,u-fine,APPROVED,1,2026-11-16 13:00:00,,,,,",
            # no release time: counted from the order time 11-15 11:00 -> due 11-20 11:00, past
            "2026-11-15 11:00:00,u-order-time,APPROVED,1,,,,,,",
            # refunded 11-19 for a wrong colour (v3 enum spelling): window to 2027-02-17
            "2026-10-01 00:00:00,m-enum,REFUNDED BY WISH,1,2026-10-01 08:00:00,2026-10-02,"
            "2026-10-03 00:00:00,2026-10-10 00:00:00,2026-11-19,WRONG_COLOR",
            # refunded 2026-08-20 with code 23 (wrong item): 90 days end 11-18: past, priority 3
            "2026-08-01 00:00:00,m-code,REFUNDED,1,,,,,2026-08-20,23",
            # first scan 169 h after release: late confirmed fulfilment
            "2026-11-01 00:00:00,late,SHIPPED,1,2026-11-01 00:00:00,2026-11-02,"
            "2026-11-08 01:00:00,,,",
            # first scan exactly 168 h after release: on time
            "2026-11-01 00:00:00,on-time,SHIPPED,1,2026-11-01 00:00:00,2026-11-02,"
            "2026-11-08 00:00:00,,,",
            # an unknown reason is reported, not dropped
            "2026-11-01 00:00:00,odd,REFUNDED,1,2026-11-01 00:00:00,,,,"
            "2026-11-10,Parcel ate by dog",
        ],
    )
    result = triage(orders, AS_OF, data)
    t = result.table.set_index("order_id")
    assert sorted(t.index) == ["late", "m-code", "m-enum", "u-order-time", "u-past", "u-soon"]
    assert t.loc["u-past", ["scenario", "deadline_state", "priority"]].tolist() == [
        "unfulfilled-order",
        "past",
        1,
    ]
    assert t.loc["u-past", "due_at"] == pd.Timestamp("2026-11-20T12:00:00Z")
    assert t.loc["u-soon", ["deadline_state", "hours_left"]].tolist() == ["soon", 12.0]
    assert t.loc["u-order-time", "due_at"] == pd.Timestamp("2026-11-20T11:00:00Z")
    assert t.loc["m-enum", ["scenario", "reason_group", "refund_reason_key"]].tolist() == [
        "item-mismatch",
        "item_mismatch",
        "WRONG_COLOR",
    ]
    assert t.loc["m-enum", "due_at"] == pd.Timestamp("2027-02-17T00:00:00Z")
    assert t.loc["m-code", ["refund_reason_key", "deadline_state", "priority"]].tolist() == [
        "RECEIVED_WRONG_ITEM",
        "past",
        3,
    ]
    assert t.loc["late", ["scenario", "deadline_state"]].tolist() == [
        "late-confirmed-fulfilment",
        "ok",
    ]
    assert result.unknown_reasons.values.tolist() == [["Parcel ate by dog", 1]]
    assert t["priority"].is_monotonic_increasing


def test_reason_spellings_from_all_three_formats(data):
    """The same reason written as v2 code, v3 enum, CSV text or mangled text maps the same."""
    lookup = data.reasons.lookup()
    for spelling in [
        "27",
        "ITEM_DOES_NOT_MATCH_LISTING",
        "Item does not match listing",
        "item  does not MATCH listing.",
        "Itemdoesnotmatchlisting",
    ]:
        assert lookup[reason_key(spelling)] == ("ITEM_DOES_NOT_MATCH_LISTING", "item_mismatch")
    assert lookup[reason_key("-1")] == ("OTHER", "other")
    assert lookup[reason_key("7")] == ("RECEIVED_WRONG_ITEM", "item_mismatch")  # 2014 code


def test_order_facts(tmp_path):
    """A triaged order gives the facts a case takes, as strings in the facts' formats."""
    orders = read_orders(BAD / "formulas.csv").orders
    facts = order_facts(orders.iloc[0])
    assert facts == {
        "order_id": "o1",
        "transaction_id": "txo1",
        "product_name": orders["product_name"][0],
        "sku": "SKU-1",
        "quantity": "1",
        "order_total": "6.00",
        "currency": "USD",
        "released_at": "2026-11-01T18:00:00Z",
        "shipped_at": "2026-11-02T00:00:00Z",
    }


def test_cli_exit_codes_and_files(tmp_path, capsys, sample_truth):
    """0 when all rows are accepted, 1 with rejects, 2 when the file cannot be read."""
    assert cli_main(["triage", str(SAMPLE), "--as-of", AS_OF, "--out", str(tmp_path)]) == 0
    table = pd.read_csv(tmp_path / "wish_orders_sample.triage.csv", encoding="utf-8-sig")
    assert len(table) == (sample_truth["expect"] != "").sum()
    assert len(pd.read_csv(tmp_path / "wish_orders_sample.rejects.csv")) == 0
    out = capsys.readouterr().out
    mismatch = (sample_truth["expect"] == "item-mismatch").sum()
    assert any(line.split() == ["item-mismatch", str(mismatch)] for line in out.splitlines())
    assert (
        cli_main(["triage", str(BAD / "bad_money.csv"), "--as-of", AS_OF, "--out", str(tmp_path)])
        == 1
    )
    rejects = pd.read_csv(tmp_path / "bad_money.rejects.csv", dtype=str, encoding="utf-8-sig")
    assert rejects["source_row"].tolist() == ["2", "3", "4", "6"]
    assert cli_main(["triage", str(BAD / "truncated.json"), "--out", str(tmp_path)]) == 2
    assert "truncated.json" in capsys.readouterr().err


def test_parallel_gather_gives_the_same_table(data, monkeypatch):
    """The matched orders' columns are gathered in parallel; one worker gives the same table."""
    from playbook.orders import triage as triage_mod

    orders = read_orders(SAMPLE).orders
    tables = {}
    for workers in (1, 4):
        monkeypatch.setattr(triage_mod, "_GATHER_WORKERS", workers)
        tables[workers] = triage(orders, AS_OF, data).table
    assert len(tables[1]) > 100
    pd.testing.assert_frame_equal(tables[4], tables[1])
