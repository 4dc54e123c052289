"""Assignment and sign-in in plain words on the real team hub, in Chromium.

A lead assigns a case on the staff page to a member of the hub's staff group (the lead's page
server reads the group with its own scoped token); that staff member sees it as theirs and
another staff member is refused it; the history has the assign event. A locked account is told
that it is locked, and for how long, in both languages, even with the right password.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from playbook.cases.roles import Identity
from playbook.cases.session import CaseSession
from playbook.cases.sql_store import SqlStore
from playbook.load import load_library
from tests.browser.conftest import ARTIFACTS, require_chromium
from tests.store_fixtures import SAMPLE_FACTS
from tests.team_hub import TeamHub, sign_in

pytestmark = pytest.mark.browser

PASSWORDS = {
    "amy": "Amy-staff-4821x",
    "bob": "Bob-staff-9313y",
    "lea": "Lea-lead-77215z",
    "dora": "Dora-staff-6620w",
}
GROUPS = {"amy": "staff", "bob": "staff", "lea": "lead", "dora": "staff"}


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TeamHub]:
    require_chromium()
    team = TeamHub(tmp_path_factory.mktemp("team-assign")).start()
    try:
        for user, password in PASSWORDS.items():
            team.add_person(user, password, GROUPS[user])
        yield team
    finally:
        team.stop()
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "team-assign-hub.log").write_text(team.log_path.read_text(errors="replace"))


def store(hub: TeamHub) -> SqlStore:
    return SqlStore(f"sqlite:///{hub.root / 'cases.sqlite3'}")


def test_a_lead_assigns_a_case_the_staff_member_sees_it_another_is_refused(
    hub: TeamHub, context
) -> None:
    lib = load_library()
    with store(hub) as st:  # a case from triage: an analyst's, assigned to nobody
        s = CaseSession(lib, st, identity=Identity.of("ann", "analyst"))
        assert s.start("item-mismatch", SAMPLE_FACTS) == {}
        case_id = s.case.id
        assert st.get_case(case_id).assignee is None

    lead = sign_in(context, hub, "lea", PASSWORDS["lea"])
    lead.wait_for_url(re.compile(r"/user/lea/voila/render/staff\.ipynb"))
    lead.goto(f"{hub.url}/user/lea/voila/render/staff.ipynb?lang=en")
    lead.locator(".pb-nav button", has_text="Cases").click()
    lead.locator(f".pb-assign-open-{case_id}").click()
    bar = lead.locator(".pb-list-assign")
    people = bar.locator(".pb-assign-to select")
    # the hub's staff group, read by the lead's server, and the lead themself
    expect(people.locator("option")).to_have_text(
        ["nobody (unassigned)", "me (lea)", "amy", "bob", "dora"]
    )
    people.select_option(label="amy")
    bar.locator(".pb-assign").click()
    expect(lead.locator(".pb-message")).to_contain_text(f"Case {case_id} is now assigned to amy")
    expect(lead.locator(".pb-case-rows")).to_contain_text("amy")
    with store(hub) as st:
        assert st.get_case(case_id).assignee == "amy"
        events = [(e.type, e.actor, e.payload.get("to")) for e in st.events(case_id)]
    assert events[-1] == ("assign", "lea", "amy")

    amy = sign_in(context, hub, "amy", PASSWORDS["amy"])
    amy.wait_for_url(re.compile(r"/user/amy/voila/render/staff\.ipynb"))
    amy.goto(f"{hub.url}/user/amy/voila/render/staff.ipynb?lang=en")
    amy.locator(".pb-nav button", has_text="Cases").click()
    mine = amy.locator(".pb-scope").get_by_role("button", name="Mine", exact=True)
    mine.click()
    expect(mine).to_have_class(re.compile("mod-active"))
    expect(amy.locator(f".pb-open-{case_id}")).to_be_visible()
    expect(amy.locator(".pb-case-rows")).to_contain_text("amy")
    amy.goto(f"{hub.url}/user/amy/voila/render/staff.ipynb?lang=en&case={case_id}")
    expect(amy.locator(".pb-case")).to_contain_text("assigned to amy")

    bob = sign_in(context, hub, "bob", PASSWORDS["bob"])
    bob.wait_for_url(re.compile(r"/user/bob/voila/render/staff\.ipynb"))
    bob.locator(".pb-nav button").first.click()
    expect(bob.locator(".pb-case-rows")).to_be_visible()
    expect(bob.locator(f".pb-open-{case_id}")).to_have_count(0)
    bob.goto(f"{hub.url}/user/bob/voila/render/staff.ipynb?lang=en&case={case_id}")
    expect(bob.locator(".pb-message .pb-error")).to_contain_text(f"Case {case_id} is not yours")


def test_a_staff_member_takes_an_unassigned_case(hub: TeamHub, context) -> None:
    lib = load_library()
    with store(hub) as st:
        s = CaseSession(lib, st, identity=Identity.of("ann", "analyst"))
        assert s.start("item-mismatch", SAMPLE_FACTS) == {}
        case_id = s.case.id
    dora = sign_in(context, hub, "dora", PASSWORDS["dora"])
    dora.wait_for_url(re.compile(r"/user/dora/voila/render/staff\.ipynb"))
    dora.goto(f"{hub.url}/user/dora/voila/render/staff.ipynb?lang=en&case={case_id}")
    expect(dora.locator(".pb-case")).to_contain_text("unassigned")
    expect(dora.locator(".pb-case-assign .pb-assign-to")).to_be_hidden()  # not a lead
    dora.locator(".pb-case-assign .pb-assign-me").click()
    expect(dora.locator(".pb-case")).to_contain_text("assigned to dora")
    with store(hub) as st:
        assert st.get_case(case_id).assignee == "dora"


def test_a_locked_account_is_told_it_is_locked_and_for_how_long(hub: TeamHub, context) -> None:
    # a person of her own, so no other test's sign-in is locked
    hub.add_person("eve", "Eve-staff-1029v", "staff")
    for _ in range(2):
        page = sign_in(context, hub, "eve", "not-her-password-1")
        expect(page.locator(".login_error")).to_contain_text("The user name or the password")
    page = sign_in(context, hub, "eve", "not-her-password-1")  # the third: now locked
    error = page.locator(".login_error")
    expect(error).to_contain_text("This account is locked for 10 more minutes")
    expect(error).to_contain_text("after 3 wrong passwords")
    expect(error).to_contain_text("此账户被锁定，还需等待 10 分钟")
    page = sign_in(context, hub, "eve", "Eve-staff-1029v")  # the right one: still locked
    expect(page.locator(".login_error")).to_contain_text("This account is locked")
    assert "/user/" not in page.url
    assert "sign-in refused: eve is locked" in hub.log_path.read_text()
