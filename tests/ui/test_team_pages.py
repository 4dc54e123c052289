"""Pages on a team server: the signed-in user acts, roles narrow what the page can reach.

The pages are built by the same entry points the notebooks call, with the environment a
JupyterHub single-user server gives them (``JUPYTERHUB_USER``, ``PLAYBOOK_ROLES``), on a real
SQLite file. Forged widget messages are sent the way ipywidgets applies them (``set_state``).
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from playbook.cases.roles import Identity
from playbook.cases.session import CaseSession
from playbook.cases.sql_store import SqlStore as Store
from playbook.load import load_library
from playbook.ui.app import refused, staff_page, training_page
from tests.store_fixtures import SAMPLE_FACTS

from .test_app import _fill_and_start, _find


@pytest.fixture
def url(tmp_path: Path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'cases.sqlite3'}"
    monkeypatch.setenv("PLAYBOOK_DB_URL", url)
    return url


@pytest.fixture
def cases(url: str) -> dict[str | None, str]:
    """One case for amy, one for bob, one for nobody, started by the lead."""
    lib = load_library()
    out = {}
    with Store(url) as store:
        for who in ("amy", "bob", None):
            s = CaseSession(lib, store, identity=Identity.of("lea", "lead"))
            assert s.start("item-mismatch", SAMPLE_FACTS, assignee=who) == {}
            out[who] = s.case.id
    return out


def signed_in(monkeypatch, user: str, roles: str, query: str = "lang=en") -> None:
    monkeypatch.setenv("JUPYTERHUB_USER", user)
    monkeypatch.setenv("PLAYBOOK_ROLES", roles)
    monkeypatch.setenv("QUERY_STRING", query)


def test_signed_in_user_is_the_actor_whatever_the_name_field_says(url, monkeypatch) -> None:
    signed_in(monkeypatch, "amy", "staff")
    page = staff_page()
    actor = _find(page, "pb-actor")
    assert actor.layout.display == "none"  # the page never asks for a name
    assert "Signed in as amy" in _find(page, "pb-app").children[1].children[1].value
    _fill_and_start(page)  # types "Ana" into the hidden name field first
    actor.set_state({"value": "mallory", "disabled": False})  # a forged widget message
    options = _find(page, "pb-options")
    if options.options:  # a question: pick its first answer
        options.value = options.options[0][1]
    _find(page, "pb-next").click()
    assert _find(page, "pb-message").value == ""
    with Store(url) as store:
        [case] = store.list_cases()
        assert [e.actor for e in store.events(case.id)] == ["amy", "amy"]


def test_a_forged_case_url_is_refused_and_logged(cases, monkeypatch, caplog) -> None:
    signed_in(monkeypatch, "amy", "staff", f"case={cases['bob']}&lang=en")
    with caplog.at_level(logging.WARNING, "playbook.roles"):
        page = staff_page()
    message = _find(page, "pb-message").value
    assert f"Case {cases['bob']} is not yours to open or change" in message
    assert "Signed in as amy" in message
    assert "user=amy" in caplog.text
    assert f"case={cases['bob']}" in caplog.text
    assert _find(page, "pb-case") is None  # no walk was built: nothing of bob's case shown
    signed_in(monkeypatch, "amy", "staff", f"case={cases['amy']}&lang=en")
    assert f"Case {cases['amy']}" in _find(staff_page(), "pb-case").value


def test_staff_list_shows_theirs_and_unassigned_even_with_a_forged_filter(
    cases, monkeypatch
) -> None:
    signed_in(monkeypatch, "amy", "staff")
    page = staff_page()
    _find(page, "pb-nav").value = "cases"
    rows = _find(page, "pb-case-rows")
    shown = {c for c in cases.values() if _find(rows, f"pb-open-{c}") is not None}
    assert shown == {cases["amy"], cases[None]}
    assert _find(page, "pb-filter-assignee").layout.display == "none"
    _find(page, "pb-filter-assignee").set_state({"value": "bob"})  # forged: show me bob's
    _find(page, "pb-refresh").click()
    assert _find(rows, f"pb-open-{cases['bob']}") is None
    assert "0 case" in _find(page, "pb-case-count").value or "No cases" in rows.children[0].value


def test_lead_list_shows_every_case(cases, monkeypatch) -> None:
    signed_in(monkeypatch, "lea", "lead")
    page = staff_page()
    _find(page, "pb-nav").value = "cases"
    rows = _find(page, "pb-case-rows")
    assert all(_find(rows, f"pb-open-{c}") is not None for c in cases.values())
    assert _find(page, "pb-filter-assignee").layout.display != "none"


def test_pages_refuse_roles_that_do_not_have_them(monkeypatch, caplog) -> None:
    signed_in(monkeypatch, "ann", "analyst", "lang=zh")
    with caplog.at_level(logging.WARNING, "playbook.roles"):
        page = training_page()
    assert "pb-refused" in page._dom_classes
    assert "培训" in page.value
    assert "action=training" in caplog.text
    lead, staff = Identity.of("lea", "lead"), Identity.of("amy", "staff")
    assert refused(lead, "lessons", "en") is None
    assert "the lessons page is for leads" in refused(staff, "lessons", "en").value
    assert refused(None, "lessons", "en") is None  # one machine, no hub: as before


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch) -> None:
    for name in ("JUPYTERHUB_USER", "PLAYBOOK_ROLES", "QUERY_STRING"):
        monkeypatch.delenv(name, raising=False)
