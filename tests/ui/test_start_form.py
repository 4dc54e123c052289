"""The start view: the dispute picker, the facts form, and who a started case belongs to.

The picker's order as data (and by platform), inputs by fact type, a form that keeps what was
typed, an empty form for each new dispute, and who a started case belongs to.
"""

from __future__ import annotations

from pathlib import Path

import ipywidgets as w
import pytest
from traitlets import TraitError

from playbook.cases.memory_store import MemoryStore
from playbook.cases.roles import Identity
from playbook.load import check, load_library
from playbook.scenarios.fact_options import fact_options, option_value
from playbook.scenarios.picker import OTHER, picker_order, picker_sections
from playbook.ui.fact_inputs import money_text
from playbook.ui.staff_panel import StaffPanel

from .test_staff_panel import FACTS, NOW


def panel_for(lib, **kwargs) -> StaffPanel:
    return StaffPanel(lib, clock=lambda: NOW, lang=kwargs.pop("lang", "en"), **kwargs)


# --- the picker ------------------------------------------------------------------------------


def test_picker_puts_the_two_source_disputes_first_and_groups_by_what_happened(lib) -> None:
    order = picker_order(lib)
    assert order[0] == "item-mismatch"
    sections = picker_sections(lib)
    assert [s.items[0].scenario.id for s in sections[:2]] == ["item-mismatch", "unfulfilled-order"]
    assert sorted(order) == sorted(lib.scenarios)  # every dispute, once
    assert all(item.when is not None for s in sections for item in s.items)


def test_nothing_is_picked_and_there_is_no_form_before_a_pick(lib) -> None:
    panel = panel_for(lib)
    view = panel.start_view
    assert view.scenario.value is None
    assert all(g.value is None for g in view.picker.groups)
    assert view.facts_box.layout.display == "none"
    assert view.start_button.disabled
    assert [sid for _, sid in view.scenario.options] == picker_order(lib)
    view.start_button.click()  # a forged click before a pick starts nothing
    assert not panel.session.active
    assert "Pick the dispute" in panel.message.value


def test_each_dispute_says_when_to_use_it_in_both_languages(lib) -> None:
    panel = panel_for(lib, lang="zh")
    labels = dict((sid, label) for label, sid in panel.start_view.scenario.options)
    assert labels["chargeback"].startswith("买家银行拒付 — ")
    assert "拒付" in labels["chargeback"].split(" — ")[1]
    group = panel.start_view.picker.groups[0]
    assert group.description == "Wish · 买家投诉或要求退款"  # two platforms: headings name theirs
    panel.lang_toggle.value = "en"
    labels = dict((sid, label) for label, sid in panel.start_view.scenario.options)
    assert labels["chargeback"].startswith("Chargeback by the buyer's bank — Use when")


def test_the_picker_order_and_groups_are_data(data_copy: Path) -> None:
    path = data_copy / "picker.yaml"
    text = path.read_text(encoding="utf-8")
    # chargeback becomes the most common dispute: its group comes first, it heads it
    text = text.replace(
        "  - scenario: item-mismatch\n    group: buyer-complains\n    rank: 1\n",
        "  - scenario: item-mismatch\n    group: buyer-complains\n    rank: 20\n",
    ).replace(
        "  - scenario: chargeback\n    group: money-or-stock\n    rank: 5\n",
        "  - scenario: chargeback\n    group: money-or-stock\n    rank: 1\n",
    )
    path.write_text(text, "utf-8")
    lib = load_library(data_copy)
    assert picker_order(lib)[0] == "chargeback"
    assert picker_sections(lib)[0].group == "money-or-stock"


def test_an_unlisted_scenario_is_offered_last_under_other(data_copy: Path) -> None:
    path = data_copy / "picker.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  - scenario: inventory-drop-without-orders")
    end = text.index("  # Amazon")
    path.write_text(text[:start] + text[end:], "utf-8")
    lib = load_library(data_copy)
    last = [s for s in picker_sections(lib) if s.platform == "wish"][-1]
    assert (last.group, [i.scenario.id for i in last.items]) == (
        OTHER,
        ["inventory-drop-without-orders"],
    )
    assert last.title.en == "Other disputes"


def test_a_hidden_platform_is_not_offered_and_one_platform_needs_no_heading(lib) -> None:
    both = panel_for(lib)
    shown = [sid for _, sid in both.start_view.scenario.options]
    assert {lib.scenarios[s].platform for s in shown} == {"amazon", "wish"}
    headings = [g.description for g in both.start_view.picker.groups]
    assert headings[0].startswith("Wish · ")
    assert headings[-1].startswith("Amazon · ")
    panel = panel_for(lib, hidden_platforms=("amazon",))
    view = panel.start_view
    shown = [sid for _, sid in view.scenario.options]
    assert shown == [s for s in picker_order(lib) if lib.scenarios[s].platform == "wish"]
    assert all("·" not in g.description for g in view.picker.groups)
    view.scenario.value = "amazon-not-as-described"  # not offered: nothing is picked
    assert view.scenario.value is None
    group = view.picker.groups[0]
    with pytest.raises(TraitError):  # a forged index past the offered ones: the widget refuses
        group.set_state({"index": len(group.options)})
    assert view.scenario.value is None
    assert view.facts_box.layout.display == "none"


def test_checker_names_unknown_scenarios_groups_and_shared_ranks(data_copy: Path) -> None:
    path = data_copy / "picker.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("scenario: chargeback", "scenario: charge-back")
    text = text.replace("group: money-or-stock\n    rank: 6", "group: fees\n    rank: 6")
    text = text.replace("rank: 7", "rank: 2")
    path.write_text(text, "utf-8")
    _, problems = check(data_copy)
    found = [str(p) for p in problems if p.file.endswith("picker.yaml")]
    assert any("unknown scenario 'charge-back'" in p for p in found), found
    assert any("unknown group 'fees'" in p for p in found), found
    assert any("rank 2 is also 'unfulfilled-order's" in p for p in found), found
    assert all(":" in p.split(": ")[0] for p in found)  # each with its line


# --- inputs of the right kind ------------------------------------------------------------------


def test_choice_currency_country_and_money_inputs(lib) -> None:
    panel = panel_for(lib)
    panel.start_view.scenario.value = "item-mismatch"
    inputs = panel.start_view.fact_inputs
    returns = inputs["manages_own_returns"]
    assert isinstance(returns, w.Dropdown)
    assert list(returns.options) == [("—", ""), ("Yes", "yes"), ("No", "no")]
    panel.lang_toggle.value = "zh"
    assert list(returns.options) == [("—", ""), ("是", "yes"), ("否", "no")]
    currency = inputs["currency"]
    assert isinstance(currency, w.Dropdown)
    assert ("USD · 美元", "USD") in currency.options
    assert len(currency.options) > 150  # ISO 4217, from pycountry
    country = inputs["country"]
    assert isinstance(country, w.Combobox)
    assert "DE · 德国 · Germany" in country.options
    money = inputs["order_total"]
    assert not money.continuous_update  # written back once the person leaves the box
    money.value = "24.9"
    assert money.value == "24.90"
    money.value = "24.999"  # not an amount: left as typed, refused at Start
    assert money.value == "24.999"


def test_money_text() -> None:
    assert money_text("1,024.5") == "1024.50"
    assert money_text("7") == "7.00"
    assert money_text("-1") is None
    assert money_text("abc") is None
    assert money_text("") is None


def test_country_labels_and_codes(lib) -> None:
    country = lib.facts["country"]
    assert ("US · 美国 · United States", "US") in fact_options(country, "zh")
    assert ("US · United States", "US") in fact_options(country, "en")
    assert option_value(country, "DE · 德国 · Germany", "zh") == "DE"
    assert option_value(country, "de", "en") == "DE"
    assert option_value(country, "Narnia", "en") == "Narnia"  # passed on, refused at Start


def test_picked_values_reach_the_case_as_their_ids(lib) -> None:
    panel = panel_for(lib, lang="zh")
    view = panel.start_view
    view.scenario.value = "item-mismatch"
    for key, value in FACTS.items():
        view.fact_inputs[key].value = value
    view.fact_inputs["manages_own_returns"].value = "yes"  # shown as 是
    view.fact_inputs["country"].value = "DE · 德国 · Germany"
    view.start_button.click()
    assert panel.message.value == ""
    facts = panel.walk.facts
    assert facts["manages_own_returns"] == "yes"
    assert facts["country"] == "DE"
    assert facts["currency"] == "USD"


def test_analyst_facts_are_never_asked_of_staff(lib) -> None:
    assert lib.facts["triage_note"].filled_by == "analyst"
    panel = panel_for(lib)
    for sid in lib.scenarios:
        panel.start_view.scenario.value = sid
        assert "triage_note" not in panel.start_view.fact_inputs
    assert "triage_note" not in panel.start_view.fields


def test_a_required_analyst_fact_is_a_data_error(data_copy: Path) -> None:
    path = data_copy / "scenarios" / "item-mismatch.yaml"
    path.write_text(
        path.read_text("utf-8").replace("{id: triage_note, required: false}", "{id: triage_note}"),
        "utf-8",
    )
    _, problems = check(data_copy)
    assert any("filled by analyst, never asked of staff" in str(p) for p in problems)


# --- typed facts are never thrown away ----------------------------------------------------------


def test_switching_disputes_keeps_every_input_and_what_was_typed(lib) -> None:
    panel = panel_for(lib)
    view = panel.start_view
    view.scenario.value = "item-mismatch"
    kept = list(view.facts_box.children)
    order_box = view.fact_inputs["order_id"]
    order_box.value = "5f1e2d3c4b5a69788796a5b4"
    view.fact_inputs["buyer_name"].value = "Maria"
    view.scenario.value = "unfulfilled-order"
    # the same widgets, in the same places (new ones only added after them)
    assert list(view.facts_box.children[: len(kept)]) == kept
    assert view.fact_inputs["order_id"] is order_box
    assert order_box.value == "5f1e2d3c4b5a69788796a5b4"
    assert view.fact_inputs["buyer_name"].value == "Maria"
    assert "released_at" in view.fact_inputs
    assert view.fields["manages_own_returns"].box.layout.display == "none"  # not asked now
    view.scenario.value = "item-mismatch"
    assert list(view.facts_box.children[: len(kept)]) == kept
    assert view.fact_inputs["buyer_name"].value == "Maria"


def test_a_new_dispute_starts_from_an_empty_form(lib, store) -> None:
    panel = panel_for(lib, store=store, user="Ana")
    view = panel.start_view
    view.scenario.value = "item-mismatch"
    for key, value in FACTS.items():
        view.fact_inputs[key].value = value
    view.fact_inputs["product_name"].value = "Blue teapot"
    view.start_button.click()
    assert panel.session.active
    panel.start_new()
    assert view.scenario.value is None
    assert view.facts_box.layout.display == "none"
    view.scenario.value = "item-mismatch"
    assert all(box.value in ("", None) for box in view.fact_inputs.values())
    view.fact_inputs["order_id"].value = "second-order"
    view.fact_inputs["buyer_name"].value = "Second Buyer"
    view.start_button.click()  # the rest is required and was not carried over
    assert not panel.session.active
    assert view.fact_errors["store_name"].value == "Store name: required."


# --- who a started case belongs to --------------------------------------------------------------


def test_a_started_case_is_assigned_to_who_started_it(lib, store) -> None:
    panel = panel_for(lib, store=store, user="Ana")
    panel.start_view.scenario.value = "item-mismatch"
    for key, value in FACTS.items():
        panel.start_view.fact_inputs[key].value = value
    panel.start_view.start_button.click()
    assert store.get_case(panel.case.id).assignee == "Ana"

    staff = panel_for(lib, store=store, identity=Identity.of("bo", "staff"))
    staff.start_view.scenario.value = "item-mismatch"
    for key, value in FACTS.items():
        staff.start_view.fact_inputs[key].value = value
    staff.start_view.start_button.click()
    assert store.get_case(staff.case.id).assignee == "bo"


def test_a_page_that_keeps_nothing_assigns_nobody(lib) -> None:
    panel = panel_for(lib, store=MemoryStore(now=lambda: NOW))
    panel.start_view.scenario.value = "item-mismatch"
    for key, value in FACTS.items():
        panel.start_view.fact_inputs[key].value = value
    panel.start_view.start_button.click()
    assert panel.case.assignee is None
