"""The data checker on triage rules and reason codes (playbook/orders/checks.py).

Facts the order columns give, the facts a rule needs, empty columns judged without a fact,
look priorities, yes/no columns, spellings of two reasons.
"""

from __future__ import annotations

from pathlib import Path


def _problems_after(data_copy: Path, file: str, old: str, new: str) -> list[str]:
    from playbook.load import check

    path = data_copy / file
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return [str(p) for p in check(data_copy)[1]]


def _line(data_copy: Path, file: str, needle: str) -> int:
    lines = (data_copy / file).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


def test_check_a_fact_no_order_column_gives(data_copy):
    found = _problems_after(
        data_copy,
        "triage.yaml",
        "columns: [delivered_at, delivery_confirmed]",
        "columns: [delivered_at, delivery_scan]",
    )
    line = _line(data_copy, "triage.yaml", "delivery_scan")
    assert (
        f"data/triage.yaml:{line}: facts.delivery.columns: no order column 'delivery_scan' "
        "gives this fact"
    ) in found
    # the rule's empty-column test the fact covered is now covered by none
    assert any("rules.3.when.not_true: 'delivery_confirmed'" in p for p in found), found


def test_check_a_rule_needing_an_unknown_fact(data_copy):
    found = _problems_after(
        data_copy,
        "triage.yaml",
        "needs: [release, shipment, first_scan]",
        "needs: [release, shipment, first_scann]",
    )
    line = _line(data_copy, "triage.yaml", "first_scann")
    assert any(
        p.startswith(f"data/triage.yaml:{line}: rules.4.needs: unknown fact 'first_scann'")
        for p in found
    ), found
    # ... and the empty 'by' column it reads is then covered by no fact
    assert any(
        "rules.4.when.overdue.by: 'confirmed_fulfilled_at' is judged when empty" in p
        for p in found
    ), found


def test_check_an_empty_column_read_as_evidence_without_a_fact(data_copy):
    found = _problems_after(
        data_copy,
        "triage.yaml",
        "needs: [release, delivery, delivery_policy]",
        "needs: [release, delivery_policy]",
    )
    line = _line(data_copy, "triage.yaml", "absent: [delivered_at]")
    assert (
        f"data/triage.yaml:{line}: rules.3.when.absent: 'delivered_at' is judged when "
        "empty, but no fact the rule needs covers it (add a fact listing 'delivered_at' to "
        "needs)" in found
    )
    assert any("rules.3.when.not_true: 'delivery_confirmed'" in p for p in found), found


def test_check_look_priority_and_flag_columns(data_copy):
    found = _problems_after(data_copy, "triage.yaml", "      priority: 4\n", "      priority: 2\n")
    assert any(
        "rules.3.look.priority: 'needs a look' priority 2 must be lower" in p for p in found
    ), found
    found = _problems_after(
        data_copy,
        "triage.yaml",
        "is_true: [requires_delivery_confirmation]",
        "is_true: [carrier]",
    )
    assert any("rules.3.when.is_true: 'carrier' is not a yes/no column" in p for p in found)


def test_check_a_spelling_of_two_reasons(data_copy):
    found = _problems_after(
        data_copy,
        "reason_codes.yaml",
        "texts: [Package was empty]",
        "texts: [Package was empty, Wrong color]",
    )
    assert any(
        p.startswith("data/reason_codes.yaml:") and "'Wrong color' is also a spelling of" in p
        for p in found
    ), found
