"""The case session: every move, one suite, on every store (memory, SQLite file, PostgreSQL)."""

from __future__ import annotations

import pytest

from playbook.cases.records import CaseFilter
from playbook.cases.session import CaseSession
from playbook.errors import ConflictError, StepNotAllowed
from playbook.scenarios.engine import explore
from tests.store_fixtures import SAMPLE_FACTS


def session_of(lib, store, clock, who: str = "amy") -> CaseSession:
    return CaseSession(lib, store, clock=clock, actor=lambda: who)


@pytest.fixture
def session(lib, store, clock):
    s = session_of(lib, store, clock)
    assert s.start("item-mismatch", SAMPLE_FACTS) == {}
    return s


def first_option(s: CaseSession) -> str | None:
    step = s.walk.current
    return s.walk.options()[0].id if step.kind == "question" else None


def test_bad_facts_start_nothing(lib, store, clock) -> None:
    s = session_of(lib, store, clock)
    errors = s.start("item-mismatch", {**SAMPLE_FACTS, "order_total": "-5", "currency": ""})
    assert sorted(errors) == ["currency", "order_total"]
    assert errors["currency"].code == "error.fact_required"
    assert not s.active
    assert store.count_cases() == 0


def test_start_saves_the_case_at_the_first_step(session, store, lib) -> None:
    case = store.get_case(session.case.id)
    assert case.current_step == lib.scenario("item-mismatch").start == session.walk.current.id
    assert [e.type for e in store.events(case.id)] == ["created"]
    assert store.events(case.id)[0].actor == "amy"


def test_answer_is_saved_before_the_session_moves_on(session, store) -> None:
    start = session.walk.current.id
    session.answer(start, first_option(session))
    saved = store.get_case(session.case.id)
    assert saved.walk == session.walk.to_state()
    assert saved.revision == session.case.revision == 2
    assert session.walk.current.id != start
    assert [e.type for e in store.events(saved.id)] == ["created", "answer"]


def test_a_refused_answer_saves_nothing(session, store) -> None:
    before = (session.walk.to_state(), session.case.revision)
    with pytest.raises(StepNotAllowed) as err:
        session.answer("no-such-step", None)
    assert err.value.code == "error.step_not_current"
    session.answer(session.walk.current.id, first_option(session))
    step = session.walk.current
    if step.kind == "question":
        with pytest.raises(StepNotAllowed) as err:
            session.answer(step.id, "not-an-option")
        assert err.value.code == "error.unknown_option"
    assert store.get_case(session.case.id).revision == before[1] + 1


def test_back_keeps_and_reoffers_the_answer(session, store) -> None:
    session.answer(session.walk.current.id, first_option(session))
    step = session.walk.current
    option = first_option(session)
    session.answer(step.id, option)
    session.back()
    assert session.walk.current.id == step.id
    assert session.screen().previous_answer == option
    assert store.events(session.case.id)[-1].type == "back"


def walk_to(session: CaseSession, wanted) -> None:
    """Answer along the first way through the scenario that reaches a step ``wanted`` accepts."""
    for way in explore(session.walk.copy()):
        at = next((i for i, sid in enumerate(way.path) if wanted(way.scenario.step(sid))), None)
        if at is not None:
            for sid in way.path[:at]:
                session.answer(sid, way.answers[sid] or None)
            return
    pytest.fail("no way through the scenario reaches such a step")


def test_evidence_and_drafts_belong_to_the_current_step(session, store) -> None:
    walk_to(session, lambda st: bool(st.evidence and st.messages))
    step = session.walk.current
    item, template = step.evidence[0].id, step.messages[0]
    with pytest.raises(StepNotAllowed):
        session.tick(item, True, "another-step")
    with pytest.raises(StepNotAllowed):
        session.tick("not-on-this-step", True, step.id)
    session.tick(item, True, step.id)
    assert store.get_case(session.case.id).evidence == {item: True}
    screen = session.screen()
    assert screen.ticked == {item: True}
    with pytest.raises(StepNotAllowed):
        session.issue_draft("not-a-template-of-this-step", step.id)
    session.issue_draft(template, step.id)
    issued = store.events(session.case.id)[-1]
    assert issued.type == "draft_issued"
    assert issued.payload["body"] == screen.drafts[0].send_text
    assert session.screen().drafts[0].issued


def test_root_causes_only_from_the_step(session, store, lib) -> None:
    walk_to(session, lambda st: bool(st.root_causes))
    step = session.walk.current
    session.set_root_causes([step.root_causes[0], "made-up-cause"], step.id)
    assert store.get_case(session.case.id).root_causes == [step.root_causes[0]]


def test_a_second_session_resumes_where_the_first_stopped(session, lib, store, clock) -> None:
    session.answer(session.walk.current.id, first_option(session))
    other = session_of(lib, store, clock, who="ben")
    other.open(session.case.id)
    assert other.walk.to_state() == session.walk.to_state()
    assert other.problem is None


def test_conflict_reloads_and_names_who_saved(session, lib, store, clock) -> None:
    other = session_of(lib, store, clock, who="ben")
    other.open(session.case.id)
    other.answer(other.walk.current.id, first_option(other))
    stale_step = session.walk.current.id
    with pytest.raises(ConflictError) as err:
        session.answer(stale_step, first_option(session))
    assert err.value.params["actor"] == "ben"
    assert session.walk.to_state() == other.walk.to_state()  # reloaded
    assert session.case.revision == other.case.revision


def test_moves_need_an_open_case(lib, store, clock) -> None:
    s = session_of(lib, store, clock)
    for move in (lambda: s.answer("x"), s.back, s.screen, lambda: s.note("hi")):
        with pytest.raises(StepNotAllowed) as err:
            move()
        assert err.value.code == "error.no_case"


def test_restart_without_a_missing_step_is_refused(session) -> None:
    with pytest.raises(StepNotAllowed) as err:
        session.restart()
    assert err.value.code == "error.nothing_to_restart"


def test_note_assign_status_are_events(session, store) -> None:
    session.note("called the carrier")
    session.assign("ben")
    session.set_status("closed", note="duplicate")
    case = store.get_case(session.case.id)
    assert (case.assignee, case.status) == ("ben", "closed")
    assert [e.type for e in store.events(case.id)][-3:] == ["note", "assign", "status"]


def test_screen_computes_deadlines_and_drafts_once(session) -> None:
    screen = session.screen()
    assert screen.step.id == session.walk.current.id
    assert len(screen.deadlines) == len(screen.step.deadlines)
    assert [d.template.id for d in screen.drafts] == list(screen.step.messages)
    assert all(d.en.body and d.zh.body for d in screen.drafts)


def test_case_list_is_the_same_on_every_store(lib, store, clock) -> None:
    ids = []
    for scenario, facts in (
        ("item-mismatch", SAMPLE_FACTS),
        ("unfulfilled-order", {**SAMPLE_FACTS, "released_at": "2026-05-01 09:00"}),
    ):
        s = session_of(lib, store, clock)
        assert s.start(scenario, facts) == {}
        ids.append(s.case.id)
    assert store.count_cases() == 2
    assert store.count_cases(CaseFilter(scenario="unfulfilled-order")) == 1
    listed = [c.id for c in store.list_cases()]
    assert sorted(listed) == sorted(ids)
    # the case with a deadline comes first
    with_deadline = [c.id for c in store.list_cases() if c.next_deadline is not None]
    assert listed[: len(with_deadline)] == with_deadline
