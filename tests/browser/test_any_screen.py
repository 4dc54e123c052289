"""Any screen, any keyboard: the pages fit a phone and a tablet, and work with keys alone.

The staff, trainee, trainer and lessons pages at 390 px (a phone) and 768 px (a tablet) with
no sideways scroll (maps scale to the column, tables scroll in their own box), a
keyboard-only walk of item-mismatch to an outcome with visible focus, and axe-core (npm,
injected into the page) finding no violation of any impact.

Screenshots go to test-artifacts/screens/, axe results to test-artifacts/axe/ and the summary
at the end of the test run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from playbook.config import REPO_ROOT
from playbook.library.library import Library
from playbook.load import load_library
from playbook.training.items import Practice
from tests.browser.conftest import (
    ARTIFACTS,
    AXE_SUMMARY,
    UI_TIMEOUT_MS,
    StaffPage,
    VoilaServer,
    require_chromium,
    save_artifacts,
    start_voila,
)
from tests.browser.helpers import Flow, item_mismatch_facts, sign_in
from tests.browser.test_training_flow import CASE, DUE, Trainee
from tests.lessons_store import make_cases_module

pytestmark = pytest.mark.browser

AXE = REPO_ROOT / "var" / "node" / "node_modules" / "axe-core" / "axe.min.js"
SCREENS = ARTIFACTS / "screens"
WIDTHS = (390, 768)

# Visible elements reaching past the window's right edge (cut off, or scrolling the page),
# unless a box that scrolls sideways (a table's own scroll box) holds them; and the page's own
# scroll width.
MEASURE = """
() => {
  const vw = window.innerWidth;
  const shown = (el) => el.getClientRects().length > 0
    && getComputedStyle(el).visibility !== 'hidden';
  // a table's own scroll box (not the page's or the app's: those would be sideways scroll)
  const held = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (p.tagName === 'TABLE' && (o === 'auto' || o === 'scroll')
          && p.getBoundingClientRect().right <= vw + 1) return true;
    }
    return false;
  };
  const name = (el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} `
    + JSON.stringify((el.textContent || el.value || '').trim().slice(0, 30));
  const wide = [];
  for (const el of document.querySelectorAll('.pb-app, .pb-app *')) {
    if (!shown(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > vw + 1 && !held(el)) {
      wide.push(`${name(el)} reaches ${Math.round(r.right)} px`);
    }
    // text that runs past its own box (cut off where the box clips it)
    const o = getComputedStyle(el).overflowX;
    if (['P', 'LI', 'TD', 'TH', 'LABEL', 'SPAN', 'B'].includes(el.tagName)
        && o !== 'auto' && o !== 'scroll' && el.scrollWidth > el.clientWidth + 1
        && el.clientWidth > 0 && !held(el)) {
      wide.push(`${name(el)} needs ${el.scrollWidth} px, has ${el.clientWidth}`);
    }
  }
  return {window: vw, page: document.documentElement.scrollWidth, wide: wide.slice(0, 12)};
}
"""


def shot(page: Page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


def assert_no_sideways_scroll(page: Page, where: str) -> None:
    found = page.evaluate(MEASURE)
    problems = list(found["wide"])
    if found["page"] > found["window"]:
        problems.append(f"the page scrolls sideways: {found['page']} px in {found['window']} px")
    assert not problems, f"{where}:\n" + "\n".join(problems)


def require_axe() -> None:
    if AXE.exists():
        return
    message = f"{AXE} not found: run `make team-setup` (npm install under var/node)"
    if os.environ.get("CI") or os.environ.get("PLAYBOOK_REQUIRE_ALL_TESTS"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def axe_check(page: Page, name: str) -> list[dict]:
    """Run axe-core on the page; keep its results; every violation, whatever its impact."""
    require_axe()
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async () => {
          const r = await axe.run(document, {resultTypes: ['violations']});
          return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 8).map(n => n.target.join(' '))}));
        }"""
    )
    out = ARTIFACTS / "axe"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(violations, indent=2, ensure_ascii=False))
    counts: dict[str, int] = {}
    for v in violations:
        counts[v["impact"] or "none"] = counts.get(v["impact"] or "none", 0) + len(v["nodes"])
    AXE_SUMMARY.append(f"axe {name}: {json.dumps(counts, sort_keys=True) or '{}'}")
    return violations


# --- servers and pages -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def training_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VoilaServer]:
    require_chromium()
    var = tmp_path_factory.mktemp("screen-training")
    server = start_voila(
        REPO_ROOT / "notebooks" / "training" / "training.ipynb",
        ARTIFACTS / "voila-screen-training.log",
        extra_env={"PLAYBOOK_VAR_DIR": str(var), "PLAYBOOK_DB_URL": f"sqlite:///{var}/c.sqlite3"},
    )
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def lessons_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VoilaServer]:
    require_chromium()
    var = tmp_path_factory.mktemp("screen-lessons")
    url = f"sqlite:///{var / 'cases.sqlite3'}"
    make_cases_module().build_known_store(url, load_library()).close()
    server = start_voila(
        REPO_ROOT / "notebooks" / "pages" / "lessons.ipynb",
        ARTIFACTS / "voila-screen-lessons.log",
        extra_env={"PLAYBOOK_VAR_DIR": str(var), "PLAYBOOK_DB_URL": url},
    )
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def opened(request: pytest.FixtureRequest, browser: object) -> Iterator:
    """Open a URL in a fresh context of the given width; closed (and kept on failure) after."""
    expect.set_options(timeout=UI_TIMEOUT_MS)
    pages: list[Page] = []

    def go(url: str, width: int) -> Page:
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.set_default_timeout(UI_TIMEOUT_MS)
        page.goto(url, wait_until="commit")
        pages.append(page)
        return page

    yield go
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for page in pages:
        if failed:
            save_artifacts(request.node.nodeid, page, _Log())
        page.close(run_before_unload=True)
        page.context.close()


class _Log:
    """No server log to copy (save_artifacts takes one)."""

    log_path = Path("/nonexistent")


def staff_walk_screens(page: Page, lib: Library, name: str, check) -> None:
    """The staff page's start (form on screen), a step with its draft and map, the case list."""
    page.locator(".pb-disputes").wait_for(state="visible")

    flow = Flow(StaffPage(page, page.url), lib, "item-mismatch", "zh")
    flow.pick_scenario()
    check(page, f"{name}-start")
    flow_start_rest(page, lib, flow)
    flow.answer("our-error", "refund-status")
    flow.answer("open", "own-it")
    page.locator(".pb-issue button").first.wait_for(state="visible")
    page.locator(".pb-map-toggle").click()
    page.locator(".pb-map svg").wait_for(state="visible")
    check(page, f"{name}-step-map")
    page.locator(".pb-nav button").first.click()
    page.locator(".pb-case-rows button").first.wait_for(state="visible")
    check(page, f"{name}-cases")


def flow_start_rest(page: Page, lib: Library, flow: Flow) -> None:
    from tests.browser.helpers import fill_fact

    for fact_id, value in item_mismatch_facts().items():
        fill_fact(page, lib, fact_id, value, "zh")
    sign_in(page)
    page.locator(".pb-start").click()
    flow.expect_step(flow.scenario.start)


def trainee_to_the_end(page: Page, lib: Library, code: str, check, name: str) -> None:
    practice = Practice(lib, lib.practice[CASE])
    amy = Trainee(page, practice)
    page.locator(".pb-join").wait_for(state="visible")
    check(page, f"{name}-join")
    amy.join("Amy", code)
    amy.answer(DUE, "find-cause")
    check(page, f"{name}-question")
    amy.answer(amy.option("find-cause", "stock-out"), "contact-buyer")
    amy.go_on("buyer-reply")
    amy.answer(amy.option("buyer-reply", "will-wait"), "adjust-or-cancel")
    amy.answer(amy.option("adjust-or-cancel", "adjust"), "adjust-order")
    amy.go_on("buyer-decision")
    amy.answer(amy.option("buyer-decision", "accepted"), "lessons-learned")
    page.locator(".pb-next").click()
    page.locator(".pb-end svg").wait_for(state="visible")
    check(page, f"{name}-end-map")


def new_session(page: Page) -> str:
    page.locator(".pb-create").wait_for(state="visible")
    page.locator(".pb-trainer-name input").fill("Tina Trainer")
    page.locator(f".pb-practice-{CASE} input").check()
    page.locator(".pb-pass-mark input").fill("75")
    page.locator(".pb-create").click()
    return page.locator(".pb-code").inner_text().strip()


# --- widths -----------------------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_the_staff_page_fits_a_phone_and_a_tablet(
    opened, voila_server: VoilaServer, lib: Library, width: int
) -> None:
    def check(page: Page, name: str) -> None:
        shot(page, name)
        assert_no_sideways_scroll(page, name)

    page = opened(voila_server.url, width)
    staff_walk_screens(page, lib, f"staff-{width}", check)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_trainee_and_trainer_pages_fit_a_phone_and_a_tablet(
    opened, training_server: VoilaServer, lib: Library, width: int
) -> None:
    def check(page: Page, name: str) -> None:
        shot(page, name)
        assert_no_sideways_scroll(page, name)

    trainer = opened(training_server.url + "?view=trainer&lang=en", width)
    code = new_session(trainer)
    trainee = opened(training_server.url + "?lang=en", width)
    trainee_to_the_end(trainee, lib, code, check, f"trainee-{width}")
    trainer.locator(".pb-refresh").click()
    expect(trainer.locator(".pb-choices tr")).to_have_count(1 + 5)
    check(trainer, f"trainer-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_lessons_page_fits_a_phone_and_a_tablet(
    opened, lessons_server: VoilaServer, width: int
) -> None:
    page = opened(lessons_server.url + "?lang=zh", width)
    page.locator(".pb-lessons").wait_for(state="visible")
    page.locator(".pb-chart-weekly img").wait_for(state="visible")
    shot(page, f"lessons-{width}")
    assert_no_sideways_scroll(page, f"lessons {width} px, charts")
    expect(page.locator(".pb-filter-start .widget-label")).to_have_text("开案自")
    page.locator(".pb-chart-weekly .pb-chart-mode button").nth(1).click()
    page.locator(".pb-chart-weekly .pb-chart-table table").wait_for(state="visible")
    assert_no_sideways_scroll(page, f"lessons {width} px, a table")


# --- keyboard ---------------------------------------------------------------------------------


def tab_to(page: Page, selector: str, limit: int = 200) -> None:
    """Press Tab until the focused element is (or is inside) ``selector``; check focus shows."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(
            "(s) => !!(document.activeElement && document.activeElement.closest(s))", selector
        ):
            ring = page.evaluate(
                """() => { const s = getComputedStyle(document.activeElement);
                  return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2; }"""
            )
            assert ring, f"focus on {selector} is not visible"
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_a_whole_case_with_the_keyboard_alone(staff, lib: Library) -> None:
    page = staff.page
    scenario = lib.scenario("item-mismatch")
    # the dispute: Tab into the first group, Space picks the first dispute (item-mismatch)
    tab_to(page, ".pb-scenario-group-buyer-complains input")
    page.keyboard.press("Space")
    expect(page.locator(".pb-facts .pb-fact-order_id input")).to_be_visible()
    # the facts: Tab from box to box, typing; the currency from its list with the keys
    for fact_id, value in item_mismatch_facts().items():
        if fact_id == "currency":
            tab_to(page, ".pb-fact-currency select")
            page.keyboard.type("USD")  # a list jumps to what is typed
            continue
        tab_to(page, f".pb-fact-{fact_id} input")
        page.keyboard.type(value)
    expect(page.locator(".pb-fact-currency select")).to_have_value(
        page.locator(".pb-fact-currency option", has_text="USD ·").first.get_attribute("value")
    )
    tab_to(page, ".pb-actor input")
    page.keyboard.type("Keyboard Kim")
    tab_to(page, ".pb-start")
    page.keyboard.press("Enter")
    expect(page.locator(".pb-step h2")).to_have_text(scenario.step(scenario.start).title.zh)
    # the walk: each question with the arrow keys, Next with Space, to an outcome
    steps = {step.title.zh: step for step in scenario.steps}
    for _ in range(40):
        if page.locator(".pb-step .pb-outcome").count():  # drawn with the step's title
            break
        title = page.locator(".pb-step h2").inner_text()
        # The step is drawn in parts, its title first and the walk's pb-shows-<step> class
        # last: until then the last step's options can still be there, or be emptied but not
        # yet hidden.
        expect(page.locator(f".pb-walk-view.pb-shows-{steps[title].id}")).to_have_count(1)
        if page.locator(".pb-options").is_visible():
            expect(page.locator(".pb-options input").first).to_be_visible()
            tab_to(page, ".pb-options input")
            page.keyboard.press("ArrowDown")  # moves to, and picks, the second option
            page.keyboard.press("ArrowUp")  # and back to the first: picked with the keys
            expect(page.locator(".pb-options input:checked")).to_have_count(1)
        expect(page.locator(".pb-next")).to_be_enabled()  # once the kernel has the choice
        tab_to(page, ".pb-next")
        page.keyboard.press("Space")
        expect(page.locator(".pb-step h2")).not_to_have_text(title)
    expect(page.locator(".pb-step .pb-outcome")).to_be_visible()
    expect(page.locator(".pb-restart")).to_be_visible()


# --- accessibility ----------------------------------------------------------------------------


def test_axe_finds_no_violation_on_the_staff_page(opened, voila_server, lib) -> None:
    found = []

    def check(page: Page, name: str) -> None:
        found.extend((name, v) for v in axe_check(page, name))

    page = opened(voila_server.url, 1280)
    staff_walk_screens(page, lib, "staff", check)
    assert found == []


def test_axe_finds_no_violation_on_the_trainee_and_trainer_pages(
    opened, training_server, lib
) -> None:
    found = []

    def check(page: Page, name: str) -> None:
        found.extend((name, v) for v in axe_check(page, name))

    trainer = opened(training_server.url + "?view=trainer&lang=zh", 1280)
    code = new_session(trainer)
    trainee = opened(training_server.url + "?lang=en", 1280)
    trainee_to_the_end(trainee, lib, code, check, "trainee")
    trainer.locator(".pb-refresh").click()
    trainer.locator(".pb-choices").wait_for(state="visible")
    check(trainer, "trainer")
    assert found == []


def test_axe_finds_no_violation_on_the_lessons_page(opened, lessons_server) -> None:
    page = opened(lessons_server.url + "?lang=zh", 1280)
    page.locator(".pb-chart-weekly img").wait_for(state="visible")
    assert axe_check(page, "lessons") == []
