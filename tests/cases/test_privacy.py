"""Purge (after the retention period) and erase (on request) of the buyer's personal data.

The data is gone from every table and from the database file itself, the lessons figures are
unchanged, and the history shows who removed it, when and why, with nothing personal in that
event.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from fpdf import FPDF

from playbook import cli
from playbook.cases.erasure import MARKER
from playbook.cases.privacy import personal_facts, purge
from playbook.cases.session import CaseSession
from playbook.cases.sql_store import SqlStore
from playbook.errors import InputError
from playbook.lessons.analytics import read_cases
from tests.evidence_fixtures import APPEAL_FACTS, TO_APPEAL, photo
from tests.store_fixtures import STORES, FakeClock, any_store, backend_url

NAME = "Dana Quimby"
PHONE = "+1 555 0142 7788"
ZH_NAME = "钱多多"
OTHER = "Ravi Oyelaran"


def label_pdf(*lines: str) -> bytes:
    """A shipping-label PDF whose text stands uncompressed in the file.

    So a byte search of the database finds it while the file is stored.
    """
    doc = FPDF()
    doc.set_compression(False)
    doc.set_font("helvetica", size=14)
    doc.add_page()
    for line in lines:
        doc.cell(0, 10, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(doc.output())


def worked_case(store, lib, *, name: str, phone: str, order: str, close: bool = True) -> str:
    """A case worked as staff would, with the buyer's name in every kind of text and file.

    Facts with the buyer's name and words, a message issued (its text names the buyer), a
    note, a status note, a shipping label and a photo attached.
    """
    session = CaseSession(lib, store, actor=lambda: "amy")
    facts = {
        **APPEAL_FACTS,
        "order_id": order,
        "buyer_name": name,
        "buyer_says": f"Wrong colour. Call me on {phone}, {name}",
    }
    assert session.start("item-mismatch", facts, assignee="amy") == {}
    for step, option in TO_APPEAL[:3]:
        if session.walk.current.messages:
            session.issue_draft(session.walk.current.messages[0], session.walk.current.id)
        session.answer(step, option)
    session.note(f"{name} phoned from {phone}")
    session.attach(
        "buyer-photos",
        f"{name} label.pdf",
        label_pdf(name if name.isascii() else "-", phone, "12 Elm St"),
    )
    session.attach("buyer-photos", "photo.jpg", photo(3))
    if close:
        session.set_status("won", note=f"{name} accepted")
    return session.case.id


def test_facts_yaml_marks_the_buyers_personal_facts(lib) -> None:
    assert {"buyer_name", "buyer_says"} <= set(personal_facts(lib))
    assert "order_id" not in personal_facts(lib)  # erase --order finds cases by it
    assert not {"store_name", "sku", "product_name", "carrier", "country"} & set(
        personal_facts(lib)
    )  # what the lessons page counts by


@pytest.mark.parametrize("kind", STORES)
def test_erasing_a_case_replaces_every_personal_value_and_drops_its_files(
    kind, tmp_path, lib
) -> None:
    clock = FakeClock()
    with any_store(kind, tmp_path, clock) as store:
        case_id = worked_case(store, lib, name=NAME, phone=PHONE, order="ord-1")
        other_id = worked_case(store, lib, name=OTHER, phone="+44 20 7946 0000", order="ord-2")
        shared = store.attachments(other_id)[1].sha256  # the same photo is on both cases
        case = store.get_case(case_id)
        saved = store.erase_personal(
            case, personal_facts(lib), actor="ops", why="request", reason="ticket 4711"
        )
        assert saved.facts["buyer_name"] == MARKER
        assert saved.facts["buyer_says"] == MARKER
        assert saved.facts["store_name"] == APPEAL_FACTS["store_name"]
        assert saved.erased_at is not None
        assert saved.status == "won"
        history = store.events(case_id)
        text = json.dumps([e.payload for e in history])
        assert NAME not in text
        assert PHONE not in text
        last = history[-1]
        assert (last.type, last.actor) == ("personal_data_erased", "ops")
        assert last.payload == {
            "why": "request",
            "reason": "ticket 4711",
            "facts": ["buyer_name", "buyer_says", "tracking_number"],
            "texts": 4 + sum(e.type == "draft_issued" for e in history),
            "files": 2,
        }
        assert store.attachments(case_id, removed=True) == []
        assert store.blob(shared).data  # still used by the other case
        assert store.get_case(other_id).facts["buyer_name"] == OTHER  # untouched


def test_a_reason_that_names_the_buyer_is_refused(tmp_path, lib) -> None:
    with any_store("memory", tmp_path, FakeClock()) as store:
        case = store.get_case(worked_case(store, lib, name=NAME, phone=PHONE, order="o"))
        with pytest.raises(InputError) as err:
            store.erase_personal(
                case, personal_facts(lib), actor="ops", why="request", reason=f"{NAME} asked"
            )
        assert err.value.code == "error.erase_reason_personal"
        assert store.get_case(case.id).facts["buyer_name"] == NAME  # nothing written


def _db_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def _traces(data: bytes, *values: str) -> list[str]:
    """Which of ``values`` appear in ``data`` as UTF-8 or as JSON escapes."""
    found = []
    for value in values:
        forms = {value.encode(), json.dumps(value)[1:-1].encode()}
        if any(f in data for f in forms):
            found.append(value)
    return found


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_purge_after_retention_leaves_no_trace_and_the_lessons_figures_unchanged(
    kind, tmp_path, lib
) -> None:
    clock = FakeClock(dt.datetime(2025, 1, 6, 9, 0, tzinfo=dt.UTC))
    with backend_url(kind, tmp_path) as url, SqlStore(url, now=clock) as store:
        old = worked_case(store, lib, name=NAME, phone=PHONE, order="ord-old")
        zh = worked_case(store, lib, name=ZH_NAME, phone="13800001111", order="ord-zh")
        clock.advance(days=300)
        recent = worked_case(store, lib, name=OTHER, phone="+44 20 7946 0000", order="ord-new")
        still_open = worked_case(store, lib, name="Open Buyer", phone="0", order="o3", close=False)
        if store.path is not None:
            assert _traces(_db_bytes(store.path), NAME, PHONE, ZH_NAME) == [NAME, PHONE, ZH_NAME]
        before = read_cases(store, lib.lessons)
        clock.advance(days=100)  # old cases closed 400 days ago, the recent one 100

        dry = purge(store, lib, actor="ops", retention_days=365, dry_run=True)
        assert [c.case_id for c in dry.cases] == sorted([old, zh])
        assert store.get_case(old).facts["buyer_name"] == NAME  # a dry run writes nothing

        report = purge(store, lib, actor="ops", retention_days=365)
        assert sorted(c.case_id for c in report.cases) == sorted([old, zh])
        assert {c.files for c in report.cases} == {2}
        after = read_cases(store, lib.lessons)
        assert after.equals(before)  # every figure of the lessons page rests on these columns
        assert store.get_case(recent).facts["buyer_name"] == OTHER
        assert store.get_case(still_open).facts["buyer_name"] == "Open Buyer"
        event = store.events(old)[-1]
        assert (event.type, event.actor, event.payload["why"]) == (
            "personal_data_erased",
            "ops",
            "retention",
        )
        assert purge(store, lib, actor="ops", retention_days=365).cases == []  # done once
        if store.path is not None:
            assert report.compacted == {"vacuum": True, "wal_truncated": True}
            assert _traces(_db_bytes(store.path), NAME, PHONE, ZH_NAME, "13800001111") == []
            assert _traces(_db_bytes(store.path), OTHER) == [OTHER]  # the search does find


def test_erase_command_by_buyer_and_by_order(tmp_path, lib, monkeypatch, capsys) -> None:
    db = tmp_path / "cases.sqlite3"
    monkeypatch.setenv("PLAYBOOK_DB_URL", f"sqlite:///{db}")
    with SqlStore(f"sqlite:///{db}") as store:
        first = worked_case(store, lib, name=NAME, phone=PHONE, order="ord-a", close=False)
        second = worked_case(store, lib, name=NAME.upper(), phone=PHONE, order="ord-b")
        third = worked_case(store, lib, name=OTHER, phone="+44 20 7946 0000", order="ord-c")
        open_status = store.get_case(first).status
    args = ["erase", "--buyer", f" {NAME.lower()} ", "--actor", "ops", "--reason", "DSR-12"]
    assert cli.main([*args, "--dry-run"]) == 0
    assert "2" in capsys.readouterr().out
    assert _traces(_db_bytes(db), NAME) == [NAME]
    assert cli.main(args) == 0
    assert _traces(_db_bytes(db), NAME, NAME.upper(), PHONE) == []
    assert cli.main(["erase", "--order", "ord-c", "--actor", "ops", "--reason", "x"]) == 0
    assert _traces(_db_bytes(db), OTHER) == []
    assert cli.main(["erase", "--order", "ord-c", "--actor", "ops"]) == 2  # no reason
    with SqlStore(f"sqlite:///{db}") as store:
        for case_id in (first, second, third):
            assert store.events(case_id)[-1].type == "personal_data_erased"
        assert store.get_case(first).status == open_status  # an open case stays workable
