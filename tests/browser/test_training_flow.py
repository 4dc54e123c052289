"""End to end: one whole training session on a real Voilà serving the training page.

The page is notebooks/training/training.ipynb.

The trainer creates a session in one browser context; two trainees join it in two more
contexts and answer differently (one backs out of a branch after scoring on it); the trainer's
view then shows both scores, the per-step error rate and every choice, and the exported CSV
holds exactly those choices. Texts compared against come from the library under data/.
"""

from __future__ import annotations

import base64
import csv
import io
import signal
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from playbook.config import REPO_ROOT
from playbook.library.library import Library
from playbook.training.items import Practice
from tests.browser.conftest import (
    ARTIFACTS,
    UI_TIMEOUT_MS,
    VoilaServer,
    _interrupt,
    require_chromium,
    save_artifacts,
    start_voila,
)
from tests.browser.helpers import pick

pytestmark = pytest.mark.browser

CASE = "uo-stock-out-in-time"
DUE = "2026-11-25 08:00 UTC"  # released 2026-11-20 08:00 + 5 calendar days


@pytest.fixture(scope="module")
def training_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VoilaServer]:
    """notebooks/training/training.ipynb on a real Voilà with a fresh SQLite case store."""
    require_chromium()
    var = tmp_path_factory.mktemp("training-var")
    server = start_voila(
        REPO_ROOT / "notebooks" / "training" / "training.ipynb",
        ARTIFACTS / "voila-training.log",
        extra_args=("--VoilaConfiguration.show_tracebacks=True",),
        extra_env={
            "PLAYBOOK_VAR_DIR": str(var),
            "PLAYBOOK_DB_URL": f"sqlite:///{var / 'cases.sqlite3'}",
        },
    )
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield server
    finally:
        server.stop()
        signal.signal(signal.SIGTERM, previous)


class Trainee:
    """One trainee's page, walking the practice case by the texts the page shows."""

    def __init__(self, page: Page, practice: Practice) -> None:
        self.page, self.practice = page, practice

    def join(self, name: str, code: str) -> None:
        self.page.locator(".pb-trainee-name input").fill(name)
        self.page.locator(".pb-session-code input").fill(code.lower())
        self.page.locator(".pb-join").click()
        self.expect_item("find-cause#deadline:auto_refund_deadline")

    def expect_item(self, key: str) -> None:
        item = self.practice.item(key)
        if item.prompt is not None:
            expect(self.page.locator(".pb-item .pb-prompt")).to_have_text(item.prompt.en)
        else:
            expect(self.page.locator(".pb-item")).to_contain_text(item.body.en)
            expect(self.page.locator(".pb-item .pb-prompt")).to_have_count(0)

    def answer(self, label: str, then: str) -> None:
        pick(self.page.locator(".pb-options"), label)
        self.page.locator(".pb-next").click()
        self.expect_item(then)

    def option(self, step_id: str, option_id: str) -> str:
        step = self.practice.scenario.step(step_id)
        return next(o.text.en for o in step.options if o.id == option_id)

    def go_on(self, then: str) -> None:
        self.page.locator(".pb-next").click()
        self.expect_item(then)


def open_page(browser: object, url: str) -> tuple[object, Page]:
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.set_default_timeout(UI_TIMEOUT_MS)
    page.goto(url, wait_until="commit")
    return context, page


def test_whole_training_session(
    request: pytest.FixtureRequest, training_server: VoilaServer, browser: object, lib: Library
) -> None:
    expect.set_options(timeout=UI_TIMEOUT_MS)
    practice = Practice(lib, lib.practice[CASE])
    pages: list[tuple[object, Page]] = []
    try:
        # --- the trainer creates the session -------------------------------------------------
        trainer_ctx, trainer = open_page(browser, training_server.url + "?view=trainer&lang=en")
        pages.append((trainer_ctx, trainer))
        trainer.locator(".pb-create").wait_for(state="visible")
        trainer.locator(".pb-trainer-name input").fill("Tina Trainer")
        trainer.locator(f".pb-practice-{CASE} input").check()
        trainer.locator(".pb-pass-mark input").fill("75")
        trainer.locator(".pb-create").click()
        code = trainer.locator(".pb-code").inner_text(timeout=UI_TIMEOUT_MS).strip()
        assert len(code) == 6

        # --- Amy answers everything as expected ----------------------------------------------
        amy_ctx, amy_page = open_page(browser, training_server.url + "?lang=en")
        pages.append((amy_ctx, amy_page))
        amy = Trainee(amy_page, practice)
        amy.join("Amy", code)
        amy.answer(DUE, "find-cause")
        expect(amy_page.locator(".pb-feedback .right")).to_be_visible()
        expect(amy_page.locator(".pb-feedback .pb-policy")).to_contain_text(
            lib.policy("wish", "auto_refund_deadline").source
        )
        amy.answer(amy.option("find-cause", "stock-out"), "contact-buyer")
        amy.go_on("buyer-reply")
        amy.answer(amy.option("buyer-reply", "will-wait"), "adjust-or-cancel")
        amy.answer(amy.option("adjust-or-cancel", "adjust"), "adjust-order")
        amy.go_on("buyer-decision")
        amy.answer(amy.option("buyer-decision", "accepted"), "lessons-learned")
        amy_page.locator(".pb-next").click()
        end = amy_page.locator(".pb-end")
        expect(end).to_contain_text("Score 5 of 5")
        expect(end.locator(".pb-case-result .pass")).to_be_visible()
        expect(end.locator("svg g[id='step-outcome-shipped']")).to_have_class(
            "node pb-node kind-outcome on-path expected current"
        )

        # --- Bo scores on a branch, backs out of it, then answers wrongly --------------------
        bo_ctx, bo_page = open_page(browser, training_server.url + "?lang=en")
        pages.append((bo_ctx, bo_page))
        bo = Trainee(bo_page, practice)
        bo.join("Bo", code)
        bo.answer(DUE, "find-cause")
        bo.answer(bo.option("find-cause", "stock-out"), "contact-buyer")
        expect(bo_page.locator(".pb-score")).to_have_text("Score so far: 2 of 5")
        bo_page.locator(".pb-back").click()
        bo.expect_item("find-cause")
        expect(bo_page.locator(".pb-score")).to_have_text("Score so far: 1 of 5")
        bo.answer(bo.option("find-cause", "policy-change"), "contact-buyer")
        expect(bo_page.locator(".pb-feedback .wrong")).to_be_visible()
        bo.go_on("buyer-reply")
        bo.answer(bo.option("buyer-reply", "will-wait"), "adjust-or-cancel")
        expect(bo_page.locator(".pb-options input[type=radio]")).to_have_count(1)  # no adjust
        bo.answer(bo.option("adjust-or-cancel", "cancel"), "cancel-order")
        bo.go_on("lessons-learned")
        bo_page.locator(".pb-next").click()
        expect(bo_page.locator(".pb-end")).to_contain_text("Score 2 of 5")
        expect(bo_page.locator(".pb-end .pb-case-result .fail")).to_be_visible()
        expect(bo_page.locator(".pb-end svg g[id='step-outcome-cancelled']")).to_have_class(
            "node pb-node kind-outcome on-path current"
        )

        # --- the trainer's view ----------------------------------------------------------------
        trainer.locator(".pb-refresh").click()
        trainees = trainer.locator(".pb-trainees")
        expect(trainees.locator("tr", has_text="Amy")).to_contain_text("5 / 5 (100%)")
        expect(trainees.locator("tr", has_text="Amy")).to_contain_text("passed")
        expect(trainees.locator("tr", has_text="Bo")).to_contain_text("2 / 5 (40%)")
        expect(trainees.locator("tr", has_text="Bo")).to_contain_text("not passed")
        cause = lib.scenario("unfulfilled-order").step("find-cause").title.en
        row = trainer.locator(".pb-items tr", has_text=cause).filter(has_not_text="By when")
        expect(row).to_contain_text("33% (1/3)")
        expect(row).to_contain_text(bo.option("find-cause", "policy-change"))
        wrong_fb = practice.case.question("find-cause").feedback["policy-change"].text.en
        expect(row).to_contain_text(wrong_fb)
        expect(trainer.locator(".pb-items tr", has_text="Adjust the order")).to_contain_text(
            "50% (1/2)"
        )
        expect(trainer.locator(".pb-choices tr")).to_have_count(1 + 11)

        href = trainer.locator("a.pb-csv").get_attribute("href")
        data = base64.b64decode(href.split("base64,", 1)[1]).decode("utf-8").lstrip("\ufeff")
        got = [
            (r["trainee"], r["kind"], r["item"], r["option"], r["counted"])
            for r in csv.DictReader(io.StringIO(data))
        ]
        assert got == [
            ("Amy", "answer", "find-cause#deadline:auto_refund_deadline", "d202611250800", "yes"),
            ("Amy", "answer", "find-cause", "stock-out", "yes"),
            ("Amy", "answer", "buyer-reply", "will-wait", "yes"),
            ("Amy", "answer", "adjust-or-cancel", "adjust", "yes"),
            ("Amy", "answer", "buyer-decision", "accepted", "yes"),
            ("Bo", "answer", "find-cause#deadline:auto_refund_deadline", "d202611250800", "yes"),
            ("Bo", "answer", "find-cause", "stock-out", "no"),
            ("Bo", "back", "find-cause", "", "no"),
            ("Bo", "answer", "find-cause", "policy-change", "yes"),
            ("Bo", "answer", "buyer-reply", "will-wait", "yes"),
            ("Bo", "answer", "adjust-or-cancel", "cancel", "yes"),
        ]
    finally:
        failed = (
            getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
        )
        for context, page in pages:
            if failed:
                save_artifacts(
                    f"{request.node.nodeid}-{pages.index((context, page))}", page, training_server
                )
            page.close(run_before_unload=True)
            context.close()
