"""Triage: the sample's known cases land in the right scenarios at a fixed "as of" time.

Small hand-checked orders get the right deadline and priority, facts fill a case, the CLI
exits as documented; real data shapes fire a rule only on facts the file gives.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from playbook.cases.records import CaseFilter
from playbook.cli import main as cli_main
from playbook.config import REPO_ROOT
from playbook.library.triage_rules import reason_key
from playbook.load import load_library
from playbook.orders.reader import read_orders
from playbook.orders.triage import Triage, order_facts, triage
from tests.orders.order_files import BAD, SHAPES, gen

SAMPLE = REPO_ROOT / "data" / "sample" / "wish_orders_sample.csv"
AS_OF = "2026-11-20T12:00:00Z"


@pytest.fixture(scope="module")
def data() -> Triage:
    """The real rules, reason codes and policies under data/."""
    return Triage.from_library(load_library(), "wish")


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
        "ordered_at": "2026-11-01T10:00:00Z",
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


# --- real data shapes: a rule fires only on facts the file gives -----------------------------


def _oid(n: int) -> str:
    return f"5a{n:022x}"


@pytest.fixture(scope="module")
def v2(data):
    """The v2 payload in real shapes (made-up values), read and triaged."""
    result = read_orders(SHAPES / "v2_orders.json")
    assert len(result.rejects) == 0
    return result, triage(result.orders, AS_OF, data)


@pytest.fixture(scope="module")
def v3(data):
    result = read_orders(SHAPES / "v3_orders.json")
    assert len(result.rejects) == 0
    return result, triage(result.orders, AS_OF, data)


def _row(tri, order_id: str) -> pd.Series | None:
    hit = tri.table[tri.table["order_id"] == order_id]
    return hit.iloc[0] if len(hit) else None


def test_v2_without_delivery_data_is_not_flagged_not_delivered(v2):
    """v2 has no delivery date: a shipped order is not 'not delivered'.

    It needs a look, with a lower priority, naming the missing fact; the summary counts it per
    rule.
    """
    _, tri = v2
    row = _row(tri, _oid(2))
    assert row["verdict"] == "look"
    assert row["rule"] == "shipped-not-delivered"
    assert row["missing_facts"] == "delivery"
    assert row["priority"] == 4 > tri.table.loc[tri.table["verdict"] == "case", "priority"].max()
    assert row["explanation"].startswith("not judged: the file does not give the confirmed")
    assert "order-not-delivered" not in tri.counts().index
    unjudged = tri.unjudged.set_index(["rule", "missing"])["orders"]
    assert unjudged[("shipped-not-delivered", "delivery")] == 1


def test_an_order_that_need_not_be_confirmed_delivered_is_not_judged_by_that_rule(v2):
    """requires_delivery_confirmation "False": the confirmed-delivery rule does not apply."""
    _, tri = v2
    assert _row(tri, _oid(3)) is None
    assert tri.unjudged["orders"].sum() == 3  # orders 1, 2 and 11 only


def test_an_order_without_a_confirmed_scan_is_not_flagged_late(v2):
    """An older v2 order without tracking_confirmed(_date) is not judged late.

    Shipped 4 days after it was placed, it is not late-confirmed-fulfilment: it is counted as
    not judged for the missing scan.
    """
    result, tri = v2
    assert _row(tri, _oid(1)) is None
    assert result.orders.set_index("order_id").loc[_oid(1), "shipped_at"] == pd.Timestamp(
        "2015-03-06T00:00:00Z"
    )
    unjudged = tri.unjudged.set_index(["rule", "missing"])["orders"]
    assert unjudged[("late-confirmed-fulfilment", "first_scan")] == 1


@pytest.mark.parametrize(
    ("text", "key", "group"),
    [
        ("Item does not match the listing", "ITEM_DOES_NOT_MATCH_LISTING", "item_mismatch"),
        ("Item does not fit customer", "ITEM_DOES_NOT_FIT", "item_mismatch"),
        ("Customer received the wrong item", "RECEIVED_WRONG_ITEM", "item_mismatch"),
        ("Customer cancelled order", "CUSTOMER_REQUEST", "customer_cancel"),
        ("Customercancelledorder", "CUSTOMER_REQUEST", "customer_cancel"),
        ("  ITEM does not match   the LISTING!! ", "ITEM_DOES_NOT_MATCH_LISTING", "item_mismatch"),
        ("Itemdoesnotmatchthelisting", "ITEM_DOES_NOT_MATCH_LISTING", "item_mismatch"),
        ("Orderissuspectedfraud", "FRAUDULENT_ACTIVITY", "fraud"),
        ("InsufficientInventory", "MERCHANT_OUT_OF_STOCK", "unfulfilled"),
        ("ITEM_NEVER_ARRIVED", "LATE_OR_MISSING", "not_delivered"),
        ("1001", "WRONG_COLOR", "item_mismatch"),
    ],
)
def test_real_reason_texts_map(data, text, key, group):
    """Case, spaces, punctuation and the filler words 'the'/'customer' do not matter."""
    assert data.reasons.match(text) == (key, group)


def test_reasons_from_the_payload_land_in_their_scenario(v2):
    """Refunds for not matching the listing or the wrong item land in item-mismatch.

    The late scan of order 4 is listed as another rule, not the scenario; cancellations open no
    case.
    """
    _, tri = v2
    for n in (4, 5, 6):
        assert _row(tri, _oid(n))["scenario"] == "item-mismatch", n
    assert _row(tri, _oid(4))["other_rules"] == "late-confirmed-fulfilment"
    assert _row(tri, _oid(7)) is None
    assert _row(tri, _oid(8)) is None
    assert tri.unknown_reasons.values.tolist() == [["Parcel ate by dog", 1]]


def test_an_unknown_reason_never_lands_in_another_scenario(v2, data):
    """Order 11 (unknown reason, first scan 9 days after release) is held and reported.

    With `unknown_reason: judge` the late-scan rule judges it.
    """
    result, tri = v2
    assert _row(tri, _oid(11)) is None
    unjudged = tri.unjudged.set_index(["rule", "missing"])["orders"]
    assert unjudged[("late-confirmed-fulfilment", "reason")] == 1
    judging = Triage(data.rules.model_copy(update={"unknown_reason": "judge"}), *_rest(data))
    again = triage(result.orders, AS_OF, judging)
    assert _row(again, _oid(11))["scenario"] == "late-confirmed-fulfilment"


def _rest(data: Triage):
    return data.reasons, data.policies


def test_refunded_by_is_matched_like_states_and_unknown_values_are_reported(v2):
    result, tri = v2
    source = result.orders.set_index("order_id")["refund_source"]
    assert source[_oid(1)] == "WISH_FOR_MERCHANT"  # REFUNDEDBYWISHFORMERCHANT
    assert source[_oid(4)] == "WISH_FOR_MERCHANT"  # REFUNDED BY WISH FOR MERCHANT
    assert source[_oid(7)] == "CUSTOMER"  # CANCELLEDBYCUSTOMER
    assert source[_oid(11)] == "REFUNDED BY SOMEONE ELSE"  # kept as written...
    assert tri.unknown_refund_sources.values.tolist() == [["REFUNDED BY SOMEONE ELSE", 1]]


def test_hours_to_fulfill_moves_the_deadline(v2, data):
    """Order 9: last updated 11-19 00:00 with 20 h left -> due 11-19 20:00 (past).

    By the policy alone (released 11-17 08:00 + 5 days) it would not be due yet.
    """
    result, tri = v2
    row = _row(tri, _oid(9))
    assert row["due_at"] == pd.Timestamp("2026-11-19T20:00:00Z")
    assert row["deadline_source"] == "hours_to_fulfill + updated_at"
    assert "+ 20 h left (Wish's hours_to_fulfill) = due 2026-11-19 20:00 UTC" in row["explanation"]
    without = result.orders.assign(hours_to_fulfill=pd.NA, days_to_fulfill=pd.NA)
    without["hours_to_fulfill"] = without["hours_to_fulfill"].astype("Int64")
    without["days_to_fulfill"] = without["days_to_fulfill"].astype("Int64")
    assert _row(triage(without, AS_OF, data), _oid(9)) is None
    days = without.assign(days_to_fulfill=pd.array([1] * len(without), dtype="Int64"))
    row = _row(triage(days, AS_OF, data), _oid(9))  # 1 day from 11-19 00:00
    assert row["due_at"] == pd.Timestamp("2026-11-20T00:00:00Z")
    assert row["deadline_source"] == "days_to_fulfill + updated_at"


def test_a_late_scan_explains_its_arithmetic_policy_and_source(v3, data, tmp_path):
    """The explanation names the facts, the arithmetic, the policy key and its source.

    In the triage table, the CSV and the facts of a case opened from the row.
    """
    result, tri = v3
    row = _row(tri, "6b" + f"{1:022x}")
    source = data.policy("late_confirmed_fulfilment").source
    assert row["explanation"] == (
        "state SHIPPED; released 2016-01-06 23:25 UTC, first carrier scan 2016-01-14 09:10 UTC"
        " → 177.8 h > 168 h"
    )
    assert (row["rule_policy"], row["policy_source"]) == ("late_confirmed_fulfilment", source)
    note = (
        f"{row['explanation']}; policy late_confirmed_fulfilment, source {source}; "
        "act by 2016-04-13 09:10 UTC (infraction_dispute_window (90 days) + "
        "confirmed_fulfilled_at)"
    )
    zh = triage(result.orders, AS_OF, data, lang="zh")
    assert "首次物流扫描" in _row(zh, row["order_id"])["explanation"]
    order = result.orders[result.orders["order_id"] == row["order_id"]].iloc[0]
    assert order_facts(order, row)["triage_note"] == note
    assert (
        cli_main(
            ["triage", str(SHAPES / "v3_orders.json"), "--as-of", AS_OF, "--out", str(tmp_path)]
        )
        == 0
    )
    written = pd.read_csv(tmp_path / "v3_orders.triage.csv", encoding="utf-8-sig")
    line = written[written["order_id"] == row["order_id"]].iloc[0]
    assert line["explanation"] == row["explanation"]
    assert (line["rule_policy"], line["policy_source"]) == ("late_confirmed_fulfilment", source)


def test_a_re_released_order_is_due_from_its_re_release(v3):
    """v3: a tracking cancelled after MARK_SHIPPED clears shipped_at.

    The order is due again 5 days after ORDER_RE_RELEASED.
    """
    result, tri = v3
    order = result.orders.set_index("order_id").loc["6b" + f"{2:022x}"]
    assert pd.isna(order["shipped_at"])
    assert pd.isna(order["confirmed_fulfilled_at"])
    assert order["tracking_cancelled_at"] == pd.Timestamp("2026-11-05T00:00:00Z")
    row = _row(tri, "6b" + f"{2:022x}")
    assert row["due_at"] == pd.Timestamp("2026-11-10T00:00:00Z")
    assert row["explanation"].startswith("state APPROVED; re-released 2026-11-05 00:00 UTC")


def test_contact_details_stay_out_of_the_triage_csv_unless_asked(tmp_path, capsys):
    path = SHAPES / "v2_orders.json"
    assert cli_main(["triage", str(path), "--as-of", AS_OF, "--out", str(tmp_path)]) == 0
    plain = (tmp_path / "v2_orders.triage.csv").read_text(encoding="utf-8-sig")
    assert "555-0100" not in plain
    assert "1 Sample Road" not in plain
    out = capsys.readouterr().out
    assert "shipped-not-delivered" in out
    assert "(delivery)" in out
    assert "REFUNDED BY SOMEONE ELSE" in out
    args = ["triage", str(path), "--as-of", AS_OF, "--out", str(tmp_path), "--with-contact"]
    assert cli_main(args) == 0
    table = pd.read_csv(tmp_path / "v2_orders.triage.csv", encoding="utf-8-sig", dtype=str)
    assert set(table["phone_number"]) == {"555-0100"}
    assert set(table["street_address1"]) == {"1 Sample Road"}


def test_the_analyst_page_shows_why_and_keeps_contact_out_of_widget_state(tmp_path):
    """The analyst table has the explanation column; no widget holds contact details.

    No widget value holds a phone number or a street, even for the order chosen for a case
    (the facts carry the explanation).
    """
    import shutil

    from playbook.cases.sql_store import SqlStore as Store
    from playbook.load import load_library
    from playbook.ui.analyst_panel import AnalystPanel

    shutil.copy(SHAPES / "v2_orders.json", tmp_path / "v2.json")
    store = Store(f"sqlite:///{tmp_path / 'cases.sqlite3'}")
    panel = AnalystPanel(load_library(), store=store, user="Ana", allowed_dir=tmp_path)
    panel.load_path(str(tmp_path / "v2.json"), AS_OF)
    html = panel.table.value
    assert "Why" in html
    assert "not judged: the file does not give the confirmed delivery" in html
    assert "Orders a rule could not judge" in panel.counts.value
    assert "REFUNDED BY SOMEONE ELSE" in panel.counts.value
    row = int(_row(panel.loaded.triaged, _oid(4))["source_row"])
    panel.case_order.value = row
    facts = panel.order_facts_of(row)
    assert facts["triage_note"].startswith("state REFUNDED; refund reason")

    def values(widget) -> list[str]:
        out = [str(getattr(widget, "value", "")), str(getattr(widget, "options", ""))]
        for child in getattr(widget, "children", ()):
            out += values(child)
        return out

    panel.store_name.value = "Demo Store"
    panel.open_button.click()
    (case,) = store.list_cases(CaseFilter(order_id=_oid(4)))
    assert case.facts["triage_note"] == facts["triage_note"]  # the case carries the why
    assert not {"phone_number", "street_address1"} & set(case.facts)
    state = " ".join(values(panel.widget))
    assert "555-0100" not in state
    assert "1 Sample Road" not in state
    panel.close()
    store.close()


def test_old_csv_export_with_hours_to_fulfill(tmp_path, data):
    """The earlier CSV (Days/Hours to Fulfill): Wish's hours left set the fulfilment deadline.

    The hours count from Last Updated.
    """
    path = tmp_path / "old.csv"
    path.write_text(
        "Transaction Date,Order Id,Order State,Quantity,Days to Fulfill,Hours to Fulfill,"
        "Shipped on,Last Updated,Refund Reason\n"
        "2026-11-16 00:00:00,h-left,APPROVED,1,0,6,,2026-11-20 00:00:00,\n"
        "2026-11-16 00:00:00,no-left,APPROVED,1,,,,2026-11-20 00:00:00,\n",
        encoding="utf-8",
    )
    tri = triage(read_orders(path).orders, AS_OF, data)
    t = tri.table.set_index("order_id")
    assert t.loc["h-left", "due_at"] == pd.Timestamp("2026-11-20T06:00:00Z")  # past
    assert t.loc["no-left", "due_at"] == pd.Timestamp("2026-11-21T00:00:00Z")  # 16th + 5 days
    assert t.loc["no-left", "deadline_source"].startswith("fulfilment_deadline (5 days)")
