"""Decision log export: what a case's Markdown and HTML record shows, escaped, in both languages.

Cases are made by each store (memory, SQLite, PostgreSQL); the log is built from what it saved.
"""

from __future__ import annotations

import dataclasses
import re

import pytest
import yaml

from playbook.cases.caselog import build_log, export_case, to_html, to_markdown
from playbook.cases.records import EVENT_TYPES
from playbook.config import REPO_ROOT
from playbook.i18n import text
from playbook.library.model import STATUSES, Scenario
from tests.store_fixtures import answer_first_options, new_walk


@pytest.fixture(scope="module")
def lib(frozen_lib):
    """These tests walk item-mismatch at version 1."""
    return frozen_lib


@pytest.fixture
def finished(store, lib):
    """A case walked to 'outcome-reshipped' with evidence, a draft, notes and root causes."""
    walk = new_walk(lib)
    case = store.create_case(walk, actor="amy")
    case = store.set_evidence(case, "buyer-photos", True, actor="amy", step_id="contact-buyer")
    case = store.issue_draft(case, "buyer-ask-details", actor="amy", step_id="contact-buyer")
    case, walk = store.answer(case, walk, "contact-buyer", actor="amy")
    case, walk = store.answer(case, walk, "confirm-order", "our-error", actor="bob <ops>")
    case = store.add_note(
        case, "Photos show <script>alert(1)</script> | wrong size\nsecond line", actor="bob <ops>"
    )
    case, walk = answer_first_options(store, case, walk, 3)
    case = store.set_root_causes(case, ["picking-error"], actor="amy")
    return case


def test_markdown_has_facts_steps_answers_actors_times_evidence_drafts_outcome(
    store, finished, lib
):
    md = to_markdown(finished, store.events(finished.id), lib)
    assert md.startswith(f"# {text('caselog.title', 'en', case=finished.id)}\n")
    assert "Item doesn't match the order / buyer refuses to pay (item-mismatch)" in md
    assert text("caselog.version_value", "en", started=1, current=1) in md
    assert "5f9a0c2e1b" in md
    assert f"**{text('caselog.platform', 'en')}:** Wish" in md  # the platform by its name
    assert "24.99" in md
    assert "2026-05-03 10:00 UTC" in md  # the refund request fact, formatted
    # each step with its answer, time and actor
    history = [line for line in md.splitlines() if "Confirm the order" in line]
    assert any(
        "We shipped the wrong item, size or colour, or it is defective" in line
        and "bob &lt;ops&gt;" in line
        and " UTC |" in line
        for line in history
    )
    assert "| amy |" in md
    assert "The buyer's photos of what arrived" in md  # evidence item text
    assert lib.templates["buyer-ask-details"].title.en in md  # the draft issued
    assert "Reshipped" in md  # outcome step title
    assert lib.root_causes["picking-error"].text.en in md
    assert lib.root_causes["picking-error"].prevention.en in md


def test_markdown_table_cells_survive_pipes_and_newlines(store, finished, lib):
    md = to_markdown(finished, store.events(finished.id), lib)
    note = next(line for line in md.splitlines() if "wrong size" in line)
    assert "\\| wrong size<br>second line" in note
    cells = re.split(r"(?<!\\)\|", note)[1:-1]
    assert len(cells) == 5  # time, who, what, step, detail: the note's own pipe is escaped
    assert "&lt;script&gt;" in note
    assert "<script>" not in md


def test_html_escapes_every_value(store, finished, lib):
    page = to_html(finished, store.events(finished.id), lib)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Dana &lt;b&gt;Smith&lt;/b&gt;" in page
    assert "<b>Smith" not in page
    assert "bob &lt;ops&gt;" in page
    assert "bob <ops>" not in page
    assert page.startswith("<!DOCTYPE html>")
    assert "The buyer&#x27;s photos of what arrived" in page  # quotes escaped too


def test_chinese_log_uses_chinese_step_and_option_texts(store, finished, lib):
    md = to_markdown(finished, store.events(finished.id), lib, lang="zh")
    scenario = lib.scenario("item-mismatch")
    assert scenario.step("contact-buyer").title.zh in md
    assert scenario.step("confirm-order").options[0].text.zh in md
    assert scenario.title.zh in md


def test_steps_removed_from_the_playbook_are_named_not_dropped(store, lib):
    walk = new_walk(lib)
    case = store.create_case(walk, actor="amy")
    case, walk = answer_first_options(store, case, walk, 2)  # now at 'own-it'
    raw = lib.scenario("item-mismatch").model_dump(by_alias=True, exclude_none=True)
    raw["version"] = 2
    raw["steps"] = [s for s in raw["steps"] if s["id"] != "own-it"]
    for step in raw["steps"]:
        for option in step.get("options", []):
            if option["id"] == "our-error":
                option["next"] = "choose-remedy"
    lib2 = dataclasses.replace(
        lib, scenarios={**lib.scenarios, "item-mismatch": Scenario.model_validate(raw)}
    )
    log = build_log(case, store.events(case.id), lib2)
    removed = text("caselog.step_removed", "en", step="own-it")
    assert any(removed in e.detail for e in log.entries)
    versions = dict(log.summary)[text("caselog.version", "en")]
    assert versions == text("caselog.version_value", "en", started=1, current=2)


def test_export_case_loads_from_the_store(store, finished, lib):
    events = store.events(finished.id)
    assert export_case(store, finished.id, lib, fmt="html") == to_html(finished, events, lib)
    assert export_case(store, finished.id, lib, lang="zh") == to_markdown(
        finished, events, lib, "zh"
    )
    with pytest.raises(ValueError, match="'pdf'"):
        export_case(store, finished.id, lib, fmt="pdf")


def test_every_event_type_and_status_has_a_label_in_both_languages():
    catalogue = {}
    for path in sorted((REPO_ROOT / "data" / "i18n").glob("*.yaml")):  # merged, as the app does
        catalogue.update(yaml.safe_load(path.read_text("utf-8")))
    keys = [f"caselog.event.{t}" for t in EVENT_TYPES] + [f"ui.status.{s}" for s in STATUSES]
    keys += [f"caselog.detail_{k}" for k in ("back", "restart")]
    keys += [f"caselog.col_{c}" for c in ("time", "actor", "event", "step", "detail", "draft")]
    missing = [
        k for k in keys if not (catalogue.get(k, {}).get("en") and catalogue.get(k, {}).get("zh"))
    ]
    assert missing == []
