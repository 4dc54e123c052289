"""The claims register and the checks that keep it true.

A planted hedge, a rule cited in one language only, {policy:KEY} where nothing renders it, and
docs/claims.md kept current.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from playbook.cli import main
from playbook.config import REPO_ROOT
from playbook.library.library import Library
from playbook.load import check
from playbook.scenarios.claims import hedges, markdown, register
from tests.data_edits import edit, problems

DOC = REPO_ROOT / "docs" / "claims.md"


def test_docs_claims_md_is_generated_from_the_data(lib: Library) -> None:
    page = DOC.read_text(encoding="utf-8")
    as_of = re.search(r"Marks as of (\d{4}-\d{2}-\d{2})", page)
    assert as_of, "docs/claims.md names the date its marks are judged at"
    fresh = markdown(lib, dt.date.fromisoformat(as_of.group(1)))
    assert page == fresh, "docs/claims.md is stale: python -m playbook claims --out docs/claims.md"


def test_every_claim_names_its_rule_or_is_unverified(lib: Library) -> None:
    claims = register(lib)
    known = {k for ps in lib.policies.values() for k in ps.policies}
    assert len(claims) > 150
    for claim in claims:
        assert set(claim.keys) <= known, claim
        if not claim.keys:
            assert "(unverified)" in claim.text, claim
    shown = {c.shown.split(",")[0] for c in claims}
    assert {"staff page", "trainee feedback", "triage table and case note"} <= shown
    page = markdown(lib, dt.date(2026, 12, 7))
    assert (
        "| `refund_dispute_window` | manages_own_returns in yes | verify | "
        "https://merchantfaq.wish.com/"
    ) in page
    assert "| unverified | every case | unverified | none | - |" in page


def test_each_platforms_triage_rules_are_in_the_register(lib: Library) -> None:
    """Triage rules are one set per platform, each in its own file."""
    triage = [c for c in register(lib) if c.shown == "triage table and case note"]
    assert {c.file for c in triage} == {"data/triage.yaml", "data/triage/amazon.yaml"}
    assert {c.platform for c in triage if c.file == "data/triage/amazon.yaml"} == {"amazon"}
    assert all(c.line for c in triage)


@pytest.mark.parametrize(
    ("sentence", "lang", "found"),
    [
        ("A refund usually appears within a few days.", "en", ["usually"]),
        ("Most disputes start in the warehouse.", "en", ["Most"]),
        ("Never send the buyer elsewhere.", "en", ["Never"]),
        ("款项通常在几个工作日内到账。", "zh", ["通常"]),
        ("货不对板的纠纷大多源于仓库。", "zh", ["大多"]),
        ("The case holds at most 60 files.", "en", []),
        ("Most fines ended on {policy:fines_end_date}.", "en", []),
        ("Whether it is common is not in our sources (unverified).", "en", []),
        ("这是否常见，我们的资料里没有（未核实）。", "zh", []),
    ],
)
def test_hedges(sentence: str, lang: str, found: list[str]) -> None:
    assert hedges(sentence, lang) == found


def test_check_fails_on_a_planted_hedge(data_copy: Path, capsys) -> None:
    path = data_copy / "scenarios" / "chargeback.yaml"
    edit(
        path,
        'en: "List recent orders with chargebacks and look for what they share:',
        'en: "Chargebacks usually come from fraud. List recent orders with chargebacks and '
        "look for what they share:",
    )
    found = problems(data_copy)
    assert any(
        "chargeback.yaml:" in p
        and "steps.8.text.en: 'usually' states a likelihood or generalisation without a source"
        in p
        for p in found
    ), found
    assert main(["check", str(data_copy)]) == 1
    assert "'usually' states a likelihood" in capsys.readouterr().out


def test_a_hedge_that_cites_its_rule_or_is_marked_unverified_passes(data_copy: Path) -> None:
    path = data_copy / "scenarios" / "chargeback.yaml"
    edit(
        path,
        'en: "List recent orders with chargebacks and look for what they share:',
        'en: "Chargebacks usually come from fraud (unverified). List recent orders with '
        "chargebacks and look for what they share:",
    )
    found = problems(data_copy)
    # the hedge is accepted; the English now marks a claim the Chinese does not
    assert not any("'usually'" in p for p in found), found
    assert any("steps.8.text.zh: the unverified marker: 1 in en, 0 in zh" in p for p in found)


def test_a_rule_cited_in_one_language_only_is_reported(data_copy: Path) -> None:
    path = data_copy / "scenarios" / "chargeback.yaml"
    edit(path, "as normal; a store with", "as normal ({policy:refund_rate_normal}); a store with")
    found = problems(data_copy)
    assert any(
        "steps.7.guidance.zh: the two languages cite different rules: en "
        "['chargeback_ratio_normal', 'refund_rate_normal'], zh ['chargeback_ratio_normal']" in p
        for p in found
    ), found


def test_no_rule_in_a_text_nothing_renders(data_copy: Path) -> None:
    path = data_copy / "root_causes.yaml"
    edit(
        path,
        "Keep one source of truth for stock;",
        "Keep one source of truth for stock within {policy:release_hold};",
    )
    found = problems(data_copy)
    assert any(
        "stock-sync-error.prevention.en: {policy:KEY} is not rendered here" in p for p in found
    ), found


def test_the_register_lists_a_new_unverified_sentence(lib: Library, data_copy: Path) -> None:
    path = data_copy / "scenarios" / "chargeback.yaml"
    edit(
        path,
        "Tick the root causes and assign the fixes.}",
        "Tick the root causes and assign the fixes. Banks side with buyers (unverified).}",
    )
    edit(
        path,
        "勾选根本原因并分派改进措施。,",
        "勾选根本原因并分派改进措施。银行偏向买家（未核实）。,",
    )
    new_lib, found = check(data_copy)
    assert found == []
    added = [c for c in register(new_lib) if "Banks side with buyers" in c.text]
    assert len(added) == 1
    assert added[0].keys == ()
    assert len(register(new_lib)) == len(register(lib)) + 1
