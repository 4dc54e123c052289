"""The staff page with a real case store (SQLite file): save, resume, conflicts, list, export."""

from __future__ import annotations

import base64
import re
import shutil

import pytest

from playbook.load import load_library
from playbook.ui.staff_panel import StaffPanel
from tests.store_fixtures import AMAZON_FACTS, frozen_library

from .test_staff_panel import FACTS, NOW


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    """Case-store pages walk item-mismatch frozen at version 1 (see ``frozen_library``)."""
    return frozen_library(tmp_path_factory.mktemp("frozen"))


def page(lib, store, user: str | None = "Ana", lang: str = "en") -> StaffPanel:
    return StaffPanel(lib, clock=lambda: NOW, lang=lang, store=store, user=user)


def begin(lib, store, scenario: str = "item-mismatch", **facts: str) -> StaffPanel:
    panel = page(lib, store)
    panel.nav.value = "walk"
    panel.start_view.scenario.value = scenario
    for key, value in {**FACTS, **facts}.items():
        if key in panel.start_view.fact_inputs:
            panel.start_view.fact_inputs[key].value = value
    panel.start_view.start_button.click()
    assert panel.message.value == ""
    return panel


def test_each_step_is_saved_before_the_page_moves_on(lib, store) -> None:
    panel = begin(lib, store)
    case_id = panel.case.id
    panel.walk_view.next_button.click()
    panel.walk_view.options.value = "our-error"
    panel.walk_view.next_button.click()
    saved = store.get_case(case_id)
    assert saved.current_step == "own-it"
    assert [e.type for e in store.events(case_id)] == ["created", "answer", "answer"]
    assert {e.actor for e in store.events(case_id)} == {"Ana"}
    assert f"Case {case_id}" in panel.walk_view.case_bar.value


def test_a_new_page_resumes_where_the_case_stopped(lib, store) -> None:
    first = begin(lib, store)
    first.walk_view.evidence_box.children[1].value = True  # buyer photos
    first.walk_view.next_button.click()
    case_id = first.case.id
    second = page(lib, store, user="Bo")
    second.open_case(case_id)
    assert second.walk.current.id == "confirm-order"
    assert second.case.evidence == {"buyer-photos": True}
    assert [s.id for s, _ in second.walk.review()] == ["contact-buyer"]
    second.walk_view.back_button.click()
    assert store.get_case(case_id).current_step == "contact-buyer"
    assert store.events(case_id)[-1].type == "back"
    assert store.events(case_id)[-1].actor == "Bo"


def test_conflict_reloads_and_keeps_the_unsaved_choice(lib, store) -> None:
    a = begin(lib, store)
    a.walk_view.next_button.click()
    b = page(lib, store, user="Bo")
    b.open_case(a.case.id)
    b.walk_view.options.value = "buyer-misunderstanding"  # typed, not saved yet
    a.walk_view.options.value = "our-error"
    a.walk_view.next_button.click()  # A saves first: the case moves to own-it
    b.walk_view.next_button.click()  # B's save is refused
    assert "was changed by Ana" in b.message.value
    assert "your input is kept" in b.message.value
    assert b.walk.current.id == "own-it"  # B now sees what A did
    # the unsaved choice is named on screen (it is not on offer at own-it)
    assert "Your choice, not saved" in b.message.value
    assert "moved on to" in b.message.value
    assert store.get_case(a.case.id).current_step == "own-it"
    events = store.events(a.case.id)
    assert [(e.type, e.actor) for e in events] == [
        ("created", "Ana"),
        ("answer", "Ana"),
        ("answer", "Ana"),
    ]


def test_conflict_on_the_same_step_keeps_the_choice_on_screen(lib, store) -> None:
    a = begin(lib, store)
    a.walk_view.next_button.click()
    b = page(lib, store, user="Bo")
    b.open_case(a.case.id)
    b.walk_view.options.value = "correct-but-disputed"
    a.lang_toggle.value = "en"
    # A ticks nothing on this step, so make A's change a back-and-forth that ends here.
    a.walk_view.back_button.click()
    a.walk_view.next_button.click()
    b.walk_view.next_button.click()
    assert "was changed by Ana" in b.message.value
    assert b.walk.current.id == "confirm-order"
    assert b.walk_view.options.value == "correct-but-disputed"
    assert "It is selected again below" in b.message.value
    b.walk_view.next_button.click()  # second try after the reload goes through
    assert b.message.value == ""
    assert store.get_case(a.case.id).current_step == "explain-with-evidence"


def test_name_is_asked_once_when_the_server_does_not_know_it(lib, store) -> None:
    panel = page(lib, store, user=None)
    panel.start_view.scenario.value = "item-mismatch"
    assert panel.actor.layout.display != "none"
    for key, value in FACTS.items():
        if key in panel.start_view.fact_inputs:
            panel.start_view.fact_inputs[key].value = value
    panel.start_view.start_button.click()
    assert "Enter your name" in panel.message.value
    assert panel.walk is None
    assert store.count_cases() == 0
    panel.actor.value = "Chen Jing"
    panel.start_view.start_button.click()
    assert store.events(panel.case.id)[0].actor == "Chen Jing"


def test_case_list_filters_and_opens(lib, store) -> None:
    late = begin(lib, store, scenario="unfulfilled-order", released_at="2026-11-17 08:00")
    fresh = begin(
        lib,
        store,
        scenario="unfulfilled-order",
        released_at="2026-11-22 08:00",
        order_id="ORDER-FRESH",
    )
    other = begin(lib, store)
    panel = page(lib, store)
    panel.nav.value = "cases"
    assert panel.cases.widget.layout.display == ""
    rows = panel.cases.rows.children
    ids = [
        re.search(r"pb-open-(\w+)", " ".join(r.children[0]._dom_classes)).group(1) for r in rows
    ]
    assert ids[:2] == [late.case.id, other.case.id]  # overdue first, then soonest deadline
    assert set(ids) == {late.case.id, fresh.case.id, other.case.id}
    assert "overdue" in rows[0].children[1].value
    panel.cases.scenario.value = "item-mismatch"
    assert len(panel.cases.rows.children) == 1
    panel.cases.scenario.value = ""
    panel.cases.overdue.value = True
    assert len(panel.cases.rows.children) == 1
    assert "3 cases" not in panel.cases.summary.value
    panel.cases.rows.children[0].children[0].click()
    assert panel.nav.value == "walk"
    assert panel.case.id == late.case.id
    assert panel.walk.current.id == "find-cause"
    assert "Buyer" not in str(panel.cases.rows.children)  # no facts in the list's widgets


def test_case_list_ignores_forged_filter_values(lib, store) -> None:
    begin(lib, store)
    panel = page(lib, store)
    panel.nav.value = "cases"
    panel.cases.assignee.value = "x' OR '1'='1"
    panel.cases.refresh.click()
    assert "No cases match." in panel.cases.rows.children[0].value


def test_export_gives_a_decision_log(lib, store) -> None:
    panel = begin(lib, store)
    panel.walk_view.next_button.click()
    panel.walk_view.export_button.click()
    link = panel.walk_view.export_link.value
    assert f'download="case-{panel.case.id}.md"' in link
    body = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", link).group(1)).decode()
    assert panel.case.id in body
    assert "Contact the buyer" in body


def test_marking_a_draft_sent_is_recorded(lib, store) -> None:
    panel = begin(lib, store)
    [button] = panel.walk_view.issue_box.children
    assert button.description == "Mark as sent: Ask the buyer what arrived"
    button.click()
    event = store.events(panel.case.id)[-1]
    assert event.type == "draft_issued"
    assert event.payload["template"] == "buyer-ask-details"
    assert "Hello Mia Lindqvist," in event.payload["body"]
    assert panel.walk_view.issue_box.children[0].description.startswith("Sent (mark again)")


def test_case_from_an_older_scenario_version_offers_a_restart(lib, store, tmp_path) -> None:
    panel = begin(lib, store)
    panel.walk_view.next_button.click()
    panel.walk_view.options.value = "our-error"
    panel.walk_view.next_button.click()
    assert panel.walk.current.id == "own-it"
    # Version 2 of the scenario renames the step the case stands at.
    data = tmp_path / "data"
    shutil.copytree(lib.data_dir, data)
    path = data / "scenarios" / "item-mismatch.yaml"
    text = path.read_text(encoding="utf-8").replace("version: 1", "version: 2")
    path.write_text(text.replace("own-it", "own-the-mistake"), encoding="utf-8")
    newer = load_library(data)
    again = StaffPanel(newer, clock=lambda: NOW, lang="en", store=store, user="Bo")
    again.open_case(panel.case.id)
    assert "no longer exists in version 2" in again.walk_view.case_bar.value
    assert again.walk_view.restart_from_button.layout.display == ""
    assert again.walk.current.id == "confirm-order"
    again.walk_view.restart_from_button.click()
    assert store.events(panel.case.id)[-1].type == "restart"
    assert again.walk_view.restart_from_button.layout.display == "none"
    again.walk_view.options.value = "our-error"
    again.walk_view.next_button.click()
    assert again.walk.current.id == "own-the-mistake"


def test_language_switch_keeps_filters_and_choices(lib, store) -> None:
    begin(lib, store)
    panel = page(lib, store)
    panel.start_view.scenario.value = "unfulfilled-order"
    panel.lang_toggle.value = "zh"
    assert panel.start_view.scenario.value == "unfulfilled-order"
    assert "released_at" in panel.start_view.fact_inputs
    panel.nav.value = "cases"
    panel.cases.status.value = "waiting_buyer"
    panel.lang_toggle.value = "en"
    assert panel.nav.value == "cases"
    assert panel.cases.status.value == "waiting_buyer"
    assert ("waiting on the buyer", "waiting_buyer") in panel.cases.status.options
    assert len(panel.cases.rows.children) == 1


def test_case_list_and_header_show_and_filter_by_platform(lib, store) -> None:
    wish = begin(lib, store)
    amazon = page(lib, store)
    amazon.start_view.scenario.value = "amazon-not-as-described"
    for key, value in AMAZON_FACTS.items():
        amazon.start_view.fact_inputs[key].value = value
    amazon.start_view.start_button.click()
    assert amazon.message.value == ""
    assert "· Amazon ·" in amazon.walk_view.case_bar.value  # the case header names it
    assert "· Wish ·" in wish.walk_view.case_bar.value
    panel = page(lib, store, lang="zh")
    panel.nav.value = "cases"
    cases = panel.cases
    assert [v for _, v in cases.platform.options] == ["", "amazon", "wish"]
    assert ("亚马逊", "amazon") in cases.platform.options
    assert len(cases.rows.children) == 2
    cases.platform.value = "amazon"
    (row,) = cases.rows.children
    assert f"pb-open-{amazon.case.id}" in row.children[0]._dom_classes
    assert "亚马逊" in row.children[1].value
    # the dispute filter offers that platform's disputes only
    offered = {v for _, v in cases.scenario.options} - {""}
    assert offered == {s.id for s in lib.scenarios_of("amazon")}
    cases.platform.value = "wish"
    (row,) = cases.rows.children
    assert f"pb-open-{wish.case.id}" in row.children[0]._dom_classes
    cases.platform.value = ""
    assert len(cases.rows.children) == 2


def test_a_forged_platform_filter_is_ignored(lib, store) -> None:
    begin(lib, store)
    panel = page(lib, store)
    panel.nav.value = "cases"
    panel.cases.platform.options = [("", ""), ("zylo' OR 1=1", "zylo' OR 1=1")]
    panel.cases.platform.value = "zylo' OR 1=1"  # not a platform of the library: no filter
    assert len(panel.cases.rows.children) == 1
    assert "pb-open-" in " ".join(panel.cases.rows.children[0].children[0]._dom_classes)
