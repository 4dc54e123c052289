"""Assignment, on every store.

A lead assigns and reassigns, staff take unassigned cases, every change is an event, and the
case list's "mine / unassigned / everyone's" follows the role.
"""

from __future__ import annotations

import pytest

from playbook.cases.records import CaseFilter
from playbook.cases.roles import Forbidden, Identity, scope_assignees
from playbook.cases.session import CaseSession, assignee_name
from playbook.errors import InputError
from tests.store_fixtures import SAMPLE_FACTS

AMY = Identity.of("amy", "staff")
BOB = Identity.of("bob", "staff")
LEA = Identity.of("lea", "lead")
ANN = Identity.of("ann", "analyst")


def as_(who: Identity | None, lib, store, clock, actor: str = "mallory") -> CaseSession:
    return CaseSession(lib, store, clock=clock, actor=lambda: actor, identity=who)


def started_by(who: Identity, lib, store, clock) -> str:
    s = as_(who, lib, store, clock)
    assert s.start("item-mismatch", SAMPLE_FACTS, assignee=s.starter()) == {}
    return s.case.id


def assign_events(store, case_id: str) -> list[tuple[str, object, object]]:
    return [
        (e.actor, e.payload["from"], e.payload["to"])
        for e in store.events(case_id)
        if e.type == "assign"
    ]


def test_a_case_started_by_staff_is_theirs_and_an_analysts_nobodys(lib, store, clock) -> None:
    assert store.get_case(started_by(AMY, lib, store, clock)).assignee == "amy"
    assert store.get_case(started_by(LEA, lib, store, clock)).assignee == "lea"
    assert store.get_case(started_by(ANN, lib, store, clock)).assignee is None
    # one machine: the name typed on the page
    assert as_(None, lib, store, clock, actor=" Ana ").starter() == "Ana"


def test_a_lead_assigns_and_reassigns_any_case_each_an_event(lib, store, clock) -> None:
    case_id = started_by(ANN, lib, store, clock)
    lead = as_(LEA, lib, store, clock)
    assert lead.assign("amy", case_id).assignee == "amy"  # not open on the lead's page
    lead.open(case_id)
    lead.assign("bob")
    lead.assign(None)
    assert store.get_case(case_id).assignee is None
    assert assign_events(store, case_id) == [
        ("lea", None, "amy"),
        ("lea", "amy", "bob"),
        ("lea", "bob", None),
    ]


def test_staff_take_an_unassigned_case_and_nothing_else(lib, store, clock) -> None:
    free = started_by(ANN, lib, store, clock)
    amy = as_(AMY, lib, store, clock)
    assert amy.take(free).assignee == "amy"
    assert assign_events(store, free) == [("amy", None, "amy")]
    bob = as_(BOB, lib, store, clock)
    with pytest.raises(Forbidden) as err:
        bob.take(free)  # amy's now
    assert err.value.code == "error.forbidden_case"
    with pytest.raises(Forbidden):
        bob.open(free)  # and bob is refused the case itself
    with pytest.raises(Forbidden) as err:
        amy.assign("bob", free)  # staff do not give cases away
    assert err.value.code == "error.forbidden.assign"
    with pytest.raises(Forbidden):
        as_(ANN, lib, store, clock).take(free)
    assert store.get_case(free).assignee == "amy"
    assert len(assign_events(store, free)) == 1  # nothing written by the refusals


def test_the_open_case_is_taken_and_shown_as_theirs(lib, store, clock) -> None:
    free = started_by(ANN, lib, store, clock)
    amy = as_(AMY, lib, store, clock)
    amy.open(free)
    amy.take()
    assert amy.case.assignee == "amy"


def test_names_given_by_a_page_are_checked() -> None:
    assert assignee_name("  amy ") == "amy"
    assert assignee_name("") is None
    assert assignee_name(None) is None
    for bad in ("x" * 65, "amy\x00", "a\nb"):
        with pytest.raises(InputError) as err:
            assignee_name(bad)
        assert err.value.code == "error.assignee_invalid"


def test_list_scopes_per_role() -> None:
    assert scope_assignees(LEA, "mine", "lea") == ("lea",)
    assert scope_assignees(LEA, "unassigned", "lea") == (None,)
    assert scope_assignees(LEA, "everyone", "lea") is None
    assert scope_assignees(LEA, "everyone", "lea", "bob") == "bob"
    assert scope_assignees(AMY, "mine", "amy") == ("amy",)
    assert scope_assignees(AMY, "unassigned", "amy") == (None,)
    assert scope_assignees(AMY, "everyone", "amy") == ("amy", None)  # all a staff member sees
    assert scope_assignees(AMY, "everyone", "amy", "bob") == ()
    assert scope_assignees(AMY, "forged", "amy") == ("amy", None)
    assert scope_assignees(None, "mine", "Ana") == ("Ana",)
    assert scope_assignees(None, "mine", None) == ()


def test_list_scopes_select_the_right_cases(lib, store, clock) -> None:
    mine = started_by(AMY, lib, store, clock)
    free = started_by(ANN, lib, store, clock)
    bobs = started_by(BOB, lib, store, clock)

    def ids(who, scope, me):
        return {
            c.id for c in store.list_cases(CaseFilter(assignee=scope_assignees(who, scope, me)))
        }

    assert ids(AMY, "mine", "amy") == {mine}
    assert ids(AMY, "unassigned", "amy") == {free}
    assert ids(AMY, "everyone", "amy") == {mine, free}
    assert ids(LEA, "everyone", "lea") == {mine, free, bobs}
