"""The SQL case store's moves: create, read, walk, scenario versions, events, the case list.

Every test runs against real databases: an SQLite file in tmp_path, and (as ``[postgres]``) a
real server from ``PLAYBOOK_TEST_PG_URL`` with a schema of its own.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest

from playbook.cases.records import CaseFilter
from playbook.cases.sql_store import SqlStore as Store
from playbook.errors import InputError, StepNotAllowed, StoreError
from playbook.library.model import Scenario
from tests.store_fixtures import (
    AMAZON_FACTS,
    SAMPLE_FACTS,
    FakeClock,
    answer_first_options,
    new_walk,
)


@pytest.fixture(scope="module")
def lib(frozen_lib):
    """These tests walk item-mismatch at version 1."""
    return frozen_lib


def _types(sql_store, case_id):
    return [e.type for e in sql_store.events(case_id)]


# --- creating and reading -----------------------------------------------------------------


class TestCreate:
    def test_created_case_holds_the_projection(self, sql_store, started, clock):
        case, walk = started
        loaded = sql_store.get_case(case.id)
        assert loaded == case
        assert re.fullmatch(r"[2-9a-z]{8}", case.id)
        assert case.scenario_id == "item-mismatch"
        assert case.scenario_version == 1
        assert case.platform == "wish"
        assert case.order_id == "5f9a0c2e1b"
        assert case.facts["order_total"] == "24.99"
        assert case.facts["refund_requested_at"] == "2026-05-03T10:00:00+00:00"
        assert case.status == "waiting_buyer"  # the start step's status
        # contact-buyer: reply within 48 h of the refund request
        assert case.next_deadline == dt.datetime(2026, 5, 5, 10, 0, tzinfo=dt.UTC)
        assert case.walk["path"] == ["contact-buyer"]
        assert case.revision == 1
        assert case.created_at.tzinfo is not None
        (created,) = sql_store.events(case.id)
        assert (created.seq, created.type, created.actor, created.step_id) == (
            1,
            "created",
            "amy",
            "contact-buyer",
        )
        assert created.payload["facts"] == case.facts
        assert created.time == case.created_at

    def test_unknown_case(self, sql_store):
        with pytest.raises(StoreError) as err:
            sql_store.get_case("nosuch12")
        assert err.value.code == "error.case_not_found"
        assert "nosuch12" in str(err.value)

    def test_chosen_id_taken(self, sql_store, lib):
        sql_store.create_case(new_walk(lib), actor="amy", case_id="dup-1")
        with pytest.raises(StoreError) as err:
            sql_store.create_case(new_walk(lib), actor="amy", case_id="dup-1")
        assert err.value.code == "error.case_exists"
        assert len(sql_store.events("dup-1")) == 1

    @pytest.mark.parametrize("actor", ["", "   ", "x" * 201])
    def test_every_event_names_an_actor(self, sql_store, started, actor):
        case, _walk = started
        with pytest.raises(InputError) as err:
            sql_store.add_note(case, "hello", actor=actor)
        assert err.value.code == "error.actor_required"
        assert sql_store.get_case(case.id).revision == 1


# --- the walk -----------------------------------------------------------------------------


class TestWalk:
    def test_each_answer_is_saved_and_resumes_in_a_new_store(
        self, sql_store, started, lib, db_url
    ):
        case, walk = started
        case, walk = sql_store.answer(case, walk, "contact-buyer", actor="amy")
        case, walk = sql_store.answer(case, walk, "confirm-order", "our-error", actor="amy")
        assert walk.current.id == "own-it"
        with Store(db_url, now=FakeClock()) as other:
            opened = other.open(case.id, lib)
        assert opened.problem is None
        assert opened.walk.path == ["contact-buyer", "confirm-order", "own-it"]
        assert opened.walk.answers == {"contact-buyer": "", "confirm-order": "our-error"}
        assert opened.case.revision == 3
        assert opened.walk.facts["order_total"] == walk.facts["order_total"]

    def test_answer_does_not_change_the_callers_walk(self, sql_store, started):
        case, walk = started
        sql_store.answer(case, walk, "contact-buyer", actor="amy")
        assert walk.path == ["contact-buyer"]

    def test_going_back_is_an_event_not_a_delete(self, sql_store, started):
        case, walk = started
        case, walk = answer_first_options(sql_store, case, walk, 2)
        case, walk = sql_store.back(case, walk, actor="bob")
        assert walk.current.id == "confirm-order"
        assert walk.previous_answer("confirm-order") == "our-error"
        assert _types(sql_store, case.id) == ["created", "answer", "answer", "back"]
        back = sql_store.events(case.id)[-1]
        assert (back.actor, back.step_id, back.payload["to"]) == ("bob", "own-it", "confirm-order")
        assert sql_store.get_case(case.id).walk["path"] == ["contact-buyer", "confirm-order"]

    def test_events_are_never_rewritten(self, sql_store, started):
        case, walk = started
        case, walk = answer_first_options(sql_store, case, walk, 2)
        before = sql_store.events(case.id)
        case, walk = sql_store.back(case, walk, actor="amy")
        case, walk = sql_store.back(case, walk, actor="amy")
        case, walk = answer_first_options(sql_store, case, walk, 3)
        after = sql_store.events(case.id)
        assert after[: len(before)] == before
        assert [e.seq for e in after] == list(range(1, len(after) + 1))
        assert case.revision == len(after)

    def test_refused_answer_writes_nothing(self, sql_store, started):
        case, walk = started
        with pytest.raises(StepNotAllowed):
            sql_store.answer(case, walk, "confirm-order", "our-error", actor="amy")
        assert sql_store.get_case(case.id) == case
        assert _types(sql_store, case.id) == ["created"]

    def test_walk_sets_status_deadline_and_outcome(self, sql_store, started):
        case, walk = started
        case, walk = sql_store.answer(case, walk, "contact-buyer", actor="amy")
        assert case.next_deadline is None  # confirm-order has no deadline
        case, walk = sql_store.answer(case, walk, "confirm-order", "our-error", actor="amy")
        case, walk = answer_first_options(sql_store, case, walk, 3)
        assert walk.finished
        assert walk.current.id == "outcome-reshipped"
        assert (case.status, case.outcome) == ("closed", "outcome-reshipped")
        case, walk = sql_store.back(case, walk, actor="amy")
        assert (case.status, case.outcome) == ("waiting_buyer", None)
        assert sql_store.get_case(case.id) == case


def _library_with_v2(lib):
    """item-mismatch version 2: step 'own-it' removed; 'our-error' goes to 'choose-remedy'."""
    raw = lib.scenario("item-mismatch").model_dump(by_alias=True, exclude_none=True)
    raw["version"] = 2
    raw["steps"] = [s for s in raw["steps"] if s["id"] != "own-it"]
    for step in raw["steps"]:
        for option in step.get("options", []):
            if option["id"] == "our-error":
                option["next"] = "choose-remedy"
    v2 = Scenario.model_validate(raw)
    return dataclasses.replace(lib, scenarios={**lib.scenarios, "item-mismatch": v2})


class TestScenarioVersions:
    def test_case_from_older_version_still_opens(self, sql_store, started, lib):
        case, walk = started
        case, walk = sql_store.answer(case, walk, "contact-buyer", actor="amy")
        opened = sql_store.open(case.id, _library_with_v2(lib))
        assert opened.problem is None
        assert opened.walk.scenario.version == 2
        assert opened.walk.current.id == "confirm-order"
        assert opened.case.scenario_version == 1

    def test_missing_current_step_offers_restart_from_last_existing(self, sql_store, started, lib):
        case, walk = started
        case, walk = answer_first_options(sql_store, case, walk, 2)
        assert walk.current.id == "own-it"
        lib2 = _library_with_v2(lib)
        case, walk, problem = sql_store.open(case.id, lib2)
        assert problem is not None
        assert (problem.missing_step, problem.restart_step) == ("own-it", "confirm-order")
        assert (problem.case_version, problem.current_version) == (1, 2)
        assert problem.code == "store.step_gone"
        assert walk.current.id == "confirm-order"
        case, walk = sql_store.restart(case, walk, actor="bob")
        restart = sql_store.events(case.id)[-1]
        assert restart.type == "restart"
        assert restart.actor == "bob"
        assert restart.payload == {
            "from": "own-it",
            "to": "confirm-order",
            "from_version": 1,
            "version": 2,
            "dropped": ["own-it"],
        }
        case, walk = sql_store.answer(case, walk, "confirm-order", "our-error", actor="bob")
        assert walk.current.id == "choose-remedy"
        reopened = sql_store.open(case.id, lib2)
        assert reopened.problem is None
        assert reopened.walk.current.id == "choose-remedy"
        assert reopened.case.walk["version"] == 2

    def test_restart_at_an_earlier_step(self, sql_store, started):
        case, walk = started
        case, walk = answer_first_options(sql_store, case, walk, 3)
        case, walk = sql_store.restart(case, walk, "contact-buyer", actor="amy")
        assert walk.path == ["contact-buyer"]
        assert sql_store.events(case.id)[-1].payload["dropped"] == [
            "confirm-order",
            "own-it",
            "choose-remedy",
        ]
        with pytest.raises(StepNotAllowed):
            sql_store.restart(case, walk, "risk-review", actor="amy")


# --- other events -------------------------------------------------------------------------


class TestOtherEvents:
    def test_evidence_drafts_notes_status_assignee_root_causes(self, sql_store, started):
        case, _walk = started
        case = sql_store.set_evidence(
            case, "buyer-photos", True, actor="amy", step_id="contact-buyer"
        )
        case = sql_store.issue_draft(
            case, "buyer-ask-details", actor="amy", step_id="contact-buyer", body="Dear Dana, ..."
        )
        case = sql_store.add_note(case, "  Buyer sent 2 photos.  ", actor="bob")
        case = sql_store.assign(case, " li ", actor="bob")
        case = sql_store.set_root_causes(
            case, ["picking-error", "picking-error", "quality-problem"], actor="li"
        )
        case = sql_store.set_status(case, "won", actor="li", note="Wish agreed")
        loaded = sql_store.get_case(case.id)
        assert loaded == case
        assert loaded.evidence == {"buyer-photos": True}
        assert [d["template"] for d in loaded.drafts] == ["buyer-ask-details"]
        assert loaded.drafts[0]["actor"] == "amy"
        assert loaded.drafts[0]["step"] == "contact-buyer"
        assert loaded.assignee == "li"
        assert loaded.root_causes == ["picking-error", "quality-problem"]
        assert loaded.status == "won"
        assert loaded.next_deadline is None
        history = sql_store.events(case.id)
        assert [e.type for e in history] == [
            "created",
            "evidence",
            "draft_issued",
            "note",
            "assign",
            "root_causes",
            "status",
        ]
        assert history[2].payload["body"] == "Dear Dana, ..."
        assert history[3].payload == {"text": "Buyer sent 2 photos."}
        assert history[6].payload == {"from": "waiting_buyer", "to": "won", "note": "Wish agreed"}

    def test_unknown_status_and_empty_note_are_refused(self, sql_store, started):
        case, _walk = started
        with pytest.raises(InputError) as err:
            sql_store.set_status(case, "done", actor="amy")
        assert err.value.code == "error.case_status"
        with pytest.raises(InputError) as err:
            sql_store.add_note(case, "  ", actor="amy")
        assert err.value.code == "error.note_empty"
        assert _types(sql_store, case.id) == ["created"]


# --- the case list ------------------------------------------------------------------------


class TestList:
    @pytest.fixture
    def cases(self, sql_store, lib):
        def make(refund_at: str | None, scenario: str = "item-mismatch", **raw):
            facts = {**SAMPLE_FACTS, **raw}
            if refund_at is None:
                facts.pop("refund_requested_at")
            else:
                facts["refund_requested_at"] = refund_at
            return sql_store.create_case(new_walk(lib, scenario, facts), actor="amy")

        a = make("2026-05-01 10:00", order_id="A")  # due 05-03 10:00: overdue
        b = make("2026-05-04 08:00", order_id="B")  # due 05-06 08:00
        c = make("2026-05-02 00:00", order_id="C")  # due 05-04 00:00: overdue
        d = make(None, order_id="D")
        e = make(None, order_id="E")
        f = sql_store.create_case(
            new_walk(
                lib,
                "unfulfilled-order",
                {**SAMPLE_FACTS, "order_id": "F", "released_at": "2026-05-03 09:00"},
            ),
            actor="amy",
        )
        b = sql_store.assign(b, "li", actor="amy")
        d = sql_store.assign(d, "li", actor="amy")
        e = sql_store.set_status(e, "won", actor="amy")
        return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f}

    @staticmethod
    def ids(rows):
        return [r.order_id for r in rows]

    def test_overdue_first_then_deadline_then_latest_change(self, sql_store, cases):
        rows = sql_store.list_cases(CaseFilter(scenario="item-mismatch"))
        assert self.ids(rows) == ["A", "C", "B", "E", "D"]
        now = dt.datetime(2026, 5, 4, 12, tzinfo=dt.UTC)
        assert [r.overdue(now) for r in rows] == [True, True, False, False, False]

    def test_filters_count_and_paging(self, sql_store, cases):
        assert self.ids(sql_store.list_cases(CaseFilter(status="won"))) == ["E"]
        assert self.ids(sql_store.list_cases(CaseFilter(assignee="li"))) == ["B", "D"]
        assert self.ids(
            sql_store.list_cases(CaseFilter(overdue=True, scenario="item-mismatch"))
        ) == [
            "A",
            "C",
        ]
        assert self.ids(sql_store.list_cases(CaseFilter(scenario="unfulfilled-order"))) == ["F"]
        assert self.ids(sql_store.list_cases(CaseFilter(order_id="C"))) == ["C"]
        assert self.ids(sql_store.list_cases(CaseFilter(status=["won", "open"]))) == ["F", "E"]
        page = sql_store.list_cases(CaseFilter(scenario="item-mismatch"), limit=2, offset=1)
        assert self.ids(page) == ["C", "B"]
        assert sql_store.count_cases(CaseFilter(scenario="item-mismatch")) == 5
        assert sql_store.count_cases(CaseFilter(assignee="li", status="waiting_buyer")) == 2
        assert sql_store.count_cases(CaseFilter(assignee="nobody")) == 0


def test_the_list_filters_by_platform_in_every_store(store, lib):
    """An Amazon case and a Wish case: each platform's filter finds its own, in SQL and memory."""
    wish = store.create_case(new_walk(lib), actor="amy")
    az = store.create_case(new_walk(lib, "amazon-not-as-described", AMAZON_FACTS), actor="amy")
    assert (wish.platform, az.platform) == ("wish", "amazon")
    assert [c.id for c in store.list_cases(CaseFilter(platform="amazon"))] == [az.id]
    assert [c.id for c in store.list_cases(CaseFilter(platform="wish"))] == [wish.id]
    assert store.count_cases(CaseFilter(platform="amazon", status="won")) == 0
    assert store.count_cases(CaseFilter(platform="zylo")) == 0
    assert store.count_cases(CaseFilter()) == 2
