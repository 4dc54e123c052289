"""When the rules were last checked: `python -m playbook policies`, and the staff page line."""

from __future__ import annotations

import datetime as dt

from playbook.cli import main
from playbook.library.library import Library
from playbook.scenarios.freshness import last_checked, policy_ages, rules_checked_line


def test_every_wish_rule_was_checked_and_says_why_it_is_marked(lib: Library) -> None:
    every = policy_ages(lib, dt.date(2026, 12, 7))
    assert len(every) == sum(len(ps.policies) for ps in lib.policies.values())
    assert all(r.checked_on == dt.date(2026, 12, 7) and r.age_days == 0 for r in every)
    rows = [r for r in every if r.platform == "wish"]
    assert len(rows) == len(lib.policies["wish"].policies)
    by_key = {r.key: r for r in rows}
    assert by_key["release_hold"].flags == ("undated",)
    assert by_key["chargeback_ratio_normal"].flags == ("old-source",)
    assert by_key["auto_refund_fine"].flags == ("old-source", "historical")
    assert by_key["release_hold"].value == "8 hours"
    assert by_key["off_wish_penalty"].value == "$10,000.00"


def test_stale_rules_come_first_and_make_the_command_fail(lib: Library, capsys) -> None:
    assert main(["policies", "--stale", "180", "--as-of", "2026-12-07"]) == 0
    capsys.readouterr()
    assert main(["policies", "--stale", "180", "--as-of", "2027-06-06"]) == 1
    out, err = capsys.readouterr()
    line = next(x for x in out.splitlines() if x.startswith("release_hold "))
    assert "181 d" in line
    assert line.endswith("stale, undated")
    assert "due for a check" in err
    rows = policy_ages(lib, dt.date(2027, 6, 6), stale_days=180)
    assert all(r.due for r in rows)
    assert main(["policies", "--platform", "wish", "--as-of", "2026-12-07"]) == 0


def test_the_staff_page_says_when_the_rules_were_last_checked(lib: Library) -> None:
    assert last_checked(lib.policies["wish"]) == dt.date(2026, 12, 7)
    assert last_checked(lib.policies["amazon"]) == dt.date(2026, 12, 7)
    assert rules_checked_line(lib, "en") == (
        "Amazon rules last checked against their sources on 2026-12-07. "
        "Wish rules last checked against their sources on 2026-12-07."
    )
    assert rules_checked_line(lib, "zh") == (
        "Amazon 平台规则最近一次与来源核对：2026-12-07。"
        "Wish 平台规则最近一次与来源核对：2026-12-07。"
    )


def test_the_footer_is_on_the_staff_page(lib: Library) -> None:
    from playbook.cases.memory_store import MemoryStore
    from playbook.ui.staff_panel import StaffPanel

    panel = StaffPanel(lib, lang="en", store=MemoryStore())
    assert "Wish rules last checked against their sources on 2026-12-07." in panel.footer.value
    panel.lang_toggle.value = "zh"
    assert "Wish 平台规则最近一次与来源核对：2026-12-07。" in panel.footer.value
