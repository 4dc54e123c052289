"""Adding a scenario means adding a YAML file: no Python changes, and the page offers it."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from playbook.load import check, load_library
from playbook.ui.staff_panel import StaffPanel

NEW = Path(__file__).parents[1] / "data" / "good" / "late-delivery.yaml"
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


def test_a_new_yaml_file_is_a_new_scenario(data_copy: Path) -> None:
    shutil.copy(NEW, data_copy / "scenarios")
    _, problems = check(data_copy)
    assert problems == []
    lib = load_library(data_copy)
    panel = StaffPanel(lib, clock=lambda: NOW, lang="en")
    assert ("Not delivered in time", "late-delivery") in panel.start_view.scenario.options
    panel.start_view.scenario.value = "late-delivery"
    facts = {
        "order_id": "A1",
        "buyer_name": "Mia",
        "store_name": "Harbor Lane",
        "released_at": "2026-11-01 00:00",
        "country": "BR",
        "wish_express": "no",  # the late-delivery limits are for standard orders
    }
    for key, value in facts.items():
        panel.start_view.fact_inputs[key].value = value
    panel.start_view.start_button.click()
    assert panel.message.value == ""
    # Brazil's own limit (29 days) from the policy file, not the general 15.
    assert "<b>2026-11-30 00:00 UTC</b>" in panel.walk_view.step_html.value
    panel.walk_view.options.value = "stuck"
    panel.walk_view.next_button.click()
    assert panel.walk.current.id == "tell-buyer"
    assert "Hello Mia," in panel.walk_view.drafts_html.value
    panel.walk_view.next_button.click()
    assert panel.walk.finished
    assert "Keep following the tracking." in panel.walk_view.step_html.value
