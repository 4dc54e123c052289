"""Amazon scenarios: data only, walked through the case session.

An order fulfilled by Amazon is routed to what the seller can do there; deadlines come from the
Amazon policy file, worked by hand; drafts and statements fit where Amazon takes them; texts
cite their rules, and a rule (deadline or note) is shown only on a case its scope fits, with
what to check instead elsewhere.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from playbook.cases.memory_store import MemoryStore
from playbook.cases.session import CaseSession
from playbook.cli import main
from playbook.scenarios.checks import _texts
from playbook.scenarios.engine import Walk, explore
from playbook.scenarios.facts import parse_facts
from playbook.scenarios.policies import policy_text
from tests.store_fixtures import AMAZON_FACTS

AMAZON = [
    "amazon-not-as-described",
    "amazon-late-shipment",
    "amazon-atoz-not-received",
    "amazon-chargeback",
]
NOW = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC)
# MFN-scoped rules: never shown on, nor cited by the steps of, an order fulfilled by Amazon.
MFN_ONLY = "fulfilment_channel"
POLICY_KEY = re.compile(r"\{policy:([a-z_0-9]+)\}")


def session(lib, clock=lambda: NOW) -> CaseSession:
    return CaseSession(lib, MemoryStore(), clock=clock, actor=lambda: "amy")


def test_the_library_offers_amazon_as_a_platform(lib) -> None:
    assert lib.platforms() == ["amazon", "wish"]
    assert [s.id for s in lib.scenarios_of("amazon")] == sorted(AMAZON)
    assert all(
        t.platform == "amazon" for t in lib.templates.values() if t.id.startswith("amazon-")
    )


@pytest.mark.parametrize("scenario_id", AMAZON)
def test_an_fba_order_goes_to_what_the_seller_can_do_there(lib, scenario_id) -> None:
    scenario = lib.scenario(scenario_id)
    policies = lib.policies["amazon"].policies
    facts, errors = parse_facts(scenario, lib.facts, {**AMAZON_FACTS, "fulfilment_channel": "afn"})
    assert errors == {}
    for walk in explore(Walk(scenario, facts, NOW, policies)):
        assert "fba-order" in walk.path, walk.path
        for step_id in walk.path:
            step = scenario.step(step_id)
            shown = [ref.policy for ref, _ in walk.deadlines(step)]
            scoped = [k for k in shown if policies[k].applies_to.get(MFN_ONLY) == ["mfn"]]
            assert scoped == [], (step_id, scoped)
            for _loc, text in _texts(step):
                for key in set(POLICY_KEY.findall(text)):
                    assert policies[key].applies_to.get(MFN_ONLY) != ["mfn"], (step_id, key)


@pytest.mark.parametrize("scenario_id", AMAZON)
def test_a_rule_is_shown_only_on_a_case_its_scope_fits(lib, scenario_id) -> None:
    """Each deadline shown, and each rule a shown note cites, applies to the case.

    Checked on every way through, for cases in and out of the rules' scopes (marketplace,
    fulfilment channel, route).
    """
    scenario = lib.scenario(scenario_id)
    policies = lib.policies["amazon"].policies
    for marketplace in ("us", "uk", "de", "it"):
        for channel in ("mfn", "afn"):
            for claim_type in ("a-to-z", "return", "chargeback"):
                case = {
                    **AMAZON_FACTS,
                    "marketplace": marketplace,
                    "fulfilment_channel": channel,
                    "claim_type": claim_type,
                }
                facts, errors = parse_facts(scenario, lib.facts, case)
                assert errors == {}
                for walk in explore(Walk(scenario, facts, NOW, policies)):
                    for step_id in walk.path:
                        step = scenario.step(step_id)
                        keys = [ref.policy for ref, _ in walk.deadlines(step)]
                        for note in walk.notes(step):
                            keys += POLICY_KEY.findall(note.en) + POLICY_KEY.findall(note.zh)
                        for key in keys:
                            for fact, allowed in policies[key].applies_to.items():
                                if fact in facts:
                                    assert facts[fact] in allowed, (step_id, key, case)


@pytest.mark.parametrize(
    ("scenario_id", "step_id"),
    [
        ("amazon-not-as-described", "complaint-stage"),
        ("amazon-atoz-not-received", "respond-to-amazon"),
        ("amazon-atoz-not-received", "appeal-decision"),
        ("amazon-chargeback", "check-order"),
        ("amazon-late-shipment", "check-order"),
    ],
)
def test_outside_a_rules_scope_the_step_says_what_to_check_instead(
    lib, scenario_id, step_id
) -> None:
    """A German case gets no amazon.com deadline, and a note marked unverified instead."""
    scenario = lib.scenario(scenario_id)
    policies = lib.policies["amazon"].policies
    claim_type = "chargeback" if scenario_id == "amazon-chargeback" else "a-to-z"
    us, _ = parse_facts(scenario, lib.facts, {**AMAZON_FACTS, "claim_type": claim_type})
    de = {**us, "marketplace": "de"}
    step = scenario.step(step_id)
    assert Walk(scenario, us, NOW, policies).deadlines(step) != []
    elsewhere = Walk(scenario, de, NOW, policies)
    assert elsewhere.deadlines(step) == []
    notes = elsewhere.notes(step)
    assert any("(unverified)" in n.en and "（未核实）" in n.zh for n in notes), notes
    where = ("Seller Central", "Amazon's", "Manage Orders", "Claims page", "Account Health")
    assert any(w in n.en for n in notes for w in where), notes  # where to look instead


def test_a_claim_walked_through_the_case_session_with_hand_worked_deadlines(lib) -> None:
    s = session(lib)
    errors = s.start(
        "amazon-not-as-described",
        {
            **AMAZON_FACTS,
            "buyer_contacted_at": "2026-11-19 10:00",  # Thursday
            "info_requested_at": "2026-11-21 08:00",
            "claim_decided_at": "2026-11-30 15:30",
        },
    )
    assert errors == {}
    s.answer("check-order")
    s.answer("compare-order", "shipped-correctly")
    due = {ref.policy: d.due for ref, d in s.screen().deadlines}
    # 48 h and 72 h after the buyer's first message of Thu 11-19 10:00
    assert due == {
        "atoz_contact_first_wait": dt.datetime(2026, 11, 21, 10, 0, tzinfo=dt.UTC),
        "atoz_seller_response": dt.datetime(2026, 11, 22, 10, 0, tzinfo=dt.UTC),
    }
    s.answer("complaint-stage", "info-request")
    screen = s.screen()
    assert screen.step.id == "respond-to-amazon"
    ((_ref, more_info),) = screen.deadlines
    assert more_info.due == dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)  # Sat 08:00 + 48 h
    notes = [policy_text(n.en, screen.policies, "en", screen.as_of) for n in screen.notes]
    assert (
        "The text box takes 0 attachments: send the documents to the buyer through "
        "Buyer-Seller Messages and say in your response that you did (verify on the merchant "
        "dashboard)."
    ) in notes
    assert (
        "Respond within 48 hours, or the claim is granted to the buyer, your account is debited "
        "and the claim counts in your Order Defect Rate (verify on the merchant dashboard)."
    ) in notes
    drafts = {d.template.id: d for d in screen.drafts}
    assert set(drafts) == {"amazon-claim-response", "amazon-buyer-claim-documents"}
    assert "as this box takes no attachments" in drafts["amazon-claim-response"].en.body
    assert drafts["amazon-buyer-claim-documents"].en.body.startswith("Hello Emily Carter,")
    assert "Buyer-Seller Messages" in drafts["amazon-claim-response"].en.body
    s.answer("respond-to-amazon")
    s.answer("claim-status", "granted")
    ((_ref, window),) = s.screen().deadlines
    # granted Mon 11-30 15:30 + 30 calendar days = Wed 12-30 15:30
    assert window.due == dt.datetime(2026, 12, 30, 15, 30, tzinfo=dt.UTC)
    s.answer("appeal-decision", "new-information")
    assert [d.template.id for d in s.screen().drafts] == ["amazon-atoz-appeal"]
    s.answer("prepare-appeal")
    s.answer("appeal-result", "won")
    s.answer("risk-review")
    assert s.walk.current.id == "outcome-appeal-won"
    assert s.case.status == "won"
    assert "closing advice" in s.walk.current.guidance.en


def test_a_late_order_cancelled_by_the_seller(lib) -> None:
    clock = lambda: dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.UTC)  # noqa: E731
    s = session(lib, clock=clock)
    assert (
        s.start("amazon-late-shipment", {**AMAZON_FACTS, "ordered_at": "2026-12-05 20:00"}) == {}
    )
    ((_ref, ship_by),) = s.screen().deadlines
    # ordered Sat 12-05 20:00; two business days: Mon 12-07, Tue 12-08
    assert ship_by.due == dt.datetime(2026, 12, 8, 20, 0, tzinfo=dt.UTC)
    s.answer("check-order")
    s.answer("find-cause", "cannot-ship")
    screen = s.screen()
    assert [d.template.id for d in screen.drafts] == ["amazon-buyer-cancel-notice"]
    # amazon.com has no sourced cancellation rate: the page says what to check instead
    notes = [policy_text(n.en, screen.policies, "en", screen.as_of) for n in screen.notes]
    assert notes == [
        "A cancellation rate target for this marketplace, and which cancellations count in it, "
        "are not in our sources (unverified): check the Account Health page and the "
        "cancellation rate help in Seller Central."
    ]
    s.answer("cancel-order")
    s.answer("lessons-learned")
    assert s.walk.current.id == "outcome-cancelled"
    assert s.case.status == "refunded"
    # on amazon.co.uk the cancellation rules are sourced, and the default handling time is not
    uk = session(lib, clock=clock)
    facts = {**AMAZON_FACTS, "marketplace": "uk", "ordered_at": "2026-12-05 20:00"}
    assert uk.start("amazon-late-shipment", facts) == {}
    assert uk.screen().deadlines == []
    uk.answer("check-order")
    uk.answer("find-cause", "cannot-ship")
    screen = uk.screen()
    notes = " ".join(policy_text(n.en, screen.policies, "en", screen.as_of) for n in screen.notes)
    assert "Amazon's policy is a cancellation rate under 2.5% (verify on the merchant " in notes
    assert (
        "After 2 consecutive seller cancellations of recent orders, or a history of them, Amazon "
        "may remove the offer (verify on the merchant dashboard)." in notes
    )


def test_a_chargeback_deadline_counts_from_the_email(lib) -> None:
    s = session(lib, clock=lambda: dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC))
    facts = {
        **AMAZON_FACTS,
        "claim_type": "chargeback",
        "chargeback_notice_at": "2026-12-01 09:00",
    }
    assert s.start("amazon-chargeback", facts) == {}
    ((_ref, due),) = s.screen().deadlines
    assert due.due == dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.UTC)  # + 7 calendar days
    assert due.state == "ok"


@pytest.mark.parametrize("scenario_id", AMAZON)
def test_every_way_through_ends_in_an_outcome_with_the_articles_closing_advice(
    lib, scenario_id
) -> None:
    scenario = lib.scenario(scenario_id)
    facts, _ = parse_facts(scenario, lib.facts, AMAZON_FACTS)
    ends = set()
    for walk in explore(Walk(scenario, facts, NOW, lib.policies["amazon"].policies)):
        ends.add(walk.current.id)
        assert "seller guide" in walk.current.guidance.en
        assert "卖家指南" in walk.current.guidance.zh
    assert len(ends) >= 4


HEDGES = re.compile(r"\b(usually|most|always|typically|generally|often)\b|通常|一般|大多|往往")
MARKS = ("{policy:", "(unverified)", "（未核实）")


@pytest.mark.parametrize("scenario_id", AMAZON)
def test_no_sentence_hedges_without_a_cited_rule_or_the_marker(lib, scenario_id) -> None:
    """The claims contract: a hedge cites {policy:KEY} or carries the unverified marker."""
    scenario = lib.scenario(scenario_id)
    for loc, text in _texts(scenario):
        for sentence in re.split(r"(?<=[.!?。!?])\s*", text):
            if HEDGES.search(sentence):
                assert any(m in sentence for m in MARKS), (loc, sentence)


@pytest.mark.parametrize("scenario_id", AMAZON)
def test_the_map_is_drawn(scenario_id, tmp_path, capsys) -> None:
    out = tmp_path / f"{scenario_id}.svg"
    assert main(["diagram", scenario_id, "--lang", "en", "--out", str(out)]) == 0
    svg = out.read_text(encoding="utf-8")
    assert 'id="step&#45;fba&#45;order"' in svg
    assert 'id="edge&#45;check&#45;order&#45;&#45;fba&#45;order"' in svg
