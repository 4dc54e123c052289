"""playbook.lessons.analytics on the known store of scripts/make_cases.py (SQLite, PostgreSQL).

The expected figures below were worked out by hand from ``KNOWN_GROUPS`` (see the comments);
none is read back from the code under test.
"""

from __future__ import annotations

import datetime as dt
import logging

import pandas as pd
import pytest
import sqlalchemy as sa
import yaml

from playbook.cases.roles import Identity
from playbook.errors import Forbidden, InputError, ScenarioError
from playbook.lessons import analytics as an
from playbook.lessons.store import LessonsStore
from playbook.load import check, load_library
from playbook.orders.reader import read_orders
from tests.lessons_store import make_cases_module

AS_OF = dt.datetime(2026, 4, 27, 12, 0, tzinfo=dt.UTC)
FIX = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def orders(tmp_path_factory):
    path = make_cases_module().write_known_orders(tmp_path_factory.mktemp("o") / "o.csv")
    result = read_orders(path)
    assert len(result.rejects) == 0
    return result.orders


@pytest.fixture
def config(lib):
    return lib.lessons


@pytest.fixture
def table(known_store, lib, config, orders):
    return an.read_cases(known_store, config, orders)


def test_case_rows_and_outcomes(table, config):
    # 37 + 9 + 6 + 4 + 2 + 15 + 5 + 4 + 1 cases
    assert len(table) == 83
    mix = an.outcome_mix(table, config).set_index("outcome")["cases"].to_dict()
    assert mix == {
        "refunded": 37,  # a-before
        "reshipped": 9,  # a-after
        "cancelled": 15,  # c-cancelled
        "appeal-won": 6,  # b-won (status won)
        "appeal-lost": 4,
        "appeal-pending": 2,
        "closed-other": 1,  # e-by-hand: closed by a status event, no outcome step
    }
    appeal = an.appeal_rate(table, config)
    assert (appeal.won, appeal.lost, appeal.pending, appeal.rate) == (6, 4, 2, 0.6)
    assert an.open_now(table, AS_OF) == an.OpenNow(open=11, overdue=3)  # b-pending+c-open+d-new


def test_reply_and_resolution_times(table):
    medians = an.median_times(table)
    # replies: 46 + 20 cases at 2 h, 12 at 5 h (the appeal statement at 1 h is no reply)
    assert (medians.reply_hours, medians.reply_cases) == (2.0, 78)
    # closed: 46 at 72 h, 10 at 240 h, 1 at 48 h, 15 at 4.8 h (cancel-order already sets
    # "refunded" at 2/10 of the 24 h walk): the 36th and 37th of 72 are both 72 h
    assert (medians.resolution_hours, medians.resolution_cases) == (72.0, 72)
    by_id = table.set_index("id")
    assert by_id.loc["b-won-000", "reply_hours"] == 5.0
    assert by_id.loc["c-cancelled-000", "resolution_hours"] == pytest.approx(4.8)
    assert by_id.loc["e-by-hand-000", "resolution_hours"] == 48.0
    assert pd.isna(by_id.loc["b-pending-000", "resolution_hours"])  # waiting_platform is open
    assert pd.isna(by_id.loc["d-new-000", "reply_hours"])


def test_filters(table):
    def count(**kw):
        return len(an.select_cases(table, an.Filters(**kw)))

    assert count(scenario="unfulfilled-order") == 20
    assert count(store="Moon Shop") == 24  # c-* 20 + d-new 4
    assert count(assignee="bob") == 12
    assert count(start=dt.date(2026, 3, 2), end=dt.date(2026, 4, 26)) == 29  # weeks 9-16
    assert count(start=dt.date(2026, 1, 5), end=dt.date(2026, 1, 11), store="Sunny Home") == 6


def test_a_range_that_ends_before_it_starts_is_refused(lib) -> None:
    one_day = an.Filters(start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 2))
    assert one_day.bounds()[1] - one_day.bounds()[0] == pd.Timedelta(days=1)
    with pytest.raises(InputError) as err:
        an.Filters(start=dt.date(2026, 4, 1), end=dt.date(2026, 3, 1))
    assert err.value.code == "lessons.error.range"
    assert "2026-04-01 is after the end date 2026-03-01" in err.value.render("en")


def test_weekly_flow(table):
    flow = an.weekly_flow(table, an.Filters()).set_index(["week", "scenario_id"])
    week1 = flow.loc[(pd.Timestamp("2026-01-05", tz="UTC"), "item-mismatch")]
    # a-before 5 + b-won 1 opened; a-before Mon-Thu cases close within the week (+72 h)
    assert (week1["opened"], week1["closed"]) == (6, 4)
    assert flow["opened"].sum() == 83
    assert flow["closed"].sum() == 72
    unfulfilled = an.weekly_flow(table, an.Filters(scenario="unfulfilled-order"))
    assert set(unfulfilled["scenario_id"]) == {"unfulfilled-order"}
    assert unfulfilled["opened"].sum() == 20


def test_pareto_overall_and_by_breakdown(table):
    overall = an.pareto(table)
    assert list(zip(overall["key"], overall["cases"], strict=True)) == [
        ("picking-error", 46),
        ("inventory-inaccuracy", 20),
        ("listing-mismatch", 12),
        # c-* cases alternate (both causes, one cause): 8 of 15 and 3 of 5
        ("logistics-channel", 11),
        ("buyer-misunderstanding", 1),
    ]
    assert overall["cumulative"].iloc[-1] == pytest.approx(1.0)
    by_sku = an.pareto(table, "sku")
    assert by_sku.set_index("key")["cases"].to_dict() == {"SKU-A": 46, "SKU-C": 20, "SKU-B": 13}
    by_carrier = an.pareto(table, "carrier", cause="picking-error")
    assert by_carrier.set_index("key")["cases"].to_dict() == {"YunExpress": 46}
    by_country = an.pareto(table, "country", cause="inventory-inaccuracy")
    assert by_country.set_index("key")["cases"].to_dict() == {"FR": 20}  # from the orders
    assert an.pareto(table, "assignee").set_index("key")["cases"].to_dict() == {
        "amy": 47,
        "li": 20,
        "bob": 12,
    }
    with pytest.raises(ValueError, match="unknown breakdown"):
        an.pareto(table, "buyer_name")


def test_case_facts_come_from_linked_orders_only_when_missing(known_store, lib, config):
    without = an.read_cases(known_store, config)
    assert without.set_index("id").loc["c-open-000", ["sku", "carrier"]].isna().all()
    assert an.pareto(without, "sku").set_index("key")["cases"].to_dict() == {
        "SKU-A": 46,
        "": 20,
        "SKU-B": 13,
    }


def test_dispute_rates(table, orders, config):
    rates = an.dispute_rates(table, orders, "sku", an.Filters(), config.small_numbers)
    got = {
        r.key: (r.disputes, r.shipped, None if pd.isna(r.rate) else round(r.rate, 4), r.few)
        for r in rates.itertuples()
    }
    assert got == {
        "SKU-C": (20, 25, 0.8, True),  # 25 < 30 orders: caveat
        "SKU-A": (46, 400, 0.115, False),
        "SKU-B": (13, 240, round(13 / 240, 4), False),
        "SKU-D": (4, 0, None, True),  # no orders of it in the file
    }
    carriers = an.dispute_rates(table, orders, "carrier", an.Filters(), 30).set_index("key")
    assert carriers.loc["4PX", ["disputes", "shipped"]].tolist() == [33, 265]
    assert carriers.loc["YunExpress", ["disputes", "shipped"]].tolist() == [46, 400]
    # Order i is released (i*7 mod 100) days after 2026-01-05 and shipped a day later, so
    # SKU-A's 400 orders ship 4 a day on days 1-100; from 2026-03-02 (day 56) on: 45 days.
    later = an.dispute_rates(
        an.select_cases(table, an.Filters(start=dt.date(2026, 3, 2))),
        orders,
        "sku",
        an.Filters(start=dt.date(2026, 3, 2)),
        30,
    ).set_index("key")
    assert later.loc["SKU-A", ["disputes", "shipped"]].tolist() == [9, 180]


def test_fix_effect_before_and_after(known_store, table, config, lib):
    fixes = LessonsStore(known_store, lib).fixes()
    assert fixes[["root_cause", "title"]].values.tolist() == [
        ["picking-error", "Second packing check from 2026-03-02"]
    ]
    assert fixes["starts_at"].iloc[0] == pd.Timestamp(FIX)
    effect = an.fix_effect(table, "picking-error", FIX, AS_OF, config.fix_window_weeks)
    assert (effect.before_cases, effect.before_total, effect.before_weeks) == (37, 54, 8.0)
    assert (effect.after_cases, effect.after_total, effect.after_weeks) == (9, 29, 8.0)
    assert effect.before_rate == 37 / 8
    assert effect.after_rate == 9 / 8
    assert effect.change == pytest.approx(9 / 37 - 1)
    weekly = effect.weekly
    assert len(weekly) == 16
    assert weekly["cases"].tolist() == [5, 5, 5, 5, 5, 4, 4, 4, 2, 1, 1, 1, 1, 1, 1, 1]
    assert weekly["period"].tolist() == ["before"] * 8 + ["after"] * 8
    # Halfway through the after window only 4 weeks (and 6 cases) count.
    mid = an.fix_effect(table, "picking-error", FIX, FIX + dt.timedelta(weeks=4), 8)
    assert (mid.after_cases, mid.after_weeks) == (5, 4.0)


def test_record_fix_checks_every_field(known_store, lib):
    lessons = LessonsStore(known_store, lib)
    with pytest.raises(InputError) as err:
        lessons.record_fix(root_cause="nope", title="x", day=FIX.date(), actor="a")
    assert err.value.code == "lessons.error.fix_cause"
    with pytest.raises(InputError) as err:
        lessons.record_fix(root_cause="picking-error", title=" ", day=FIX.date(), actor="a")
    assert err.value.code == "lessons.error.fix_title"
    for not_a_day in (None, "2026-03-02", FIX):
        with pytest.raises(InputError) as err:
            lessons.record_fix(root_cause="picking-error", title="x", day=not_a_day, actor="a")
        assert err.value.code == "lessons.error.fix_date"
    assert len(lessons.fixes()) == 1  # nothing half-written


def test_a_fix_starts_at_midnight_utc_of_its_day(known_store, lib):
    lessons = LessonsStore(known_store, lib, clock=lambda: AS_OF)
    new_id = lessons.record_fix(
        root_cause="picking-error", title="Scale at packing", day=dt.date(2026, 4, 1), actor="a"
    )
    row = lessons.fixes().set_index("id").loc[new_id]
    assert row.starts_at == pd.Timestamp("2026-04-01T00:00:00Z")
    assert row.created_at == pd.Timestamp(AS_OF)


def test_only_a_lead_records_a_fix_and_a_refusal_writes_nothing(known_store, lib, caplog):
    for roles in ("staff", "analyst", "trainer", "staff,analyst,trainer", ""):
        lessons = LessonsStore(known_store, lib, identity=Identity.of("sam", roles))
        with caplog.at_level(logging.WARNING, "playbook.roles"), pytest.raises(Forbidden) as err:
            lessons.record_fix(root_cause="picking-error", title="x", day=FIX.date())
        assert err.value.code == "error.forbidden.record_fix"
        assert "只有组长可以记录改进措施" in err.value.render("zh")
        assert "action=record_fix" in caplog.text
    assert len(LessonsStore(known_store, lib).fixes()) == 1  # nothing written
    lead = LessonsStore(known_store, lib, identity=Identity.of("lee", "lead"))
    new_id = lead.record_fix(root_cause="picking-error", title="x", day=FIX.date(), actor="x")
    saved = lead.fixes().set_index("id").loc[new_id]
    assert saved.actor == "lee"  # the signed-in person, whatever the form said


def test_empty_store(sql_store, lib, config):
    table = an.read_cases(sql_store, config)
    assert len(table) == 0
    assert list(table.columns[: len(an.CASE_COLUMNS)]) == an.CASE_COLUMNS
    assert an.outcome_mix(table, config).empty
    assert an.appeal_rate(table, config).rate is None
    assert an.median_times(table) == an.Medians(None, 0, None, 0)
    assert an.open_now(table, AS_OF) == an.OpenNow(0, 0)
    assert an.pareto(table).empty
    assert an.weekly_flow(table, an.Filters()).empty
    assert LessonsStore(sql_store, lib).fixes().empty


def test_read_cases_never_reads_the_event_log(known_store, config):
    """One query of the cases table: the times come from the row (playbook/cases/projection)."""
    statements = []
    sa.event.listen(
        known_store.engine, "before_cursor_execute", lambda *a: statements.append(a[2])
    )
    an.read_cases(known_store, config)
    queries = [s for s in statements if s.startswith("SELECT")]
    assert len(queries) == 1
    assert "FROM cases" in queries[0]
    assert "events" not in queries[0]


def test_config_problems_name_file_and_line(data_copy):
    load_library()
    path = data_copy / "lessons.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["by_outcome"]["item-mismatch"]["contact-buyer"] = "refunded"
    raw["by_outcome"]["item-mismatch"]["outcome-refunded"] = "paid-back"
    raw["by_status"]["pending"] = "appeal-won"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    _lib, problems = check(data_copy)
    text = "\n".join(str(p) for p in problems)
    assert "by_outcome.item-mismatch.contact-buyer: 'contact-buyer' is not an outcome step" in text
    assert "unknown outcome class 'paid-back'" in text
    assert "by_status.pending: unknown status 'pending'" in text
    assert all(p.line for p in problems)
    assert len(problems) == 3


def test_broken_config_refuses_to_load(data_copy):
    (data_copy / "lessons.yaml").write_text("small_numbers: 0\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_library(data_copy)
    assert "lessons.yaml:1: small_numbers" in str(err.value)


def test_check_validates_the_lessons_file(data_copy):
    path = data_copy / "lessons.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("fix_window_weeks:", "fix_window_weks:", 1),
        encoding="utf-8",
    )
    _, problems = check(data_copy)
    assert any(
        str(p).startswith("data/lessons.yaml:") and "unknown key 'fix_window_weks'" in str(p)
        for p in problems
    ), problems
