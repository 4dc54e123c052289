"""A platform is data: a made-up third platform is added and walked with no code change.

The platform (tests/data/platform) is added to a copy of data/ as files only, checked, its order
file imported and triaged by its own rules, and a case from a triaged order walked to an
outcome through the case session.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest

from playbook.cases.memory_store import MemoryStore
from playbook.cases.session import CaseSession
from playbook.config import REPO_ROOT
from playbook.errors import PlaybookError
from playbook.load import check, load_library
from playbook.orders.facts import order_facts
from playbook.orders.reader import read_orders
from playbook.orders.triage import Triage, TriageSet, triage

ZYLO = Path(__file__).parent.parent / "data" / "platform"
AS_OF = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def add_zylo(data_copy: Path) -> Path:
    """The Zylo files over a copy of data/, its evidence profile added to the profiles."""
    shutil.copytree(ZYLO / "data", data_copy, dirs_exist_ok=True)
    limits = data_copy / "evidence_limits.yaml"
    text = limits.read_text(encoding="utf-8").rstrip("\n") + "\n"
    limits.write_text(text + (ZYLO / "evidence_profile.yaml").read_text(), encoding="utf-8")
    return data_copy


@pytest.fixture(scope="module")
def zylo(tmp_path_factory: pytest.TempPathFactory):
    """The library of a copy of data/ with Zylo added (built once: the tests only read it)."""
    data = tmp_path_factory.mktemp("zylo") / "data"
    shutil.copytree(REPO_ROOT / "data", data)
    add_zylo(data)
    _, problems = check(data)
    assert [str(p) for p in problems] == []
    return load_library(data)


def test_the_library_knows_the_new_platform(zylo) -> None:
    assert "zylo" in zylo.platforms()
    assert "zylo" not in zylo.platforms(hidden=["zylo"])
    assert [s.id for s in zylo.scenarios_of("zylo")] == ["zylo-late-parcel"]
    assert [f.id for f in zylo.formats_of("zylo")] == ["zylo-orders"]
    assert zylo.evidence_limits.profile("zylo").max_files == 6


def test_a_platform_can_be_hidden_by_configuration(zylo, monkeypatch) -> None:
    from playbook.config import settings

    monkeypatch.setenv("PLAYBOOK_HIDDEN_PLATFORMS", " zylo, nowhere ")
    hidden = settings().hidden_platforms
    assert hidden == ("zylo", "nowhere")
    assert "zylo" not in zylo.platforms(hidden=hidden)
    assert "wish" in zylo.platforms(hidden=hidden)


def test_its_order_file_is_read_by_its_declared_format(zylo) -> None:
    result = read_orders(ZYLO / "zylo_orders.csv", formats=zylo.order_formats)
    assert (result.platform, result.format) == ("zylo", "zylo-orders")
    assert result.rows_read == 4
    assert len(result.orders) + len(result.rejects) == 4
    reject = result.rejects.iloc[0]
    assert (reject["source_row"], reject["column"], reject["value"], reject["reason"]) == (
        5,
        "Status",
        "verloren",
        "unknown_state",
    )
    orders = result.orders.set_index("order_id")
    # the declared day-first format and ISO 8601 in one column
    assert orders.loc["Z-1", "ordered_at"] == pd.Timestamp("2026-11-27T10:00Z")
    assert orders.loc["Z-2", "ordered_at"] == pd.Timestamp("2026-12-01T09:00Z")
    assert orders.loc["Z-2", "Notiz"] == "bald"  # a known column kept as it is
    assert orders["state"].tolist() == ["OPEN", "OPEN", "SHIPPED"]


def test_its_rules_triage_it_and_a_case_walks_to_an_outcome(zylo) -> None:
    result = read_orders(ZYLO / "zylo_orders.csv", formats=zylo.order_formats)
    tri = triage(result.orders, AS_OF, TriageSet.from_library(zylo))
    table = tri.table
    assert table["order_id"].tolist() == ["Z-1"]
    row = table.iloc[0]
    # ordered Fri 2026-11-27 10:00 + 3 business days (Mon, Tue, Wed) = Wed 2026-12-02 10:00
    assert row["due_at"] == pd.Timestamp("2026-12-02T10:00Z")
    assert (row["scenario"], row["priority"], row["deadline_state"]) == (
        "zylo-late-parcel",
        1,
        "soon",
    )
    assert row["policy_source"] == "https://help.zylo.example/shipping"
    assert "ship_window (3 business days) + ordered_at" == row["deadline_source"]

    facts = order_facts(result.orders.iloc[0], row)
    session = CaseSession(zylo, MemoryStore(), clock=lambda: AS_OF, actor=lambda: "tess")
    assert (
        session.start("zylo-late-parcel", {**facts, "buyer_name": "Mia", "store_name": "Lark"})
        == {}
    )
    screen = session.screen()
    ((_ref, due),) = screen.deadlines
    assert due.due == dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC)
    assert "Zylo gives {policy:ship_window}" in screen.step.guidance.en
    session.answer("check-stock", "out-of-stock")
    draft = session.screen().drafts[0]
    assert draft.en.body.startswith("Hello Mia,")
    session.answer("tell-buyer")
    assert session.walk.finished
    assert session.case.status == "refunded"


def test_rules_of_one_platform_never_judge_another_platforms_orders(zylo) -> None:
    result = read_orders(ZYLO / "zylo_orders.csv", formats=zylo.order_formats)
    wish = Triage.from_library(zylo, "wish")
    with pytest.raises(PlaybookError) as info:
        triage(result.orders, AS_OF, wish)
    assert info.value.code == "error.triage_platform"
    assert info.value.params == {"orders": "zylo", "rules": "wish"}
