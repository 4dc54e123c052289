"""The checker keeps platforms apart.

A scenario's platform needs a policy file; policy keys, templates and triage policies come from
the platform's own files; an order format maps every column it claims; a policy's scope names
real facts and choices; a scoped deadline says when it applies.
"""

from __future__ import annotations

from pathlib import Path

from tests.data_edits import edit, problems
from tests.library.test_platform_as_data import add_zylo


def _line(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


def test_a_scenario_whose_platform_has_no_policy_file(data_copy: Path) -> None:
    add_zylo(data_copy)
    path = data_copy / "scenarios" / "zylo-late-parcel.yaml"
    edit(path, "platform: zylo", "platform: nowhere")
    line = _line(path, "platform: nowhere")
    found = problems(data_copy)
    expected = (
        f"data/scenarios/zylo-late-parcel.yaml:{line}: platform: scenario platform 'nowhere' "
        "has no data/policies/nowhere.yaml; platforms are ["
    )
    assert any(p.startswith(expected) and "'zylo'" in p for p in found), found


def test_a_policy_key_of_another_platform(data_copy: Path) -> None:
    add_zylo(data_copy)
    path = data_copy / "scenarios" / "zylo-late-parcel.yaml"
    edit(
        path,
        "en: Ship it today and enter the tracking number.}",
        'en: "Within {policy:ticket_response} ship it."}',
    )
    edit(path, "policy: ship_window\n", "policy: refund_dispute_window\n")
    found = problems(data_copy)
    assert any(
        "steps.1.text.en: unknown policy 'ticket_response' in '{policy:ticket_response}'" in p
        and p.endswith("(it is a policy of wish, not of zylo)")
        for p in found
    ), found
    assert any(
        "steps.0.deadlines.0.policy: unknown policy key 'refund_dispute_window'" in p
        and "(it is a policy of wish, not of zylo)" in p
        for p in found
    ), found


def test_a_template_of_another_platform(data_copy: Path) -> None:
    add_zylo(data_copy)
    edit(
        data_copy / "scenarios" / "item-mismatch.yaml",
        "messages: [buyer-ask-details]",
        "messages: [buyer-ask-details, zylo-buyer-sorry]",
    )
    found = problems(data_copy)
    assert any(
        p.startswith("data/scenarios/item-mismatch.yaml:")
        and "template 'zylo-buyer-sorry' is for platform 'zylo', not 'wish'" in p
        for p in found
    ), found


def test_a_triage_rule_with_a_policy_of_another_platform(data_copy: Path) -> None:
    add_zylo(data_copy)
    path = data_copy / "triage" / "zylo.yaml"
    edit(path, "deadline: {policy: ship_window", "deadline: {policy: fulfilment_deadline")
    line = _line(path, "fulfilment_deadline")
    assert (
        f"data/triage/zylo.yaml:{line}: rules.0.deadline.policy: 'fulfilment_deadline' is not "
        "an hours, calendar-days or business-days policy in data/policies/zylo.yaml (it is a "
        "policy of wish)"
    ) in problems(data_copy)


def test_rules_of_a_platform_without_policies_and_a_file_named_for_another(data_copy) -> None:
    add_zylo(data_copy)
    (data_copy / "policies" / "zylo.yaml").unlink()
    (data_copy / "scenarios" / "zylo-late-parcel.yaml").unlink()
    (data_copy / "templates" / "zylo-buyer-sorry.yaml").unlink()
    shutil_copy = (data_copy / "triage" / "zylo.yaml").read_text(encoding="utf-8")
    (data_copy / "triage" / "other.yaml").write_text(shutil_copy, encoding="utf-8")
    found = problems(data_copy)
    assert any(
        p.startswith("data/triage/zylo.yaml:")
        and "platform 'zylo' has no data/policies/zylo.yaml" in p
        for p in found
    ), found
    assert any(
        p.startswith("data/triage/other.yaml:")
        and "platform 'zylo' must equal the file name 'other'" in p
        for p in found
    ), found


def test_an_order_format_claiming_columns_it_does_not_map(data_copy: Path) -> None:
    add_zylo(data_copy)
    path = data_copy / "order_formats" / "zylo-orders.yaml"
    edit(
        path,
        "detect: [Bestellnummer, Bestelldatum, Status]",
        "detect: [Bestellnummer, Lieferdatum, Status]",
    )
    edit(path, "  Menge: quantity\n", "  Menge: quantity\n  Preis: prize\n")
    edit(
        path,
        "    storniert: CANCELLED\n",
        "    storniert: CANCELLED\n  product_name: {Tee: TEA}\n",
    )
    found = problems(data_copy)
    where = "data/order_formats/zylo-orders.yaml"
    assert (
        f"{where}:{_line(path, 'Lieferdatum')}: detect: claims column 'Lieferdatum', which the "
        "format does not map (it is not under 'columns')"
    ) in found, found
    assert any(
        f"{where}:{_line(path, 'Preis')}: columns.Preis: unknown field 'prize'" in p for p in found
    )
    assert any(
        "values.product_name: 'product_name' is not a state or enum field; it takes no map" in p
        for p in found
    ), found


def test_a_state_field_without_a_value_map_and_a_duplicate_field(data_copy: Path) -> None:
    add_zylo(data_copy)
    path = data_copy / "order_formats" / "zylo-orders.yaml"
    edit(path, "values:\n  state:\n", "values:\n  other:\n")
    edit(path, "  Notiz: null\n", "  Notiz: product_name\n")
    found = problems(data_copy)
    assert any("columns.Status: 'state' needs a value map under 'values'" in p for p in found), (
        found
    )
    assert any(
        "columns.Notiz: field 'product_name' is already fed by column 'Artikel'" in p
        for p in found
    ), found
    assert any(
        "values.other: a value map for 'other', which no column feeds" in p for p in found
    ), found


def test_a_rule_testing_a_value_no_format_gives(data_copy: Path) -> None:
    add_zylo(data_copy)
    path = data_copy / "triage" / "zylo.yaml"
    edit(path, "state: [OPEN]", "state: [OPENED]")
    assert any(
        "rules.0.when.state: 'OPENED' is not a value any zylo format gives 'state'; they are "
        "['CANCELLED', 'OPEN', 'SHIPPED']" in p
        for p in problems(data_copy)
    )


def test_a_policy_scope_must_name_facts_and_their_choices(data_copy: Path) -> None:
    add_zylo(data_copy)
    path = data_copy / "policies" / "zylo.yaml"
    edit(
        path,
        "    applies_to: {}\n",
        "    applies_to: {manages_own_returns: [maybe], colour: [red]}\n",
    )
    found = problems(data_copy)
    assert any(
        "policies.ship_window.applies_to.manages_own_returns: 'maybe' is not a choice of fact "
        "'manages_own_returns'; choices are ['no', 'yes']" in p
        for p in found
    ), found
    assert any("policies.ship_window.applies_to.colour: unknown fact 'colour'" in p for p in found)


def test_a_scoped_deadline_must_say_when_it_applies(data_copy: Path) -> None:
    add_zylo(data_copy)
    edit(
        data_copy / "policies" / "zylo.yaml",
        "    applies_to: {}\n",
        '    applies_to: {manages_own_returns: ["yes"]}\n',
    )
    path = data_copy / "scenarios" / "zylo-late-parcel.yaml"
    edit(
        path,
        "  - {id: ordered_at}\n",
        "  - {id: ordered_at}\n  - {id: manages_own_returns, required: false}\n",
    )
    found = problems(data_copy)
    assert any(
        "steps.0.deadlines.0.when: policy 'ship_window' applies only where manages_own_returns "
        "is one of ['yes']; test 'manages_own_returns' in this deadline's 'when'" in p
        for p in found
    ), found
    edit(
        path,
        "        label: {zh: 发货截止, en: Ship by}\n",
        "        label: {zh: 发货截止, en: Ship by}\n"
        '        when: {fact: manages_own_returns, eq: "yes"}\n',
    )
    # the step's guidance names the rule too: it becomes a note pinned the same way
    found = problems(data_copy)
    assert any("steps.0.guidance.en: the text names 'ship_window'" in p for p in found), found
    lines = path.read_text(encoding="utf-8").split("\n")
    guidance = next(line for line in lines if line.startswith("    guidance:"))
    edit(
        path,
        guidance + "\n",
        '    notes:\n      - when: {fact: manages_own_returns, eq: "yes"}\n'
        + guidance.replace("    guidance:", "        text:")
        + "\n",
    )
    assert problems(data_copy) == []
