"""A rule with `applies_to` is used only where the case is one it is about."""

from __future__ import annotations

from pathlib import Path

import pytest

from playbook.cli import main
from playbook.library.library import Library
from playbook.library.model import Condition
from playbook.scenarios.checks import implied, step_scopes
from tests.data_edits import edit, problems


def cond(raw: dict) -> Condition:
    return Condition.model_validate(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"fact": "m", "eq": "yes"}, {"m": {"yes"}}),
        ({"fact": "c", "in": ["US", "GB"]}, {"c": {"US", "GB"}}),
        (
            {"all": [{"fact": "m", "eq": "yes"}, {"fact": "c", "in": ["US"]}]},
            {"m": {"yes"}, "c": {"US"}},
        ),
        ({"any": [{"fact": "m", "eq": "yes"}, {"fact": "m", "eq": "no"}]}, {"m": {"yes", "no"}}),
        ({"any": [{"fact": "m", "eq": "yes"}, {"answer": "s", "eq": "x"}]}, {}),
        ({"not": {"fact": "m", "eq": "yes"}}, {}),
        ({"days_since": "r", "gt": 5}, {}),
    ],
)  # fmt: skip
def test_what_a_condition_says_about_the_facts(raw: dict, expected: dict) -> None:
    assert {k: set(v) for k, v in implied(cond(raw)).items()} == expected


def test_a_step_is_in_scope_only_when_every_way_to_it_is(lib: Library) -> None:
    scopes = step_scopes(lib.scenario("item-mismatch"), lib)
    # every way into the low-value decision tests the Merchant Managed Return fact
    assert scopes["low-value-decision"]["manages_own_returns"] == {"yes"}
    # the dispute step is also reached without that test
    assert "manages_own_returns" not in scopes["prepare-appeal"]


def test_check_fails_on_a_rule_used_outside_its_scope(data_copy: Path, capsys) -> None:
    # the 90-day window is for auto-reviewed refunds of Merchant Managed Return stores; the
    # chargeback scenario never establishes that
    edit(
        data_copy / "scenarios" / "chargeback.yaml",
        "Where it can, dispute it promptly.",
        "Where it can, dispute it within {policy:refund_dispute_window}.",
    )
    edit(
        data_copy / "scenarios" / "chargeback.yaml",
        "能申诉的就尽早申诉。",
        "能申诉的就在 {policy:refund_dispute_window}内申诉。",
    )
    found = problems(data_copy)
    assert any(
        "data/scenarios/chargeback.yaml:" in p
        and "steps.4.guidance.en: the text names 'refund_dispute_window', which applies only "
        "where manages_own_returns in ['yes']"
        in p
        and "add the facts ['manages_own_returns'] to the scenario" not in p
        and "add the fact ['manages_own_returns'] to the scenario" in p
        for p in found
    ), found
    assert main(["check", str(data_copy)]) == 1
    assert "applies only where manages_own_returns" in capsys.readouterr().out


def test_a_deadline_outside_its_scope_and_the_condition_that_fixes_it(data_copy: Path) -> None:
    path = data_copy / "scenarios" / "item-mismatch.yaml"
    label = (
        "        label: {zh: 退款申诉截止（商户自主退货店铺）, en: Refund dispute closes "
        "(Merchant Managed Return store)}\n"
    )
    edit(path, label + '        when: {fact: manages_own_returns, eq: "yes"}\n', label)
    found = problems(data_copy)
    assert any(
        "item-mismatch.yaml:" in p
        and "deadlines.0.policy: the deadline names 'refund_dispute_window'" in p
        for p in found
    ), found


def test_a_note_with_its_condition_is_in_scope_and_without_it_is_not(data_copy: Path) -> None:
    path = data_copy / "scenarios" / "order-not-delivered.yaml"
    assert problems(data_copy) == []
    edit(
        path,
        '      - when: &cdp {fact: requires_delivery_confirmation, eq: "yes"}\n        text:',
        "      - text:",
    )
    edit(
        path,
        "        when: *cdp\n",
        '        when: {fact: requires_delivery_confirmation, eq: "yes"}\n',
    )
    found = problems(data_copy)
    assert any(
        "steps.0.notes.2.text.en: the note names 'confirmed_delivery_days'" in p for p in found
    ), found


def test_the_scope_names_facts_and_values_that_exist(data_copy: Path) -> None:
    path = data_copy / "policies" / "wish.yaml"
    edit(
        path,
        'applies_to: {manages_own_returns: ["yes"]}',
        'applies_to: {manages_own_returns: ["maybe"]}',
    )
    edit(path, "applies_to: {requires_delivery_confirmation:", "applies_to: {delivery_mood:")
    found = problems(data_copy)
    assert any(
        "policies.refund_dispute_window.applies_to.manages_own_returns: 'maybe' is not a "
        "choice of fact 'manages_own_returns'" in p
        for p in found
    ), found
    assert any(
        "policies.confirmed_delivery_days.applies_to.delivery_mood: unknown fact" in p
        for p in found
    ), found


def test_every_rule_says_when_it_was_last_checked(data_copy: Path) -> None:
    path = data_copy / "policies" / "wish.yaml"
    text = path.read_text(encoding="utf-8")
    head, rest = text.split("  release_hold:", 1)
    rest = rest.replace("    checked_on: 2026-12-07\n", "", 1)
    path.write_text(head + "  release_hold:" + rest, encoding="utf-8")
    found = problems(data_copy)
    assert any("policies.release_hold.checked_on: no checked_on" in p for p in found), found


def test_practice_feedback_cites_a_rule_whose_scope_fits_the_vignette(data_copy: Path) -> None:
    path = data_copy / "training" / "ond-delivered-not-received.yaml"
    edit(path, "        policy: refund_disputable_flag", "        policy: refund_dispute_window")
    found = problems(data_copy)
    assert any(
        "ond-delivered-not-received.yaml:" in p
        and "questions.2.feedback.refunded.policy: 'refund_dispute_window' applies only where "
        "manages_own_returns in ['yes']; the vignette's facts do not say so"
        in p
        for p in found
    ), found
