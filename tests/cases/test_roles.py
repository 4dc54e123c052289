"""Roles on a team server, enforced by the case session on every store (memory, SQLite, PG)."""

from __future__ import annotations

import logging

import pytest

from playbook.cases.records import CaseFilter
from playbook.cases.roles import (
    Forbidden,
    Identity,
    identity_from_env,
    list_assignees,
)
from playbook.cases.session import CaseSession
from tests.store_fixtures import SAMPLE_FACTS

AMY = Identity.of("amy", "staff")
BOB = Identity.of("bob", "staff")
LEA = Identity.of("lea", "lead")
ANN = Identity.of("ann", "analyst")
TOM = Identity.of("tom", "trainer")


def as_(who: Identity | None, lib, store, clock) -> CaseSession:
    # The actor callable says "mallory": with an identity it must be ignored.
    return CaseSession(lib, store, clock=clock, actor=lambda: "mallory", identity=who)


def new_case(lib, store, clock, assignee: str | None) -> str:
    """A case started by the lead and given to ``assignee``."""
    s = as_(LEA, lib, store, clock)
    assert s.start("item-mismatch", SAMPLE_FACTS, assignee=assignee) == {}
    return s.case.id


@pytest.fixture
def three(lib, store, clock) -> dict[str, str]:
    """Cases: amy's, bob's, and one nobody has."""
    return {who: new_case(lib, store, clock, who) for who in ("amy", "bob", None)}


def test_identity_keeps_only_known_roles() -> None:
    who = Identity.of("amy", "staff, admins ,lead,,")
    assert who.roles == frozenset({"staff", "lead"})
    assert identity_from_env({"PLAYBOOK_ROLES": "lead"}) is None  # no hub user: no checks
    env = {"JUPYTERHUB_USER": "amy", "PLAYBOOK_ROLES": "staff,analyst"}
    assert identity_from_env(env) == Identity("amy", frozenset({"staff", "analyst"}))
    assert identity_from_env({"JUPYTERHUB_USER": "amy"}).roles == frozenset()


def test_staff_open_theirs_and_unassigned_only(lib, store, clock, three, caplog) -> None:
    s = as_(AMY, lib, store, clock)
    s.open(three["amy"])
    s.open(three[None])
    with caplog.at_level(logging.WARNING, "playbook.roles"), pytest.raises(Forbidden) as err:
        s.open(three["bob"])
    assert err.value.code == "error.forbidden_case"
    assert s.case.id == three[None]  # the refused open changed nothing here
    assert three["bob"] in err.value.render("en")
    assert three["bob"] in err.value.render("zh")
    assert "amy" in err.value.render("zh")
    assert "{" not in err.value.render("en")
    logged = caplog.records[-1].getMessage()
    assert "user=amy" in logged
    assert f"case={three['bob']}" in logged
    assert "action=open" in logged


MOVES = {
    "answer": lambda s: s.answer(s.walk.current.id, s.walk.options()[0].id),
    "note": lambda s: s.note("hello"),
    "status": lambda s: s.set_status("waiting_buyer"),
    "causes": lambda s: s.set_root_causes([], s.walk.current.id),
    "assign": lambda s: s.assign("amy"),
}


@pytest.mark.parametrize("move", sorted(MOVES))
def test_every_move_checks_the_case_is_still_theirs(lib, store, clock, three, move) -> None:
    """Amy has her case open; the lead gives it to Bob; Amy's next move is refused, unsaved."""
    s = as_(AMY, lib, store, clock)
    s.open(three["amy"])
    lead = as_(LEA, lib, store, clock)
    lead.open(three["amy"])
    lead.assign("bob")
    before = len(store.events(three["amy"]))
    with pytest.raises(Forbidden):
        MOVES[move](s)
    assert len(store.events(three["amy"])) == before


def test_staff_moves_are_saved_under_their_own_name(lib, store, clock, three) -> None:
    s = as_(AMY, lib, store, clock)
    s.open(three[None])
    MOVES["answer"](s)
    s.back()
    s.note("checked the tracking")
    assert {e.actor for e in store.events(three[None])[1:]} == {"amy"}  # never "mallory"


def test_staff_start_for_themselves_or_nobody_not_assign(lib, store, clock, three) -> None:
    s = as_(AMY, lib, store, clock)
    assert s.start("item-mismatch", SAMPLE_FACTS) == {}
    assert s.start("item-mismatch", SAMPLE_FACTS, assignee="amy") == {}
    assert store.events(s.case.id)[0].actor == "amy"
    count = store.count_cases()
    with pytest.raises(Forbidden) as err:
        s.start("item-mismatch", SAMPLE_FACTS, assignee="bob")
    assert err.value.code == "error.forbidden.assign"
    s.open(three["amy"])
    with pytest.raises(Forbidden) as err:
        s.assign("bob")
    assert err.value.code == "error.forbidden.assign"
    assert store.count_cases() == count
    assert store.get_case(three["amy"]).assignee == "amy"


def test_lead_works_and_assigns_every_case(lib, store, clock, three) -> None:
    s = as_(LEA, lib, store, clock)
    for case_id in three.values():
        s.open(case_id)
        MOVES["answer"](s)
    s.assign("amy")
    assert store.get_case(three[None]).assignee == "amy"
    assert store.events(three[None])[-1].actor == "lea"
    assert LEA.may("lessons")
    assert not AMY.may("lessons")
    assert not ANN.may("lessons")


def test_analyst_reads_all_starts_cases_but_moves_none(lib, store, clock, three) -> None:
    s = as_(ANN, lib, store, clock)
    s.open(three["bob"])
    assert s.screen().step.id == s.walk.current.id  # reading is allowed
    for move in sorted(MOVES):
        with pytest.raises(Forbidden) as err:
            MOVES[move](s)
        assert err.value.code == (
            "error.forbidden.assign" if move == "assign" else "error.forbidden.move"
        )
    assert len(store.events(three["bob"])) == 1
    assert s.start("item-mismatch", SAMPLE_FACTS, order_id="5f9a0c2e1b") == {}
    assert store.get_case(s.case.id).order_id == "5f9a0c2e1b"
    assert ANN.may("import_orders")
    assert not AMY.may("import_orders")


def test_trainer_has_training_only(lib, store, clock, three) -> None:
    s = as_(TOM, lib, store, clock)
    with pytest.raises(Forbidden) as err:
        s.open(three[None])
    assert err.value.code == "error.forbidden.open"
    with pytest.raises(Forbidden):
        s.start("item-mismatch", SAMPLE_FACTS)
    with pytest.raises(Forbidden) as err:
        list_assignees(TOM, None)
    assert err.value.code == "error.forbidden.list"
    assert TOM.may("training")
    assert TOM.may("training_results")
    assert not AMY.may("training_results")
    nobody = Identity.of("zed", "")  # signed in, in no role group: refused everything
    assert not any(nobody.may(a) for a in ("list", "open", "start", "move", "training"))


def test_case_list_is_narrowed_on_the_server(lib, store, clock, three) -> None:
    def listed(who: Identity | None, typed: str | None = None) -> set[str]:
        assignee = list_assignees(who, typed)
        found = {c.id for c in store.list_cases(CaseFilter(assignee=assignee))}
        assert store.count_cases(CaseFilter(assignee=assignee)) == len(found)
        return found

    assert listed(AMY) == {three["amy"], three[None]}
    assert listed(BOB) == {three["bob"], three[None]}
    assert listed(AMY, "amy") == {three["amy"]}
    assert listed(AMY, "bob") == set()  # typing another's name shows nothing
    assert listed(LEA) == listed(ANN) == listed(None) == set(three.values())
    assert listed(LEA, "bob") == {three["bob"]}


def test_several_roles_add_up(lib, store, clock, three) -> None:
    both = Identity.of("amy", "staff,analyst")
    s = as_(both, lib, store, clock)
    s.open(three["bob"])  # as analyst: read
    with pytest.raises(Forbidden):
        s.note("not mine")  # staff may move, but not on Bob's case; analyst never moves
    s.open(three["amy"])
    s.note("mine")
    assert store.events(three["amy"])[-1].actor == "amy"


def test_no_identity_checks_nothing(lib, store, clock, three) -> None:
    s = as_(None, lib, store, clock)
    s.open(three["bob"])
    s.assign("amy")
    # no identity: the actor callable names the actor
    assert store.events(three["bob"])[-1].actor == "mallory"
