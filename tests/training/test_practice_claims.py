"""Every practice case walked along its expected path, as a trainee sees it.

No internal key in anything shown, each feedback's rule named by its title, the drafts the trainee
is taught to send agreeing with the vignette, and a planted contradiction failing the check.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from playbook.cli import main
from playbook.library.library import Library
from playbook.load import check
from playbook.scenarios.policies import add_duration
from playbook.scenarios.templates import render
from playbook.training.attempt import Attempt
from playbook.training.checks import stated
from playbook.training.items import Practice, rule_citation
from tests.data_edits import edit

CASES = sorted(p.stem for p in (Path(__file__).parents[2] / "data" / "training").glob("*.yaml"))


def walk_expected(lib: Library, case_id: str) -> tuple[Practice, list[str], list[tuple]]:
    """Answer every item right; return the texts shown and the (template, facts) drafted."""
    practice = Practice(lib, lib.practice[case_id])
    attempt = Attempt(practice)
    shown: list[str] = []
    while not attempt.finished:
        item = attempt.current()
        for text in (item.title, item.body, *item.actions, item.prompt):
            if text is not None:
                shown += [text.en, text.zh]
        for choice in item.choices:
            shown += [choice.text.en, choice.text.zh, choice.feedback.en, choice.feedback.zh]
            policy = practice.policies.get(choice.policy) if choice.policy else None
            if choice.policy:
                assert policy is not None, (case_id, choice.policy)
                shown += [rule_citation(policy, "en"), rule_citation(policy, "zh")]
        right = next((c.id for c in item.choices if c.correct), None)
        attempt.answer(item.key, right)
    assert attempt.path == practice.expected_path
    assert attempt.score == practice.max_score
    return practice, shown, attempt.path


@pytest.mark.parametrize("case_id", CASES)
def test_no_internal_key_in_anything_a_trainee_reads(lib: Library, case_id: str) -> None:
    practice, shown, _ = walk_expected(lib, case_id)
    keys = {k for ps in lib.policies.values() for k in ps.policies}
    for text in shown:
        assert "{" not in text, (case_id, text)
        assert "}" not in text, (case_id, text)
        assert "undated" not in text, (case_id, text)
        words = set(re.findall(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+", text))
        assert not words & keys, (case_id, text)


@pytest.mark.parametrize("case_id", CASES)
def test_drafts_on_the_expected_path_agree_with_the_vignette(lib: Library, case_id: str) -> None:
    practice, _, path = walk_expected(lib, case_id)
    vignette = practice.case.vignette
    known = " ".join([vignette.message.en, vignette.message.zh, *vignette.facts.values()])
    known_whens, known_money = stated(known)
    for step_id in path:
        for tid in practice.scenario.step(step_id).messages:
            for lang in ("en", "zh"):
                draft = render(lib.templates[tid], practice.facts, lib.facts, lang)
                assert draft.missing == (), (case_id, tid, draft.missing)
                whens, money = stated(draft.subject + "\n" + draft.body)
                assert {w[:10] for w in whens} <= {w[:10] for w in known_whens}, (case_id, tid)
                assert money <= known_money, (case_id, tid)


def test_the_statement_taught_for_a_wrong_scan_date_gives_the_carriers_date(lib: Library) -> None:
    practice, _, path = walk_expected(lib, "lcf-scan-in-time")
    assert "gather-scan" in path
    draft = render(lib.templates["appeal-late-scan-date"], practice.facts, lib.facts, "en")
    first_scan = practice.facts["carrier_first_scan_at"]
    assert "Carrier's first scan: 2026-11-08 16:40 UTC" in draft.body
    assert "first acceptance scan on 2026-11-08 16:40 UTC" in draft.body
    assert "Confirmed fulfilment date recorded by Wish: 2026-11-14 08:00 UTC" in draft.body
    limit = add_duration(
        practice.facts["released_at"], practice.policies["late_confirmed_fulfilment"]
    )
    assert first_scan <= limit < practice.facts["confirmed_fulfilled_at"]


def test_feedback_names_the_rule_by_its_title(lib: Library) -> None:
    policy = lib.policies["wish"].policies["order_cancellation_dispute_window"]
    assert rule_citation(policy, "en") == (
        "Rule: Order Cancellation Policy (https://merchantfaq.wish.com/hc/en-us/articles/"
        "360010281594-Order-Cancellation-Policy; page date: not shown on the page)"
    )
    assert rule_citation(policy, "zh").startswith("规则：Order Cancellation Policy（https://")
    assert rule_citation(policy, "zh").endswith("；页面日期：页面未注明）")


def test_a_deadline_whose_scope_does_not_fit_is_not_asked(lib: Library) -> None:
    # a refund after a chargeback: no refund-dispute window in our sources, so none is asked
    practice = Practice(lib, lib.practice["cb-disputable"])
    asked = [
        i.key
        for sid in dict.fromkeys(practice.expected_path)
        for i in practice.items(practice.scenario.step(sid), practice.expected_walk_at(sid))
    ]
    assert not any("#deadline:" in k for k in asked), asked
    # the order-cancellation infraction: 3 business days from Wed 2026-11-18 12:00
    cc = Practice(lib, lib.practice["cc-buyer-cancel-infraction"])
    step = cc.scenario.step("dispute-infraction")
    items = cc.items(step, cc.expected_walk_at("dispute-infraction"))
    item = next(
        i
        for i in items
        if i.key == "dispute-infraction#deadline:order_cancellation_dispute_window"
    )
    right = next(c for c in item.choices if c.correct)
    assert right.text.en == "2026-11-23 12:00 UTC"


def test_check_fails_when_the_vignette_contradicts_its_expected_draft(
    data_copy: Path, capsys
) -> None:
    # The message says the carrier took the parcel a day later than the fact the dispute
    # statement is filled from.
    path = data_copy / "training" / "lcf-scan-in-time.yaml"
    edit(
        path,
        "shows the acceptance scan on 2026-11-08 16:40;",
        "shows the acceptance scan on 2026-11-09 16:40;",
    )
    edit(path, "显示 2026-11-08 16:40 有揽收扫描", "显示 2026-11-09 16:40 有揽收扫描")
    found = [str(p) for p in check(data_copy)[1]]
    assert any(
        "lcf-scan-in-time.yaml:" in p
        and "vignette.message.en: the message states 2026-11-09 16:40, which is none of the "
        "case facts"
        in p
        for p in found
    ), found
    assert main(["check", str(data_copy)]) == 1
    assert "2026-11-09 16:40" in capsys.readouterr().out


def test_check_fails_on_a_draft_gap_and_on_feedback_stating_what_the_vignette_does_not(
    data_copy: Path,
) -> None:
    path = data_copy / "training" / "ond-delivered-not-received.yaml"
    edit(path, "    product_name: Wireless doorbell\n", "")
    edit(
        path,
        "The carrier's signed proof shows delivery",
        "The carrier's signed proof of 2026-11-13 shows delivery",
    )
    found = [str(p) for p in check(data_copy)[1]]
    assert any(
        "the draft 'buyer-delivered-not-received' at step 'contact-buyer-delivered' of the "
        "expected path has gaps (product_name)" in p
        for p in found
    ), found
    assert any(
        "questions.1.feedback.delivered-with-proof.text.en: the feedback states ['2026-11-13']"
        in p
        for p in found
    ), found


def test_feedback_types_no_rule_number(data_copy: Path) -> None:
    path = data_copy / "training" / "lcf-our-fault.yaml"
    edit(
        path,
        "more than {policy:late_confirmed_fulfilment} after release and",
        "more than 168 hours after release and",
    )
    edit(path, "距释放超过 {policy:late_confirmed_fulfilment}，", "距释放超过 168 小时，")
    found = [str(p) for p in check(data_copy)[1]]
    assert any(
        "feedback.scan-late-our-fault.text.en: '168 hours' types a rule's number by hand; "
        "write {policy:late_confirmed_fulfilment} instead" in p
        for p in found
    ), found


def test_seen_at_is_after_what_the_vignette_reports(lib: Library) -> None:
    # inv-held-orders: the orders appear at 10:05; the trainee opens the case after that
    case = lib.practice["inv-held-orders"]
    assert dt.datetime.fromisoformat(case.vignette.seen_at) > dt.datetime(2026, 11, 23, 10, 5)
