"""What the served page publishes for its own script, and the facts form's order and pickers.

Real widgets, a real SQLite store; no kernel or browser (tests/browser covers those).
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from playbook.cases.memory_store import MemoryStore
from playbook.i18n import text
from playbook.load import load_library
from playbook.ui.app import PAGE_TEXTS, ServedStaffPanel, page_state_html
from playbook.ui.fact_inputs import picked_text

from .test_staff_panel import FACTS, NOW


class Attrs(HTMLParser):
    """The attributes of the first tag of an HTML snippet as a browser reads them.

    Without the ``data-`` prefix.
    """

    def __init__(self, html: str) -> None:
        super().__init__()
        self.attrs: dict[str, str | None] = {}
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.attrs = self.attrs or {k.removeprefix("data-"): v for k, v in attrs}


@pytest.fixture(scope="module")
def lib():
    return load_library()


def state(panel: ServedStaffPanel) -> dict[str, str | None]:
    return Attrs(panel.page_state.value).attrs


def start(panel: ServedStaffPanel) -> None:
    panel.start_view.scenario.value = "item-mismatch"
    for key, value in FACTS.items():
        if key in panel.start_view.fact_inputs:
            panel.start_view.fact_inputs[key].value = value
    panel.start_view.start_button.click()
    assert panel.message.value == ""


def test_state_carries_language_case_and_texts_escaped() -> None:
    attrs = Attrs(page_state_html("en", 'x"><script>')).attrs
    assert attrs["case"] == 'x"><script>'  # escaped in the HTML, intact for the script
    assert "hidden" in attrs
    assert attrs["lang"] == "en"
    for name, key in PAGE_TEXTS.items():
        assert attrs[name] == text(key, "en")


def test_served_page_publishes_its_case_and_language(lib, store) -> None:
    panel = ServedStaffPanel(library=lib, clock=lambda: NOW, lang="zh", store=store, user="Ana")
    assert panel.widget.children[-1] is panel.page_state
    assert "pb-page-state" in panel.page_state._dom_classes
    assert state(panel)["case"] == ""
    start(panel)
    assert state(panel)["case"] == panel.case.id
    assert state(panel)["lost"] == text("page.lost", "zh")
    panel.lang_toggle.value = "en"
    assert state(panel)["lang"] == "en"
    assert state(panel)["reopen"] == text("page.reopen_case", "en")


def test_a_case_in_memory_is_not_offered_for_reopening(lib) -> None:
    panel = ServedStaffPanel(library=lib, clock=lambda: NOW, store=MemoryStore(), user="Ana")
    start(panel)
    assert panel.case is not None
    assert state(panel)["case"] == ""


def test_required_facts_come_first_under_their_headings(data_copy: Path) -> None:
    # The scenario lists the required order_id last, after its optional facts.
    path = data_copy / "scenarios" / "item-mismatch.yaml"
    yaml_text = path.read_text(encoding="utf-8").replace("  - {id: order_id}\n", "", 1)
    facts = [line for line in yaml_text.splitlines(keepends=True) if line.startswith("  - {id: ")]
    last = facts[-1]  # the scenario's last fact line
    path.write_text(yaml_text.replace(last, last + "  - {id: order_id}\n", 1), "utf-8")
    lib = load_library(data_copy)
    assert lib.scenario("item-mismatch").facts[-1].id == "order_id"
    panel = ServedStaffPanel(library=lib, clock=lambda: NOW, lang="en", store=MemoryStore())
    panel.start_view.scenario.value = "item-mismatch"
    fields = list(panel.start_view.fields.values())
    required = [f.required for f in fields]
    assert required == sorted(required, reverse=True)
    assert True in required
    assert False in required
    first_optional = fields[required.index(False)]
    assert text("ui.facts_required", "en") in fields[0].head.value
    assert text("ui.facts_optional", "en") in first_optional.head.value
    headings = sum(bool(re.search("pb-facts-group", f.head.value)) for f in fields)
    assert headings == 2
    assert fields[0].box.description == "Buyer name (required)"  # the input's own <label>


def test_datetime_facts_have_a_picker_and_say_utc(lib) -> None:
    panel = ServedStaffPanel(library=lib, clock=lambda: NOW, lang="en", store=MemoryStore())
    panel.start_view.scenario.value = "item-mismatch"
    field = panel.start_view.fields["refund_requested_at"]
    box, picker = field.box, field.picker
    assert "pb-picker-refund_requested_at" in picker._dom_classes
    picker.value = dt.datetime(2026, 11, 20, 9, 5)
    assert box.value == "2026-11-20 09:05"
    box.value = "2026-11-21 10:00"  # typing still works: the box is the fact's value
    assert panel.start_view.fact_inputs["refund_requested_at"].value == "2026-11-21 10:00"
    assert text("ui.fact_utc", "en") in field.hint.value


@pytest.mark.parametrize(
    ("kind", "value", "typed"),
    [
        ("datetime", dt.datetime(2026, 1, 2, 3, 4), "2026-01-02 03:04"),
        ("date", dt.date(2026, 1, 2), "2026-01-02"),
        ("date", dt.datetime(2026, 1, 2, 3, 4), None),
        ("datetime", "2026-01-02; DROP", None),
        ("datetime", None, None),
    ],
)
def test_only_real_dates_are_copied(kind: str, value: object, typed: str | None) -> None:
    assert picked_text(kind, value) == typed
