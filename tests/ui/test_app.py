"""The page entry points the notebooks call: store from settings, URL parameters, bad stores."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from playbook.cases.roles import Identity
from playbook.cases.session import CaseSession
from playbook.cases.sql_store import SqlStore as Store
from playbook.i18n import text
from playbook.load import load_library
from playbook.ui.app import prepare_lessons_page, prepare_staff_page, staff_page
from tests.store_fixtures import SAMPLE_FACTS

from .test_staff_panel import FACTS


def _find(widget, cls: str):
    if cls in getattr(widget, "_dom_classes", ()):
        return widget
    for child in getattr(widget, "children", ()):
        found = _find(child, cls)
        if found is not None:
            return found
    return None


def _fill_and_start(page) -> None:
    _find(page, "pb-actor").value = "Ana"
    _find(page, "pb-scenario").value = "item-mismatch"
    for key, value in FACTS.items():
        box = _find(page, f"pb-fact-{key}")
        if box is not None:
            box.value = value
    _find(page, "pb-start").click()


def test_page_saves_to_the_configured_store(tmp_path: Path, monkeypatch) -> None:
    url = f"sqlite:///{tmp_path / 'cases.sqlite3'}"
    monkeypatch.setenv("PLAYBOOK_DB_URL", url)
    monkeypatch.setenv("QUERY_STRING", "lang=en")
    page = staff_page()
    _fill_and_start(page)
    assert _find(page, "pb-message").value == ""
    with Store(url) as store:
        [case] = store.list_cases()
    assert case.facts["buyer_name"] == "Mia Lindqvist"
    monkeypatch.setenv("QUERY_STRING", f"case={case.id}&lang=en")
    again = staff_page()
    assert f"Case {case.id}" in _find(again, "pb-case").value


def _store_opened() -> None:
    """Wait for the case store's background opening (``LazyStore.warm_up``) to finish."""
    for thread in threading.enumerate():
        if thread.name == "open-case-store":
            thread.join(timeout=60)
            assert not thread.is_alive(), "the case store did not open within 60 s"


def test_a_page_built_for_its_visitor_opens_the_store_once_a_dispute_is_picked(
    tmp_path: Path, monkeypatch
) -> None:
    db = tmp_path / "cases.sqlite3"
    monkeypatch.setenv("PLAYBOOK_DB_URL", f"sqlite:///{db}")
    monkeypatch.setenv("QUERY_STRING", "lang=en")
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)  # a kernel started for its request
    page = staff_page()
    _store_opened()
    assert not db.exists()  # not opened while the page is drawn for the waiting visitor
    _find(page, "pb-scenario").value = "item-mismatch"
    _store_opened()
    assert db.exists()  # opening, in the background, while the facts are typed
    _fill_and_start(page)
    assert _find(page, "pb-message").value == ""


def test_a_pool_page_and_a_case_link_open_the_store_at_once(tmp_path: Path, monkeypatch) -> None:
    for name, env in (("pool", {"VOILA_PREHEAT": "True"}), ("link", {"QUERY_STRING": "case=x"})):
        db = tmp_path / f"{name}.sqlite3"
        monkeypatch.setenv("PLAYBOOK_DB_URL", f"sqlite:///{db}")
        monkeypatch.delenv("VOILA_PREHEAT", raising=False)
        monkeypatch.delenv("QUERY_STRING", raising=False)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        prepare_staff_page()
        _store_opened()
        assert db.exists(), name


def test_unknown_case_in_the_url_is_explained(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PLAYBOOK_DB_URL", f"sqlite:///{tmp_path / 'cases.sqlite3'}")
    monkeypatch.setenv("QUERY_STRING", "case=nope&lang=en")
    page = staff_page()
    assert "There is no case &#x27;nope&#x27;." in _find(page, "pb-message").value


def test_a_corrupt_store_is_reported_and_left_alone(tmp_path: Path, monkeypatch) -> None:
    db = tmp_path / "cases.sqlite3"
    db.write_bytes(b"not a database at all" * 100)
    monkeypatch.setenv("PLAYBOOK_DB_URL", f"sqlite:///{db}")
    monkeypatch.setenv("QUERY_STRING", "lang=en")
    page = staff_page()
    _fill_and_start(page)
    message = _find(page, "pb-message").value
    assert f"{db} is not a readable case database" in message
    assert db.read_bytes() == b"not a database at all" * 100


def test_a_preheated_lessons_page_shows_the_cases_as_they_are_when_asked(
    tmp_path: Path, monkeypatch
) -> None:
    url = f"sqlite:///{tmp_path / 'cases.sqlite3'}"
    monkeypatch.setenv("PLAYBOOK_DB_URL", url)
    monkeypatch.setenv("PLAYBOOK_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("VOILA_PREHEAT", "True")  # a kernel of Voilà's pool: no request yet
    monkeypatch.delenv("QUERY_STRING", raising=False)
    page = prepare_lessons_page()
    assert text("lessons.empty", "zh") in _find(page.widget, "pb-empty-state").value
    with Store(url) as store:  # a case is started while the page waits in the pool
        session = CaseSession(load_library(), store, identity=Identity.of("lea", "lead"))
        assert session.start("item-mismatch", SAMPLE_FACTS) == {}
    monkeypatch.setenv("QUERY_STRING", "lang=en")  # the request arrives
    page.apply()
    assert _find(page.widget, "pb-empty-state").value == ""
    assert "1" in _find(page.widget, "pb-summary").value


@pytest.fixture(autouse=True)
def _no_hub_user(monkeypatch) -> None:
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)


def test_a_pool_kernel_asks_where_voila_answers() -> None:
    """The address Voilà's request-info websocket listens on (voila.utils.wait_for_request)."""
    from playbook.ui.app import request_info_url

    env = {
        "VOILA_APP_PORT": "41234",
        "VOILA_SERVER_URL": "/user/amy/",
        "VOILA_KERNEL_ID": "0b6c7d2e-1f3a-4b5c-8d9e-0f1a2b3c4d5e",
    }
    assert request_info_url(env) == (
        "ws://127.0.0.1:41234/user/amy/voila/query/0b6c7d2e-1f3a-4b5c-8d9e-0f1a2b3c4d5e"
    )
    env.update(VOILA_APP_IP="0.0.0.0", VOILA_WS_BASE_URL="/", VOILA_WS_PROTOCOL="wss")
    assert request_info_url(env).startswith("wss://0.0.0.0:41234/voila/query/")
