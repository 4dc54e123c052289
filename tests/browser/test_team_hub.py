"""The team server for real: deploy/jupyterhub_config.py on free loopback ports, a browser.

People sign up and are approved through NativeAuthenticator's pages, get their role from a hub
group, and sign in in Chromium. Staff see only their cases and cannot reach another's (by URL or
by a forged widget message), cannot run code on their server, and every event names the signed-
in person; the lead sees everything and the lessons page. One module-wide hub keeps this fast.
"""

from __future__ import annotations

import json
import os
import re
import signal
import time
import uuid

import pytest
import requests
import websocket
from playwright.sync_api import Page, expect

from playbook.cases.roles import Identity
from playbook.cases.session import CaseSession
from playbook.cases.sql_store import SqlStore
from playbook.i18n import text
from playbook.load import load_library
from tests.browser.helpers import KernelSocket
from tests.store_fixtures import SAMPLE_FACTS
from tests.team_hub import TeamHub, sign_in

pytestmark = pytest.mark.browser

PASSWORDS = {"amy": "Amy-staff-4821x", "bob": "Bob-staff-9313y", "lea": "Lea-lead-77215z"}
GROUPS = {"amy": "staff", "bob": "staff", "lea": "lead"}


@pytest.fixture(scope="module")
def hub(team_hub: TeamHub) -> TeamHub:
    """The session's hub with this module's people.

    amy and bob (staff), lea (lead), carl (signed up, never approved).
    """
    for user, password in PASSWORDS.items():
        team_hub.add_person(user, password, GROUPS[user])
    team_hub.sign_up("carl", "Carl-waits-5512q")
    return team_hub


@pytest.fixture(scope="module")
def cases(hub: TeamHub) -> dict[str | None, str]:
    """Cases in the hub's shared store, started by the lead: amy's, bob's, nobody's."""
    lib = load_library()
    out = {}
    with SqlStore(f"sqlite:///{hub.root / 'cases.sqlite3'}") as store:
        for who in ("amy", "bob", None):
            s = CaseSession(lib, store, identity=Identity.of("lea", "lead"))
            assert s.start("item-mismatch", SAMPLE_FACTS, assignee=who) == {}
            out[who] = s.case.id
    return out


def store_events(hub: TeamHub, case_id: str) -> list:
    with SqlStore(f"sqlite:///{hub.root / 'cases.sqlite3'}") as store:
        return store.events(case_id)


def expect_listed(page: Page, cases: dict[str | None, str], shown: set[str | None]) -> None:
    """Open the case list; exactly the cases of ``shown`` (by assignee) are listed."""
    page.locator(".pb-nav button", has_text=re.compile("Cases|案件")).first.click()
    for who in sorted(shown, key=str):
        expect(page.locator(f".pb-open-{cases[who]}")).to_have_count(1)
    expect(page.locator('.pb-case-rows button[class*="pb-open-"]')).to_have_count(len(shown))
    for who in set(cases) - shown:
        expect(page.locator(f".pb-open-{cases[who]}")).to_have_count(0)


def test_wrong_password_and_unapproved_account_are_refused(hub: TeamHub, context) -> None:
    page = sign_in(context, hub, "amy", "not-her-password-1")
    expect(page.locator(".login_error")).to_contain_text("The user name or the password is wrong")
    expect(page.locator(".login_error")).to_contain_text("用户名或密码不正确")
    page = sign_in(context, hub, "carl", "Carl-waits-5512q")
    expect(page.locator(".login_error")).to_contain_text("waiting for an admin's approval")
    assert "/user/" not in page.url


def test_staff_sees_only_their_cases_and_acts_as_themselves(hub, cases, context) -> None:
    page = sign_in(context, hub, "amy", PASSWORDS["amy"])
    page.wait_for_url(re.compile(r"/user/amy/voila/render/staff\.ipynb"))
    expect(page.locator(".pb-start")).to_be_visible()
    expect(page.locator(".pb-actor input")).to_be_hidden()  # no name asked: the hub's user
    expect_listed(page, cases, {"amy", None})

    page.goto(f"{hub.url}/user/amy/voila/render/staff.ipynb?lang=en&case={cases['amy']}")
    expect(page.locator(".pb-case")).to_contain_text(f"Case {cases['amy']}")
    page.locator(".pb-options input").first.check()
    page.click(".pb-next")
    deadline = time.monotonic() + 60  # the click is saved before the page moves on
    while len(store_events(hub, cases["amy"])) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [e.actor for e in store_events(hub, cases["amy"])] == ["lea", "amy"]


def test_a_forged_case_url_is_refused_clearly_and_logged(hub, cases, context) -> None:
    page = sign_in(context, hub, "amy", PASSWORDS["amy"])
    page.wait_for_url(re.compile(r"/user/amy/"))
    page.goto(f"{hub.url}/user/amy/voila/render/staff.ipynb?lang=en&case={cases['bob']}")
    expect(page.locator(".pb-message")).to_contain_text(
        f"Case {cases['bob']} is not yours to open or change"
    )
    expect(page.locator(".pb-case")).to_have_count(0)
    assert f"refused: user=amy roles=staff action=open case={cases['bob']}" in (
        hub.log_path.read_text(errors="replace")
    )
    assert len(store_events(hub, cases["bob"])) == 1


def test_a_forged_widget_message_reaches_no_other_case(hub, cases, context) -> None:
    page = sign_in(context, hub, "amy", PASSWORDS["amy"])
    page.wait_for_url(re.compile(r"/user/amy/"))
    expect(page.locator(".pb-start")).to_be_visible()
    kernel_id = page.evaluate(
        "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
    )
    token = user_token(hub, "amy")
    kernel = KernelSocket(
        f"{hub.url}/user/amy/", kernel_id, headers=[f"Authorization: token {token}"]
    )
    try:
        states = kernel.states()
        [nav] = [
            mid
            for mid, st in states.items()
            if "pb-nav" in st["state"].get("_dom_classes", ())
            and st["state"]["_model_name"] == "ToggleButtonsModel"
        ]
        kernel.send("comm_msg", comm_id=nav, data={"method": "update", "state": {"index": 0}})
        states = kernel.states()
        actor = kernel.model_id(states, "pb-actor")
        assignee = kernel.model_id(states, "pb-filter-assignee")
        for model, value in ((actor, "bob"), (assignee, "bob")):  # forge name and filter
            kernel.send(
                "comm_msg", comm_id=model, data={"method": "update", "state": {"value": value}}
            )
        kernel.click(kernel.model_id(states, "pb-refresh"))
        after = kernel.states()
        shown = {c for s in after.values() for c in s["state"].get("_dom_classes", ())}
        assert f"pb-open-{cases['bob']}" not in shown
        assert f"pb-open-{cases['amy']}" not in shown  # the filter "bob" is not amy: nothing
    finally:
        kernel.close()
    expect(page.locator(".pb-case-count")).to_contain_text("0")


def user_token(hub: TeamHub, user: str) -> str:
    """An API token of ``user`` (as the user's own scripts would have), made by the admin."""
    made = hub.api("POST", f"users/{user}/tokens", note="test", expires_in=600)
    made.raise_for_status()
    return made.json()["token"]


def test_staff_cannot_start_a_kernel_a_terminal_or_run_code(hub, cases, context) -> None:
    page = sign_in(context, hub, "bob", PASSWORDS["bob"])
    page.wait_for_url(re.compile(r"/user/bob/"))
    expect(page.locator(".pb-start")).to_be_visible()
    auth = {"Authorization": f"token {user_token(hub, 'bob')}"}
    base = f"{hub.url}/user/bob"
    assert requests.get(f"{base}/api/status", headers=auth, timeout=30).status_code == 200
    assert requests.post(f"{base}/api/kernels", headers=auth, timeout=30).status_code == 403
    assert requests.post(f"{base}/api/terminals", headers=auth, timeout=30).status_code in (
        403,
        404,
    )
    session = {"path": "x.ipynb", "type": "notebook", "kernel": {"name": "python3"}}
    posted = requests.post(f"{base}/api/sessions", headers=auth, json=session, timeout=30)
    assert posted.status_code == 403
    put = {"type": "file", "format": "text", "content": "print(1)"}
    written = requests.put(f"{base}/api/contents/evil.ipynb", headers=auth, json=put, timeout=30)
    assert written.status_code == 403
    assert requests.get(f"{base}/lab", headers=auth, timeout=30).status_code == 404
    # The page's own kernel: an execute_request on its websocket is dropped.
    kernel_id = page.evaluate(
        "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
    )
    marker = hub.root / f"ran-{uuid.uuid4().hex}"
    ws = websocket.create_connection(
        f"ws://127.0.0.1:{hub.port}/user/bob/api/kernels/{kernel_id}/channels",
        header=[f"Authorization: {auth['Authorization']}"],
        timeout=30,
    )

    def send(msg_type: str, **content: object) -> str:
        header = {
            "msg_id": uuid.uuid4().hex,
            "msg_type": msg_type,
            "session": "x",
            "username": "bob",
            "version": "5.3",
        }
        ws.send(
            json.dumps(
                {
                    "header": header,
                    "parent_header": {},
                    "metadata": {},
                    "content": content,
                    "channel": "shell",
                }
            )
        )
        return header["msg_id"]

    try:
        send("execute_request", code=f"open({str(marker)!r}, 'w').write('ran')", silent=False)
        # Shell messages are handled in order: the reply to a later kernel_info_request
        # proves the execute_request was dealt with (dropped) before it, no waiting needed.
        asked = send("kernel_info_request")
        while True:
            reply = json.loads(ws.recv())
            if reply.get("parent_header", {}).get("msg_id") == asked:
                break
    finally:
        ws.close()
    assert not marker.exists()
    assert "refused: user=bob action=write resource=kernels" in hub.log_path.read_text()


def test_a_preheated_page_knows_the_person_and_the_language(hub, cases, context) -> None:
    """A page server's pages come from its pool, built before anyone asked.

    The signed-in person (the server's own environment) and the request's ?lang= and ?case=
    are on them.
    """
    page = sign_in(context, hub, "amy", PASSWORDS["amy"])
    page.wait_for_url(re.compile(r"/user/amy/voila/render/staff\.ipynb"))
    expect(page.locator(".pb-start")).to_be_visible()
    # The link a lead sends, cut to the server's address: the landing page passes it on.
    page.goto(f"{hub.url}/user/amy/voila/tree?lang=en&case={cases['amy']}")
    page.wait_for_url(re.compile(r"/user/amy/voila/render/staff\.ipynb\?lang=en&case="))
    expect(page.locator(".pb-case")).to_contain_text(f"Case {cases['amy']}")
    expect(page.locator(".pb-app")).to_contain_text(
        text("ui.signed_in_as", "en", user="amy", roles="staff")
    )
    kernel = page.evaluate(
        "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
    )
    log = hub.log_path.read_text(errors="replace")
    assert f"Using pre-heated kernel: {kernel}" in log
    # ... and the pool preheats the next page at once (TEAM_POOL_REFILL, on by default).
    assert f"page_pool: staff.ipynb taken (kernel {kernel}); 1 preheated kept" in log


@pytest.mark.parametrize(("user", "pages"), [("amy", ["staff"]), ("lea", ["staff", "lessons"])])
def test_the_landing_page_links_follow_the_roles(hub, context, user, pages) -> None:
    page = sign_in(context, hub, user, PASSWORDS[user])
    page.wait_for_url(re.compile(rf"/user/{user}/voila/render/staff\.ipynb"))
    landing = page.request.get(f"{hub.url}/user/{user}/voila/tree").text()
    assert re.findall(r'class="pb-landing-(\w+)" href', landing) == pages
    assert "Select items" not in landing
    listing = page.request.get(f"{hub.url}/user/{user}/voila/api/contents/").json()
    assert listing["content"] == []


def test_lead_sees_every_case_and_the_lessons_page(hub, cases, context) -> None:
    page = sign_in(context, hub, "lea", PASSWORDS["lea"])
    page.wait_for_url(re.compile(r"/user/lea/voila/render/staff\.ipynb"))
    expect(page.locator(".pb-start")).to_be_visible()
    expect_listed(page, cases, {"amy", "bob", None})
    page.goto(f"{hub.url}/user/lea/voila/render/lessons.ipynb?lang=en")
    expect(page.locator(".pb-lessons, .pb-app").first).to_be_visible()
    expect(page.locator(".pb-refused")).to_have_count(0)
    staff = sign_in(context, hub, "amy", PASSWORDS["amy"])
    staff.wait_for_url(re.compile(r"/user/amy/"))
    staff.goto(f"{hub.url}/user/amy/voila/render/lessons.ipynb?lang=en")
    expect(staff.locator(".pb-refused")).to_contain_text("the lessons page is for leads")


def test_one_users_server_dying_leaves_another_running(hub, cases, context) -> None:
    for user in ("amy", "lea"):
        page = sign_in(context, hub, user, PASSWORDS[user])
        expect(page.locator(".pb-start")).to_be_visible()
    pid = hub.api("GET", "users/amy").json()["servers"][""]["state"]["pid"]
    os.kill(pid, signal.SIGKILL)  # amy's server crashes
    deadline = time.monotonic() + 60
    while hub.api("GET", "users/amy").json()["servers"] and time.monotonic() < deadline:
        time.sleep(1)  # the hub notices at its next poll of amy's server
    assert not hub.api("GET", "users/amy").json()["servers"]
    assert hub.api("GET", "users/lea").json()["servers"][""]["ready"] is True
    page = sign_in(context, hub, "lea", PASSWORDS["lea"])
    expect_listed(page, cases, {"amy", "bob", None})
