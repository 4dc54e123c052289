"""The staff page never leaves anyone stranded a burst of pages, a lost kernel.

Real Voilà, real kernels, Debian's Chromium. The burst shares the session's server; each page
is a fresh browser context and so a fresh kernel. The lost-kernel tests kill the page's own
kernel process by PID (as the OOM killer would) or shut it down (as the idle culler does).
"""

from __future__ import annotations

import os
import re
import signal
import time
import urllib.error
import urllib.request

import psutil
import pytest
from playwright.sync_api import expect

from playbook.i18n import text
from playbook.library.library import Library
from tests.browser.conftest import UI_TIMEOUT_MS, StaffPage, VoilaServer
from tests.browser.helpers import Flow, item_mismatch_facts, pick_dispute

pytestmark = pytest.mark.browser

BURST = 6
GAP_S = 0.5
NO_WIDGET = "Timeout waiting for IOPub output"


def kernel_id(page: object) -> str:
    """The id of the page's kernel (Voilà's page config)."""
    return page.evaluate(
        "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
    )


def kernel_process(server: VoilaServer, kid: str) -> psutil.Process:
    """The kernel process serving ``kid`` (a child of the Voilà server)."""
    for child in psutil.Process(server.process.pid).children(recursive=True):
        try:
            if any(kid in part for part in child.cmdline()):
                return child
        except psutil.NoSuchProcess:
            continue
    raise AssertionError(f"no kernel process for {kid}")


def local(url: str) -> bool:
    """Whether ``url`` stays on this machine (the page's server or inline data)."""
    return url.startswith(("http://127.0.0.1:", "ws://127.0.0.1:", "data:"))


def test_a_burst_of_pages_all_get_their_widget(voila_server: VoilaServer, browser: object) -> None:
    log_start = voila_server.log_path.stat().st_size
    contexts, pages, off_host = [], [], []
    try:
        for _ in range(BURST):
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.set_default_timeout(UI_TIMEOUT_MS * 3)  # six kernels start at once
            page.on("request", lambda req: None if local(req.url) else off_host.append(req.url))
            page.goto(voila_server.url, wait_until="commit")
            contexts.append(context)
            pages.append(page)
            time.sleep(GAP_S)
        for i, page in enumerate(pages):
            # A page served without its widget says so (.pb-boot-failed) instead of staying blank.
            page.locator(".pb-start, .pb-boot-failed").first.wait_for(state="visible")
            failed = page.locator(".pb-boot-failed")
            assert failed.count() == 0, f"page {i + 1} served without its widget: " + str(
                failed.text_content()
            )
            expect(page.locator(".pb-start")).to_be_visible()
            expect(page.locator(".pb-boot")).to_have_count(0)
        kids = {kernel_id(page) for page in pages}
        assert len(kids) == BURST
    finally:
        for context, page in zip(contexts, pages, strict=True):
            page.close(run_before_unload=True)
            context.close()
    log = voila_server.log_path.read_text(encoding="utf-8", errors="replace")[log_start:]
    assert log.count(NO_WIDGET) == 0, f"{log.count(NO_WIDGET)} page(s) served without widget"
    assert "Address already in use" not in log
    assert off_host == [], "the page fetched from other servers"


def test_the_starting_notice_is_bilingual(voila_server: VoilaServer, browser: object) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(voila_server.url, wait_until="commit")
        notice = page.locator(".pb-boot")
        notice.wait_for(state="attached", timeout=UI_TIMEOUT_MS)
        starting = f"{text('page.starting', 'zh')} / {text('page.starting', 'en')}"
        assert notice.text_content() == starting
        page.locator(".pb-start").wait_for(state="visible", timeout=UI_TIMEOUT_MS)
        expect(notice).to_have_count(0)
        page.close(run_before_unload=True)
    finally:
        context.close()


def start_case_and_pick(staff: StaffPage, lib: Library, lang: str) -> tuple[Flow, str, str]:
    """Open an item-mismatch case, save the first step, pick (not send) an answer.

    Returns the flow, the case id and the picked option's label.
    """
    flow = Flow(staff, lib, "item-mismatch", "zh")
    if lang != "zh":
        flow.switch_language(lang)
    flow.start(item_mismatch_facts())
    flow.answer("our-error", "refund-status")  # saved
    flow.choose("open")  # not saved until Next
    case_id = staff.page.locator(".pb-page-state [data-case]").get_attribute("data-case")
    assert case_id
    expect(staff.page.locator(".pb-case")).to_contain_text(case_id)
    step = lib.scenario("item-mismatch").step("refund-status")
    label = next(o for o in step.options if o.id == "open").text.get(lang)
    return flow, case_id, label


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_killed_kernel_shows_banner_and_reopens_the_case(
    staff: StaffPage, lib: Library, voila_server: VoilaServer, lang: str
) -> None:
    flow, case_id, label = start_case_and_pick(staff, lib, lang)
    page = staff.page
    expect(page.locator(".pb-lost")).to_have_count(0)

    os.kill(kernel_process(voila_server, kernel_id(page)).pid, signal.SIGKILL)

    banner = page.locator(".pb-lost")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text(text("page.lost", lang))
    expect(banner).to_contain_text(text("page.saved", lang))
    expect(banner.locator(".pb-unsaved")).to_have_text(
        text("page.unsaved_choice", lang, choice=label)
    )
    reopen = banner.locator("a.pb-reopen")
    expect(reopen).to_have_text(text("page.reopen_case", lang, case=case_id))
    staff_page = "/voila/render/staff.ipynb"
    expect(reopen).to_have_attribute("href", f"{staff_page}?case={case_id}&lang={lang}")

    reopen.click()
    # The same case, at the step it was saved at, in the same language; the lost page's
    # choice was not saved, so nothing is selected.
    flow.expect_step("refund-status")
    expect(page.locator(".pb-case")).to_contain_text(case_id)
    expect(flow.radio("refund-status", "open")).not_to_be_checked()
    expect(page.locator(".pb-lost")).to_have_count(0)


def test_shut_down_kernel_shows_banner(
    staff: StaffPage, lib: Library, voila_server: VoilaServer
) -> None:
    # What the idle culler does: the server shuts the kernel down and closes its socket.
    _flow, case_id, _label = start_case_and_pick(staff, lib, "en")
    page = staff.page
    request = urllib.request.Request(
        f"{voila_server.url}api/kernels/{kernel_id(page)}", method="DELETE"
    )
    assert urllib.request.urlopen(request, timeout=30).status == 204

    banner = page.locator(".pb-lost")
    expect(banner).to_contain_text(text("page.lost", "en"))
    expect(banner.locator("a.pb-reopen")).to_have_attribute("href", re.compile(case_id))


def test_lost_kernel_on_the_start_screen_names_the_typed_facts(
    staff: StaffPage, voila_server: VoilaServer, lib: Library
) -> None:
    page = staff.page
    pick_dispute(page, lib.scenario("item-mismatch").title.zh)
    page.locator(".pb-fact-order_id input").fill("5f1e2d3c4b5a69788796a5b4")
    os.kill(kernel_process(voila_server, kernel_id(page)).pid, signal.SIGKILL)
    banner = page.locator(".pb-lost")
    expect(banner.locator(".pb-unsaved")).to_have_text(text("page.unsaved_facts", "zh"))
    expect(banner.locator("a.pb-reopen")).to_have_attribute(
        "href", "/voila/render/staff.ipynb?lang=zh"
    )
