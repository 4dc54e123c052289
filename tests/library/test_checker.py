"""Each checker rule, shown failing on a tiny broken fixture with the message staff will read."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from playbook.errors import ScenarioError
from playbook.library import yamlio
from playbook.library.yamlio import line_of, load_yaml
from playbook.load import check, load_library
from tests.data_edits import edit

BAD = Path(__file__).parents[1] / "data" / "bad"

# fixture file -> (where it goes under data/, text every reported problem list must contain)
CASES = {
    "wrong-type.yaml": (
        "scenarios",
        "wrong-type.yaml:2: version: Input should be a valid integer",
    ),
    "bad-indentation.yaml": (
        "scenarios",
        "bad-indentation.yaml:13: not valid YAML: while parsing a block collection",
    ),
    "duplicate-key.yaml": (
        "scenarios",
        "duplicate-key.yaml:14: not valid YAML: duplicate key 'title' (first on line 13)",
    ),
    "duplicate-step-id.yaml": (
        "scenarios",
        "steps.1.id: duplicate step id 'ask' (first at steps.0)",
    ),
    "unknown-next.yaml": (
        "scenarios",
        "steps.0.options.0.next.0.to: unknown step 'nowhere'; steps are ['ask', 'done']",
    ),
    "unreachable-step.yaml": (
        "scenarios",
        "steps.2.id: step 'orphan' is not reached by any path from 'ask'",
    ),
    "no-way-on.yaml": ("scenarios", "steps.2: non-outcome step 'stuck' has no way on"),
    "loop-no-exit.yaml": ("scenarios", "step 'spin-a' is in a loop with no exit"),
    "missing-translation.yaml": (
        "scenarios",
        "steps.1.title.zh: missing translation: no 'zh' text",
    ),
    "unknown-policy.yaml": (
        "scenarios",
        "steps.0.deadlines.0.policy: unknown policy key 'ship_within_two_days'",
    ),
    "unfillable-placeholder.yaml": (
        "scenarios",
        "template 'appeal-fulfilled-order' placeholder '{shipped_at}' cannot be filled",
    ),
    "unknown-fact.yaml": ("scenarios", "facts.2.id: unknown fact 'buyer_mood'"),
    "unknown-template.yaml": (
        "scenarios",
        "steps.0.messages.0: unknown template 'buyer-thank-you'",
    ),
    "unknown-key.yaml": (
        "scenarios",
        "steps.0.options.0.nxt: unknown key 'nxt'; allowed keys "
        "are ['hint', 'id', 'next', 'text', 'when']",
    ),
    "conditional-last-route.yaml": ("scenarios", "the last route needs no 'when'"),
    "id-not-file-name.yaml": (
        "scenarios",
        "id: id 'some-other-id' must equal the file name 'id-not-file-name'",
    ),
    "two-comparators.yaml": ("scenarios", "a test has exactly one comparator"),
    "unknown-root-cause.yaml": (
        "scenarios",
        "steps.0.root_causes.0: unknown root cause 'bad-luck'",
    ),
    "unknown-answer-option.yaml": ("scenarios", "step 'ask' has no option 'maybe'"),
    "policy-missing-source.yaml": (
        "policies",
        "data/policies/policy-missing-source.yaml:4: policies.ship_fast.source: no source URL; "
        "give the address of the page the number comes from, or mark the rule "
        "'confidence: unverified'",
    ),
    "policy-missing-date.yaml": (
        "policies",
        "data/policies/policy-missing-date.yaml:4: policies.ship_fast.source_date: no source "
        "date; give the date shown on the source (YYYY-MM-DD), or 'undated' if it shows none",
    ),
    "policy-number-typed.yaml": (
        "scenarios",
        "data/scenarios/policy-number-typed.yaml:15: steps.0.text.en: '5 calendar days' types "
        "the number of policies 'fulfilment_deadline', 'auto_refund_deadline' by hand; write "
        "{policy:fulfilment_deadline} or {policy:auto_refund_deadline} instead, so the text "
        "follows the policy file",
    ),
    "unknown-policy-placeholder.yaml": (
        "scenarios",
        "data/scenarios/unknown-policy-placeholder.yaml:15: steps.0.text.en: unknown policy "
        "'ship_within_two_days' in '{policy:ship_within_two_days}'; keys in "
        "data/policies/wish.yaml are ['accurate_inventory_prevents_cancellations', ",
    ),
    "template-attribute-placeholder.yaml": (
        "templates",
        "body.en: Placeholder '{buyer_name.__class__}' is not allowed",
    ),
}


def _problems(data_copy: Path, name: str) -> list[str]:
    folder, _ = CASES[name]
    shutil.copy(BAD / name, data_copy / folder / name)
    _, problems = check(data_copy)
    return [str(p) for p in problems]


def test_clean_data_has_no_problems(data_copy: Path) -> None:
    _, problems = check(data_copy)
    assert problems == []


def test_every_fixture_is_covered() -> None:
    assert sorted(p.name for p in BAD.glob("*.yaml")) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_rule_reports_problem(data_copy: Path, name: str) -> None:
    problems = _problems(data_copy, name)
    expected = CASES[name][1]
    assert any(expected in p for p in problems), problems
    # Every message names the file it is about.
    assert all(p.startswith("data/") for p in problems), problems


def test_problem_lines_point_at_source(data_copy: Path) -> None:
    problems = _problems(data_copy, "unknown-next.yaml")
    line = next(p for p in problems if "nowhere" in p).split(":")[1]
    source = (BAD / "unknown-next.yaml").read_text(encoding="utf-8").splitlines()
    assert "nowhere" in source[int(line) - 1]


def test_yes_no_option_ids_stay_strings() -> None:
    # YAML 1.1 would read these as booleans True/False; the loader must not.
    options = load_yaml(BAD / "unknown-next.yaml")["steps"][0]["options"]
    assert [o["id"] for o in options] == ["yes", "no"]


def test_a_text_read_again_is_a_fresh_copy_of_what_it_says(tmp_path: Path) -> None:
    """A text parsed before is not parsed again, but each read gets its own copy, lines too."""
    path = tmp_path / "scenario.yaml"
    text = (BAD / "unknown-next.yaml").read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    parsed = yaml.load(text, Loader=yamlio._Loader)  # noqa: S506 - a SafeLoader
    first = load_yaml(path)
    first["steps"][0]["options"].clear()  # a caller changes what it got
    first["steps"][0].lines.clear()
    again = load_yaml(path)
    assert again == parsed
    assert again["steps"][0].lines == parsed["steps"][0].lines
    assert line_of(again, ("steps", 0, "options", 0, "next")) == line_of(
        parsed, ("steps", 0, "options", 0, "next")
    )
    path.write_text(text.replace("nowhere", "elsewhere"), encoding="utf-8")
    assert "elsewhere" in str(load_yaml(path))  # a changed text is parsed
    path.write_text(text + "  - [\n", encoding="utf-8")
    for _ in range(2):  # a broken text is reported each time it is read
        with pytest.raises(yamlio.YamlError):
            load_yaml(path)


def test_load_library_raises_listing_every_problem(data_copy: Path) -> None:
    for name in ("unknown-next.yaml", "missing-translation.yaml"):
        shutil.copy(BAD / name, data_copy / "scenarios" / name)
    with pytest.raises(ScenarioError, match="2 problem") as info:
        load_library(data_copy)
    assert "nowhere" in str(info.value)
    assert "missing translation" in str(info.value)


def test_cli_exit_codes(data_copy: Path) -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "playbook", "check", str(data_copy)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    scenarios = len(list((data_copy / "scenarios").glob("*.yaml")))
    assert f"ok: {scenarios} scenarios" in ok.stdout
    shutil.copy(BAD / "bad-indentation.yaml", data_copy / "scenarios")
    shutil.copy(BAD / "loop-no-exit.yaml", data_copy / "scenarios")
    bad = subprocess.run(
        [sys.executable, "-m", "playbook", "check", str(data_copy)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 1
    lines = bad.stdout.strip().splitlines()
    assert "Traceback" not in bad.stdout + bad.stderr
    assert lines[0].startswith("data/scenarios/bad-indentation.yaml:13: not valid YAML")
    assert [line.split(": ", 1)[0] for line in lines[1:]] == [
        "data/scenarios/loop-no-exit.yaml:26",
        "data/scenarios/loop-no-exit.yaml:31",
    ]
    assert "3 problems in" in bad.stderr


def test_missing_catalogue_translation(data_copy: Path) -> None:
    path = data_copy / "i18n" / "messages.yaml"
    path.write_text(
        path.read_text(encoding="utf-8") + "ui.only_english:\n  en: Hello\n", encoding="utf-8"
    )
    _, problems = check(data_copy)
    assert [str(p) for p in problems] == [
        "data/i18n/messages.yaml:"
        f"{len(path.read_text(encoding='utf-8').splitlines()) - 1}: ui.only_english: "
        "missing translation: no 'zh' text"
    ]


def test_catalogue_key_defined_twice(data_copy: Path) -> None:
    (data_copy / "i18n" / "zz-extra.yaml").write_text(
        "ui.next:\n  en: Next\n  zh: 下一步\n", encoding="utf-8"
    )
    _, problems = check(data_copy)
    assert [str(p) for p in problems] == [
        "data/i18n/zz-extra.yaml:1: ui.next: key also defined in data/i18n/messages.yaml"
    ]


# --- triage rules and reason codes are data too: `check` validates them ----------------------


def _line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def test_triage_unknown_key_is_named_with_file_and_line(data_copy: Path) -> None:
    path = data_copy / "triage.yaml"
    edit(
        path,
        "    deadline: {policy: fulfilment_deadline",
        "    dedline: {policy: x}\n    deadline: {policy: fulfilment_deadline",
    )
    _, problems = check(data_copy)
    texts = [str(p) for p in problems]
    line = _line_of(path, "dedline:")
    assert any(
        t.startswith(f"data/triage.yaml:{line}: rules.0.dedline: unknown key 'dedline'")
        for t in texts
    ), texts


def test_triage_unknown_reason_group_and_column(data_copy: Path) -> None:
    path = data_copy / "triage.yaml"
    edit(path, "reason_group: [item_mismatch]", "reason_group: [item_mismatchh]")
    edit(path, "absent: [shipped_at]", "absent: [shiped_at]")
    _, problems = check(data_copy)
    texts = [str(p) for p in problems]
    assert any(
        "rules.1.when.reason_group: unknown reason group 'item_mismatchh'" in t for t in texts
    ), texts
    line = _line_of(path, "absent: [shiped_at]")
    assert (
        f"data/triage.yaml:{line}: rules.0.when.absent: unknown order column 'shiped_at'" in texts
    )


def test_reason_code_with_unknown_group(data_copy: Path) -> None:
    path = data_copy / "reason_codes.yaml"
    text = path.read_text(encoding="utf-8")
    first_group = next(ln for ln in text.splitlines() if ln.strip().startswith("group:"))
    edit(path, first_group, first_group.split(":")[0] + ": no_such_group")
    _, problems = check(data_copy)
    assert any("unknown reason group 'no_such_group'" in str(p) for p in problems)
    assert all(str(p).startswith("data/reason_codes.yaml:") for p in problems), problems


def test_cli_check_fails_on_a_broken_triage_file(data_copy: Path) -> None:
    (data_copy / "triage.yaml").write_text("soon_hours: 24\nrules: []\n", encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "playbook", "check", str(data_copy)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 1
    assert "data/triage.yaml:2: rules:" in out.stdout


def test_cli_help_is_help(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "playbook", "check", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0
    assert "usage: python -m playbook check" in out.stdout


def test_triage_rule_naming_a_missing_scenario(data_copy: Path) -> None:
    (data_copy / "scenarios" / "order-not-delivered.yaml").unlink()
    _, problems = check(data_copy)
    path = data_copy / "triage.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    first = next(i for i, line in enumerate(lines, 1) if "scenario: order-not-delivered" in line)
    texts = [str(p) for p in problems]
    assert any(
        t.startswith(f"data/triage.yaml:{first}: rules.")
        and "names scenario 'order-not-delivered', which does not exist" in t
        for t in texts
    ), texts


def _typed(where: str, typed: str, key: str) -> str:
    return (
        f"data/scenarios/policy-number-typed.yaml:{where}: '{typed}' types the number of policy "
        f"'{key}' by hand; write {{policy:{key}}} instead, so the text follows the policy file"
    )


def test_policy_numbers_typed_by_hand_are_each_named(data_copy: Path) -> None:
    # Days are compared as hours (7 days = the 168-hour rule); "24-hour" equals no policy and
    # numbers inside {policy:KEY} placeholders are not typed by hand.
    assert _problems(data_copy, "policy-number-typed.yaml") == [
        _typed("14: steps.0.text.zh", "48 小时", "ticket_response"),
        CASES["policy-number-typed.yaml"][1],
        _typed("18: steps.0.guidance.en", "7 days", "late_confirmed_fulfilment"),
        _typed("18: steps.0.guidance.en", "2022-02-22", "fines_end_date"),
        _typed("21: steps.0.options.0.text.en", "$10", "auto_review_value_limit"),
    ]


def test_policy_number_equal_to_two_policies_names_both(data_copy: Path) -> None:
    path = data_copy / "scenarios" / "policy-number-typed.yaml"
    shutil.copy(BAD / "policy-number-typed.yaml", path)
    path.write_text(
        path.read_text(encoding="utf-8").replace("5 calendar days", "90 days"), encoding="utf-8"
    )
    _, problems = check(data_copy)
    assert (
        "data/scenarios/policy-number-typed.yaml:15: steps.0.text.en: '90 days' types the number "
        "of policies 'infraction_dispute_window', 'refund_dispute_window' by hand; write "
        "{policy:infraction_dispute_window} or {policy:refund_dispute_window} instead, so the "
        "text follows the policy file"
    ) in [str(p) for p in problems]


def test_policy_without_source_or_date(data_copy: Path) -> None:
    assert _problems(data_copy, "policy-missing-date.yaml") == [
        CASES["policy-missing-date.yaml"][1],
        "data/policies/policy-missing-date.yaml:15: policies.ship_slow.source: source "
        "'merchantfaq.wish.com/hc/en-us/articles/205211347' is not a URL (http:// or https://)",
    ]


def test_unverified_policy_may_have_no_source(data_copy: Path) -> None:
    path = data_copy / "policies" / "policy-missing-source.yaml"
    shutil.copy(BAD / "policy-missing-source.yaml", path)
    path.write_text(
        path.read_text(encoding="utf-8").replace("confidence: high", "confidence: unverified"),
        encoding="utf-8",
    )
    _, problems = check(data_copy)
    assert problems == []


def test_unknown_policy_placeholder_is_reported_once(data_copy: Path) -> None:
    problems = _problems(data_copy, "unknown-policy-placeholder.yaml")
    assert len(problems) == 1
    assert problems[0].startswith(CASES["unknown-policy-placeholder.yaml"][1])
    assert problems[0].endswith("'valid_tracking_definition', 'wishpost_rerelease_limit']")
