"""Assignment on the staff page: Assign… and Assign to me, the case header's bar, the views.

The case list's Assign… / Assign to me, the case header's bar, the "mine / unassigned /
everyone's" views, forged values refused.
"""

from __future__ import annotations

import pytest

from playbook.cases.roles import Forbidden, Identity
from playbook.ui.nav import page_link
from playbook.ui.staff_panel import StaffPanel

from .test_staff_panel import FACTS, NOW

TEAM = ["amy", "bob"]


def page(lib, store, who: str | None, roles: str = "staff", team=TEAM) -> StaffPanel:
    identity = Identity.of(who, roles) if who else None
    user = None if who else "Ana"
    return StaffPanel(
        lib,
        clock=lambda: NOW,
        lang="en",
        store=store,
        user=user,
        identity=identity,
        team=(lambda: list(team)) if team is not None else None,
    )


def start(panel: StaffPanel) -> str:
    panel.start_view.scenario.value = "item-mismatch"
    for key, value in FACTS.items():
        panel.start_view.fact_inputs[key].value = value
    panel.start_view.start_button.click()
    assert panel.message.value == ""
    return panel.case.id


def show_list(panel: StaffPanel) -> None:
    panel.nav.value = "cases"


def row_buttons(panel: StaffPanel, prefix: str) -> dict[str, object]:
    found = {}
    for row in panel.cases.rows.children:
        for child in getattr(row, "children", ()):
            for cls in child._dom_classes:
                if cls.startswith(prefix):
                    found[cls[len(prefix) :]] = child
    return found


def test_a_lead_assigns_a_case_from_the_list_to_a_staff_member(lib, store) -> None:
    case_id = start(page(lib, store, "ann", "analyst"))  # nobody's
    lead = page(lib, store, "lea", "lead")
    show_list(lead)
    row_buttons(lead, "pb-assign-open-")[case_id].click()
    bar = lead.cases.assign_bar
    assert bar.widget.layout.display == ""
    assert [v for _, v in bar.people.options] == ["", "lea", "amy", "bob"]
    assert bar.people.options[1][0] == "me (lea)"
    bar.people.value = "amy"
    bar.assign_button.click()
    assert store.get_case(case_id).assignee == "amy"
    assert "now assigned to amy" in lead.message.value
    assert bar.widget.layout.display == "none"  # closed; the row shows the assignee
    assert any("amy" in row.children[1].value for row in lead.cases.rows.children)
    assert [e.type for e in store.events(case_id)][-1] == "assign"


def test_a_forged_name_or_click_is_refused(lib, store) -> None:
    case_id = start(page(lib, store, "ann", "analyst"))
    lead = page(lib, store, "lea", "lead")
    show_list(lead)
    row_buttons(lead, "pb-assign-open-")[case_id].click()
    bar = lead.cases.assign_bar
    bar.people.options = [*bar.people.options, ("mallory", "mallory")]  # as a forged message
    bar.people.value = "mallory"
    bar.assign_button.click()
    assert store.get_case(case_id).assignee is None
    assert "mallory is not on the team" in lead.message.value
    staff = page(lib, store, "amy")
    show_list(staff)
    assert row_buttons(staff, "pb-assign-open-") == {}  # staff see no Assign…
    staff.cases.assign_bar.show(store.get_case(case_id))
    staff.cases.assign_bar.assign_button.click()  # the hidden button, clicked anyway
    assert store.get_case(case_id).assignee is None


def test_staff_take_an_unassigned_case_and_see_it_as_theirs(lib, store) -> None:
    free = start(page(lib, store, "ann", "analyst"))
    bobs = start(page(lib, store, "bob"))
    amy = page(lib, store, "amy")
    show_list(amy)
    takes = row_buttons(amy, "pb-take-")
    assert set(takes) == {free}  # bob's case is not even listed
    takes[free].click()
    assert store.get_case(free).assignee == "amy"
    assert row_buttons(amy, "pb-take-") == {}
    amy.cases.scope.value = "mine"
    assert [c for c in row_buttons(amy, "pb-open-")] == [free]
    amy.cases.scope.value = "unassigned"
    assert row_buttons(amy, "pb-open-") == {}
    bob = page(lib, store, "bob")
    show_list(bob)
    assert set(row_buttons(bob, "pb-open-")) == {bobs}
    with pytest.raises(Forbidden):
        bob.open_case(free)  # refused: amy's now


def test_the_case_header_assigns_and_takes(lib, store) -> None:
    free = start(page(lib, store, "ann", "analyst"))
    amy = page(lib, store, "amy")
    amy.open_case(free)
    bar = amy.walk_view.assign_bar
    assert bar.take_button.layout.display == ""
    assert bar.people.layout.display == "none"
    assert "unassigned" in amy.walk_view.case_bar.value
    bar.take_button.click()
    assert "assigned to amy" in amy.walk_view.case_bar.value
    assert bar.widget.layout.display == "none"  # nothing left for a staff member to do
    lead = page(lib, store, "lea", "lead")
    lead.open_case(free)
    bar = lead.walk_view.assign_bar
    assert bar.people.value == "amy"
    bar.people.value = "bob"
    bar.assign_button.click()
    assert store.get_case(free).assignee == "bob"
    assert "assigned to bob" in lead.walk_view.case_bar.value


def test_one_machine_assigns_by_typed_name(lib, store) -> None:
    panel = page(lib, store, None, team=None)
    case_id = start(panel)
    assert store.get_case(case_id).assignee == "Ana"  # started: hers
    bar = panel.walk_view.assign_bar
    assert bar.name.layout.display == ""
    assert bar.people.layout.display == "none"
    bar.name.value = "Bo"
    bar.assign_button.click()
    assert store.get_case(case_id).assignee == "Bo"
    bar.take_button.click()
    assert store.get_case(case_id).assignee == "Ana"


def test_the_lessons_link_is_only_for_those_who_may_open_it(monkeypatch) -> None:
    monkeypatch.setenv("JUPYTERHUB_USER", "amy")
    monkeypatch.setenv("PLAYBOOK_ROLES", "staff")
    assert page_link("lessons").value == ""
    monkeypatch.setenv("PLAYBOOK_ROLES", "staff,lead")
    assert "lessons.ipynb" in page_link("lessons").value
    monkeypatch.delenv("JUPYTERHUB_USER")
    assert "lessons.ipynb" in page_link("lessons").value  # one machine: no roles
