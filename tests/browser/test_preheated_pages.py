"""Preheated pages and the landing page, on a real Voilà serving notebooks/pages/ (`make serve`).

A page taken from Voilà's pool was built before anyone asked for it; what only the request
knows (``?case=``, ``?lang=``) is applied once the request has taken the kernel. The same
tests run on a server without a pool (``PLAYBOOK_POOL=staff=0``: every page built for its
request, as when a burst is larger than the pool). The server's root address is a landing
page that sends the visitor on to the staff page with their query and lists no files.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from playbook.cases.roles import Identity
from playbook.cases.session import CaseSession
from playbook.cases.sql_store import SqlStore
from playbook.i18n import text
from playbook.load import load_library
from tests.browser.conftest import (
    ARTIFACTS,
    PAGES,
    UI_TIMEOUT_MS,
    VoilaServer,
    require_chromium,
    start_voila,
    worker_suffix,
)
from tests.store_fixtures import SAMPLE_FACTS

pytestmark = pytest.mark.browser

KERNEL_ID = "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"


@pytest.fixture(scope="module")
def unpooled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VoilaServer]:
    """The served pages with no pool: each page's kernel starts for its request."""
    require_chromium()
    var = tmp_path_factory.mktemp("unpooled-var")
    server = start_voila(
        PAGES,
        ARTIFACTS / f"voila-unpooled{worker_suffix()}.log",
        extra_args=("--VoilaConfiguration.show_tracebacks=True",),
        extra_env={
            "PLAYBOOK_VAR_DIR": str(var),
            "PLAYBOOK_DB_URL": f"sqlite:///{var / 'cases.sqlite3'}",
            "PLAYBOOK_POOL": "staff=0",
        },
    )
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["pool", "no pool"])
def served(request: pytest.FixtureRequest, voila_server: VoilaServer) -> VoilaServer:
    """The session's server (a pool of staff pages), then one without a pool."""
    return voila_server if request.param == "pool" else request.getfixturevalue("unpooled")


def a_case(server: VoilaServer) -> str:
    """A new case in the server's store (started by a lead, assigned to nobody)."""
    with SqlStore(server.env["PLAYBOOK_DB_URL"]) as store:
        session = CaseSession(load_library(), store, identity=Identity.of("lea", "lead"))
        assert session.start("item-mismatch", SAMPLE_FACTS) == {}
        return session.case.id


def fetch(url: str) -> tuple[int, str]:
    """Status and body of a GET (no kernel is started by anything but a page)."""
    try:
        with urllib.request.urlopen(url, timeout=60) as reply:
            return reply.status, reply.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        err.close()
        return err.code, ""


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_link_of_a_case_opens_it_in_its_language(
    served: VoilaServer, browser: object, lang: str
) -> None:
    case_id = a_case(served)
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(UI_TIMEOUT_MS)
        # The link a lead sends, kept only up to the server's address: the landing page
        # passes the query on to the staff page.
        page.goto(f"{served.url}?case={case_id}&lang={lang}", wait_until="commit")
        page.wait_for_url(re.compile(rf"/voila/render/staff\.ipynb\?case={case_id}&lang={lang}$"))
        expect(page.locator(".pb-case")).to_contain_text(case_id, timeout=UI_TIMEOUT_MS)
        expect(page.locator(".pb-next")).to_have_text(text("ui.next", lang))
        expect(page.locator(".pb-lang button.mod-active")).to_have_text(
            {"zh": "中文", "en": "English"}[lang]
        )
        expect(page.locator(".pb-page-state [data-case]")).to_have_attribute("data-case", case_id)
        expect(page.locator("a.pb-link-lessons")).to_be_visible()
        kernel = page.evaluate(KERNEL_ID)
        assert served.preheated(kernel) is (served.env["PLAYBOOK_POOL"] != "staff=0")
        page.close(run_before_unload=True)
    finally:
        context.close()


def test_the_root_address_lands_on_the_staff_page(voila_server: VoilaServer, browser) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(UI_TIMEOUT_MS)
        page.goto(voila_server.url, wait_until="commit")
        page.wait_for_url(re.compile(r"/voila/render/staff\.ipynb$"))
        expect(page.locator(".pb-start")).to_have_text(text("ui.start", "zh"))
        page.close(run_before_unload=True)
    finally:
        context.close()


def test_the_landing_page_lists_the_served_pages_and_no_files(voila_server: VoilaServer) -> None:
    for address in ("", "voila/tree", "voila/tree/", "?classic-tree=true&lang=en"):
        status, body = fetch(voila_server.url + address)
        assert status == 200, address
        links = re.findall(r'class="pb-landing-(\w+)" href="/voila/render/([^"?]+)', body)
        assert links == [("staff", "staff.ipynb"), ("lessons", "lessons.ipynb")], address
        for unlisted in ("Select items", "analyst", "training"):
            assert unlisted not in body, address
    status, body = fetch(voila_server.url + "voila/api/contents/")
    assert status == 200
    assert json.loads(body)["content"] == []


def test_only_the_served_pages_render(voila_server: VoilaServer) -> None:
    """The analyst and training notebooks are not in the served folder: 404 (no kernel)."""
    for name in (
        "analyst.ipynb",
        "training.ipynb",
        "../analyst.ipynb",
        "../training/training.ipynb",
    ):
        assert fetch(voila_server.page_url(name))[0] == 404, name
    assert sorted(p.name for p in PAGES.glob("*.ipynb")) == ["lessons.ipynb", "staff.ipynb"]
