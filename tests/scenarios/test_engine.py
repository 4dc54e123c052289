"""The step engine: answering, going back, review, errors, conditions, state."""

from __future__ import annotations

import datetime as dt

import pytest

from playbook.errors import StepNotAllowed
from playbook.scenarios.engine import Walk
from playbook.scenarios.facts import parse_facts

FACTS = {
    "order_id": "5f1e2d3c4b5a69788796a5b4",
    "buyer_name": "Mia Lindqvist",
    "store_name": "Harbor Lane Goods",
    "order_total": "24.99",
    "currency": "USD",
    "released_at": "2026-11-21 08:00",
}


def walk(lib, scenario_id: str, as_of: dt.datetime, **overrides: str) -> Walk:
    scenario = lib.scenario(scenario_id)
    facts, errors = parse_facts(scenario, lib.facts, {**FACTS, **overrides})
    assert errors == {}
    return Walk(scenario, facts, as_of, lib.policies["wish"].policies)


def test_starts_at_the_scenario_start(lib, as_of) -> None:
    w = walk(lib, "item-mismatch", as_of)
    assert w.current.id == "confirm-order"
    assert not w.finished
    assert w.review() == []


def test_answer_moves_on_and_review_lists_answers(lib, as_of) -> None:
    w = walk(lib, "item-mismatch", as_of)
    w.answer("confirm-order", "our-error")
    w.answer("refund-status", "open")
    assert w.current.id == "own-it"
    assert [(s.id, o.id if o else None) for s, o in w.review()] == [
        ("confirm-order", "our-error"),
        ("refund-status", "open"),
    ]


def test_back_keeps_later_answers_on_offer(lib, as_of) -> None:
    w = walk(lib, "item-mismatch", as_of)
    w.answer("confirm-order", "shipped-correctly")
    w.answer("refund-status", "open")
    w.answer("contact-buyer")
    w.back()
    w.back()
    assert w.current.id == "refund-status"
    assert w.previous_answer("refund-status") == "open"
    assert w.previous_answer("contact-buyer") == ""
    # Review shows only the current path, not the answers we stepped back over.
    assert [s.id for s, _ in w.review()] == ["confirm-order"]


def test_can_go_back_after_an_answer_until_the_first_step_again(lib, as_of) -> None:
    w = walk(lib, "item-mismatch", as_of)
    assert not w.can_go_back
    w.answer("confirm-order", "our-error")
    assert w.can_go_back
    w.answer("refund-status", "open")
    w.back()
    assert w.can_go_back
    w.back()
    assert not w.can_go_back
    for step, option in [("confirm-order", "our-error"), ("refund-status", "refunded")]:
        w.answer(step, option)
    while not w.finished:
        w.answer(w.current.id, w.options()[0].id if w.current.kind == "question" else None)
    assert w.can_go_back  # an outcome can be gone back from


def test_changed_answer_takes_the_new_branch(lib, as_of) -> None:
    w = walk(lib, "item-mismatch", as_of)
    w.answer("confirm-order", "our-error")
    w.answer("refund-status", "open")
    assert w.current.id == "own-it"
    w.back()
    w.back()
    w.answer("confirm-order", "unclear")
    w.answer("refund-status", "open")
    assert w.current.id == "contact-buyer"
    assert w.path == ["confirm-order", "refund-status", "contact-buyer"]


class TestErrors:
    def test_unknown_option_names_scenario_step_and_choices(self, lib, as_of) -> None:
        w = walk(lib, "item-mismatch", as_of)
        with pytest.raises(StepNotAllowed) as info:
            w.answer("confirm-order", "maybe")
        assert str(info.value) == (
            "Scenario 'item-mismatch', step 'confirm-order': 'maybe' is not a valid choice; "
            "valid choices are 'our-error', 'shipped-correctly', 'unclear'."
        )
        assert "有效选项" in info.value.render("zh")
        assert w.current.id == "confirm-order"

    def test_step_that_is_not_current(self, lib, as_of) -> None:
        w = walk(lib, "item-mismatch", as_of)
        with pytest.raises(
            StepNotAllowed,
            match="step 'refund-status' is not the current step "
            r"\('confirm-order'\)",
        ):
            w.answer("refund-status", "open")
        assert w.path == ["confirm-order"]

    def test_answering_a_finished_walk(self, lib, as_of) -> None:
        w = walk(lib, "item-mismatch", as_of)
        for step, option in [
            ("confirm-order", "our-error"),
            ("refund-status", "open"),
            ("own-it", None),
            ("choose-remedy", "reship"),
            ("risk-review", None),
        ]:
            w.answer(step, option)
        assert w.finished
        assert w.current.id == "outcome-reshipped"
        with pytest.raises(StepNotAllowed, match="is finished at 'outcome-reshipped'"):
            w.answer("outcome-reshipped")

    def test_option_on_an_action_step(self, lib, as_of) -> None:
        w = walk(lib, "item-mismatch", as_of)
        w.answer("confirm-order", "shipped-correctly")
        w.answer("refund-status", "open")
        with pytest.raises(StepNotAllowed, match="takes no option"):
            w.answer("contact-buyer", "our-error")

    def test_back_at_start(self, lib, as_of) -> None:
        w = walk(lib, "unfulfilled-order", as_of)
        assert not w.can_go_back
        with pytest.raises(StepNotAllowed, match="already at the first step"):
            w.back()


REFUSES = [
    ("confirm-order", "shipped-correctly"),
    ("refund-status", "open"),
    ("contact-buyer", None),
    ("buyer-details", "correct-but-disputed"),
    ("explain-with-evidence", None),
    ("buyer-response", "refuses"),
]


class TestConditions:
    def test_low_value_usd_order_asks_whether_to_appeal(self, lib, as_of) -> None:
        w = walk(lib, "item-mismatch", as_of, order_total="9.50", manages_own_returns="yes")
        for step, option in REFUSES:
            w.answer(step, option)
        assert w.current.id == "low-value-decision"

    @pytest.mark.parametrize(
        ("total", "currency", "own"),
        [("10.01", "USD", "yes"), ("9.50", "EUR", "yes"), ("9.50", "USD", "no")],
    )
    def test_other_orders_go_straight_to_appeal(self, lib, as_of, total, currency, own) -> None:
        w = walk(
            lib,
            "item-mismatch",
            as_of,
            order_total=total,
            currency=currency,
            manages_own_returns=own,
        )
        for step, option in REFUSES:
            w.answer(step, option)
        assert w.current.id == "prepare-appeal"

    def test_days_since_release_routes_past_deadline(self, lib, as_of) -> None:
        late = walk(lib, "unfulfilled-order", as_of, released_at="2026-11-17 11:00")
        late.answer("find-cause", "stock-out")
        assert late.current.id == "past-deadline"
        fresh = walk(lib, "unfulfilled-order", as_of, released_at="2026-11-19 13:00")
        fresh.answer("find-cause", "stock-out")
        assert fresh.current.id == "contact-buyer"

    def test_option_hidden_by_an_earlier_answer(self, lib, as_of) -> None:
        w = walk(lib, "unfulfilled-order", as_of)
        w.answer("find-cause", "policy-change")
        w.answer("contact-buyer")
        w.answer("buyer-reply", "will-wait")
        assert [o.id for o in w.options()] == ["cancel"]
        with pytest.raises(StepNotAllowed, match="valid choices are 'cancel'"):
            w.answer("adjust-or-cancel", "adjust")
        w.back()
        w.back()
        w.back()
        w.answer("find-cause", "stock-out")
        w.answer("contact-buyer")
        w.answer("buyer-reply", "will-wait")
        assert [o.id for o in w.options()] == ["adjust", "cancel"]


def test_deadline_from_policy_and_fact(lib, as_of) -> None:
    w = walk(lib, "unfulfilled-order", as_of, released_at="2026-11-19 13:00")
    [(ref, due)] = w.deadlines()
    assert ref.policy == "auto_refund_deadline"  # mark shipped by, then auto-refunded
    assert due.due == dt.datetime(2026, 11, 24, 13, 0, tzinfo=dt.UTC)
    assert due.hours_left == 25.0
    assert due.state == "ok"
    assert (
        walk(lib, "unfulfilled-order", as_of, released_at="2026-11-18 14:00")
        .deadlines()[0][1]
        .state
        == "soon"
    )
    assert (
        walk(lib, "unfulfilled-order", as_of, released_at="2026-11-18 11:00")
        .deadlines()[0][1]
        .state
        == "past"
    )


def test_deadline_unknown_when_fact_missing(lib, as_of) -> None:
    w = walk(lib, "item-mismatch", as_of, manages_own_returns="yes")
    w.answer("confirm-order", "unclear")
    w.answer("refund-status", "open")
    [(ref, due)] = w.deadlines()
    assert ref.from_ == "refund_requested_at"
    assert due is None


def test_state_round_trip_is_deterministic(lib, as_of) -> None:
    a = walk(lib, "unfulfilled-order", as_of)
    b = walk(lib, "unfulfilled-order", as_of)
    for w in (a, b):
        w.answer("find-cause", "logistics-delay")
        w.answer("contact-buyer")
        w.answer("buyer-reply", "will-wait")
        w.answer("adjust-or-cancel", "adjust")
        w.back()
    assert (
        a.to_state()
        == b.to_state()
        == {
            "scenario": "unfulfilled-order",
            "version": 3,
            "path": ["find-cause", "contact-buyer", "buyer-reply", "adjust-or-cancel"],
            "answers": {
                "find-cause": "logistics-delay",
                "contact-buyer": "",
                "buyer-reply": "will-wait",
                "adjust-or-cancel": "adjust",
            },
        }
    )
    again = Walk(
        a.scenario,
        a.facts,
        as_of,
        a.policies,
        **{k: v for k, v in a.to_state().items() if k in ("path", "answers")},
    )
    assert again.current.id == "adjust-or-cancel"
    assert again.previous_answer("adjust-or-cancel") == "adjust"


def test_country_specific_policy_figure(lib) -> None:
    from playbook.scenarios.policies import add_duration

    policy = lib.policy("wish", "late_delivery_liability")
    start = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    assert add_duration(start, policy, "BR") == dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
    assert add_duration(start, policy, "GB") == dt.datetime(2026, 11, 13, tzinfo=dt.UTC)
    assert add_duration(start, policy, "NZ") == add_duration(start, policy, None)
    assert add_duration(start, policy) == dt.datetime(2026, 11, 16, tzinfo=dt.UTC)
