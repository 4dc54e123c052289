"""Browser-test helpers: page objects for the staff page and a raw kernel websocket client.

Imported by the test modules (fixtures and the Voilà server live in ``conftest.py``). Steps are
found by CSS hooks; the texts compared against come from the library under data/.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

import websocket  # websocket-client, a jupyter_server dependency
from playwright.sync_api import Page, expect

from playbook.i18n import text
from playbook.library.library import Library
from playbook.scenarios.fact_options import fact_options
from playbook.scenarios.policies import policy_text
from tests.browser.conftest import StaffPage

ORDER_ID = "5f1e2d3c4b5a69788796a5b4"
BUYER = "Maria Lopez"
STORE = "Sunny Home Store"
AGENT = "Test Agent"
CONTROL_PROTOCOL = "1.0.0"  # ipywidgets' jupyter.widget.control comm (major version checked)
REPLY_TIMEOUT = 30.0


def stamp(when: dt.datetime) -> str:
    """How staff type a UTC date and time into the facts form."""
    return when.strftime("%Y-%m-%d %H:%M")


def ago(**delta: float) -> dt.datetime:
    """The real now minus ``delta``, cut to the minute (the form's precision)."""
    return (dt.datetime.now(dt.UTC) - dt.timedelta(**delta)).replace(second=0, microsecond=0)


def due_text(start: dt.datetime, **delta: float) -> str:
    """A deadline as the page prints it."""
    return (start + dt.timedelta(**delta)).strftime("%Y-%m-%d %H:%M UTC")


def sign_in(page: Page) -> None:
    """Type the acting person's name where the page asks for one (store-backed page only)."""
    actor = page.locator(".pb-actor input")
    if actor.is_visible():
        actor.fill(AGENT)


def pick(radios: Any, label: str) -> None:
    """Click the radio button labelled ``label`` (the label covers the input itself)."""
    radios.locator("label").filter(has_text=re.compile(f"^{re.escape(label)}$")).click()


def pick_dispute(page: Page, title: str) -> None:
    """Click the dispute ``title`` in the picker (its label goes on: "— use this when…")."""
    pattern = re.compile(f"^{re.escape(title)}( — .*)?$")
    page.locator(".pb-disputes .widget-radio-box label").filter(has_text=pattern).click()


def fill_fact(page: Page, lib: Library, fact_id: str, value: str, lang: str) -> None:
    """Give a fact on the start form as a person does: pick it from its list, or type it.

    ``value`` is what the case keeps (a choice's or a currency's id, a country's code).
    """
    box = page.locator(f".pb-facts .pb-fact-{fact_id}")
    fact = lib.facts[fact_id]
    labels = dict((ident, label) for label, ident in fact_options(fact, lang))
    if fact.type in ("choice", "currency") and value:
        box.locator("select").select_option(label=labels[value])
    elif fact.type == "country" and value in labels:
        box.locator("input").fill(labels[value])
    else:
        box.locator("input, textarea").fill(value)


class Flow:
    """One walk through a scenario on the page, in one language."""

    def __init__(self, staff: StaffPage, lib: Library, scenario_id: str, lang: str) -> None:
        self.page: Page = staff.page
        self.lib = lib
        self.scenario = lib.scenario(scenario_id)
        self.lang = lang
        self.step_id: str | None = None

    # --- locators ----------------------------------------------------------------------------

    @property
    def title(self) -> Any:
        """The current step's heading."""
        return self.page.locator(".pb-step h2")

    def radio(self, step_id: str, option_id: str) -> Any:
        """The radio button of ``option_id`` at ``step_id``."""
        option = next(o for o in self.scenario.step(step_id).options if o.id == option_id)
        return self.page.locator(".pb-options").get_by_role(
            "radio", name=option.text.get(self.lang), exact=True
        )

    def draft(self, template_id: str) -> Any:
        """The message draft (English, to send) of ``template_id``."""
        return self.page.locator(f".pb-drafts textarea.pb-draft-{template_id}")

    def deadline(self) -> Any:
        """The current step's (only) deadline line."""
        return self.page.locator(".pb-step .pb-deadline")

    # --- moves -------------------------------------------------------------------------------

    def switch_language(self, lang: str) -> None:
        """Click 中文 or English and wait until the Next/Start labels follow."""
        label = {"zh": "中文", "en": "English"}[lang]
        self.page.locator(".pb-lang button", has_text=label).click()
        self.lang = lang
        hook = ".pb-start" if self.step_id is None else ".pb-next"
        key = "ui.start" if self.step_id is None else "ui.next"
        expect(self.page.locator(hook)).to_have_text(text(key, lang))
        if self.step_id is not None:
            self.expect_step(self.step_id)

    def pick_scenario(self) -> None:
        """Pick the scenario and wait until the facts form is rebuilt for it."""
        page = self.page
        pick_dispute(page, self.scenario.title.get(self.lang))
        # The form shows once the kernel has the pick: wait until this scenario's facts are
        # on screen (those only an analyst fills are never asked).
        for ref in self.scenario.facts:
            box = page.locator(f".pb-facts .pb-fact-{ref.id}")
            if self.lib.facts[ref.id].filled_by == "staff":
                expect(box).to_be_visible()
            else:
                expect(box).to_have_count(0)

    def start(self, facts: dict[str, str]) -> None:
        """Pick the scenario, fill the facts form, press Start, wait for the first step."""
        page = self.page
        self.pick_scenario()
        for fact_id, value in facts.items():
            fill_fact(page, self.lib, fact_id, value, self.lang)
        sign_in(page)
        page.locator(".pb-start").click()
        self.expect_step(self.scenario.start)

    def expect_step(self, step_id: str) -> None:
        """Wait until ``step_id`` is the step shown."""
        expect(self.title).to_have_text(self.scenario.step(step_id).title.get(self.lang))
        self.step_id = step_id

    def choose(self, option_id: str) -> None:
        """Select an option of the current step."""
        option = next(o for o in self.scenario.step(self.step_id).options if o.id == option_id)
        pick(self.page.locator(".pb-options"), option.text.get(self.lang))
        expect(self.radio(self.step_id, option_id)).to_be_checked()

    def next(self, expected: str) -> None:
        """Press Next and wait for step ``expected``."""
        self.page.locator(".pb-next").click()
        self.expect_step(expected)

    def answer(self, option_id: str, expected: str) -> None:
        """Choose ``option_id`` at the current step, press Next, wait for ``expected``."""
        self.choose(option_id)
        self.next(expected)

    def back(self, expected: str) -> None:
        """Press Back and wait for step ``expected``."""
        self.page.locator(".pb-back").click()
        self.expect_step(expected)

    def expect_outcome(self, step_id: str) -> None:
        """Wait for outcome ``step_id`` and check its text and the finished-walk buttons."""
        self.expect_step(step_id)
        step = self.scenario.step(step_id)
        # As the page shows it: {policy:KEY} numbers filled in, at the real clock it reads.
        policies = self.lib.policies[self.scenario.platform].policies
        shown = policy_text(step.text.get(self.lang), policies, self.lang, dt.datetime.now(dt.UTC))
        expect(self.page.locator(".pb-step")).to_contain_text(shown)
        expect(self.page.locator(".pb-step .pb-outcome")).to_be_visible()
        expect(self.page.locator(".pb-restart")).to_be_visible()
        expect(self.page.locator(".pb-next")).to_be_hidden()


def expect_draft(flow: Flow, template_id: str, *texts: str) -> None:
    """The English draft of ``template_id`` is shown, holds ``texts`` and no raw placeholder."""
    draft = flow.draft(template_id)
    for value in texts:
        expect(draft).to_have_value(re.compile(re.escape(value)))
    expect(draft).not_to_have_value(re.compile(r"\{\w+\}"))


def expect_deadline(flow: Flow, label_of: tuple[str, int], due: str, state: str) -> None:
    """The current step's deadline ``(step_id, index)`` shows ``due`` and is classed ``state``."""
    step_id, index = label_of
    ref = flow.scenario.step(step_id).deadlines[index]
    policies = flow.lib.policies[flow.scenario.platform].policies
    label = policy_text(ref.label.get(flow.lang), policies, flow.lang, dt.datetime.now(dt.UTC))
    line = flow.page.locator(".pb-step .pb-deadline").filter(has_text=label)
    expect(line).to_contain_text(due)
    expect(line).to_have_class(re.compile(rf"\b{state}\b"))


def tick(flow: Flow, kind: str, item_id: str) -> None:
    """Tick an evidence item (``evidence``) or a root cause (``cause``)."""
    box = flow.page.locator(f".pb-{kind}-{item_id} input")
    box.check()
    expect(box).to_be_checked()


def restart_in(flow: Flow, lang: str) -> None:
    """From a finished walk: Restart, back on the start screen, then switch language."""
    flow.page.locator(".pb-restart").click()
    flow.page.locator(".pb-start").wait_for(state="visible")
    flow.step_id = None
    flow.switch_language(lang)


def item_mismatch_facts(**extra: str) -> dict[str, str]:
    """The required facts of item-mismatch plus ``extra``."""
    facts = {
        "order_id": ORDER_ID,
        "buyer_name": BUYER,
        "store_name": STORE,
        "order_total": "24.99",
        "currency": "USD",
    }
    facts.update(extra)
    return facts


def unfulfilled_facts(released: dt.datetime, **extra: str) -> dict[str, str]:
    """The required facts of unfulfilled-order plus ``extra``."""
    facts = {
        "order_id": ORDER_ID,
        "buyer_name": BUYER,
        "store_name": STORE,
        "released_at": stamp(released),
    }
    facts.update(extra)
    return facts


def expect_draft_for_this_order(draft: Any) -> None:
    """The draft names the buyer and the order (the placeholders were filled)."""
    expect(draft).to_have_value(re.compile(re.escape(BUYER)))
    expect(draft).to_have_value(re.compile(re.escape(ORDER_ID)))
    expect(draft).not_to_have_value(re.compile(r"\{\w+\}"))


class KernelSocket:
    """A raw client of the page's kernel websocket, as any visitor could open one.

    Only the message types Voilà lets through are used (comm_open, comm_msg). Kernel messages
    are handled in order, so a reply to a later request proves an earlier message was handled.
    """

    def __init__(self, base_url: str, kernel_id: str, headers: list[str] | None = None) -> None:
        ws_url = base_url.replace("http://", "ws://", 1)
        self.session = uuid.uuid4().hex
        self.ws = websocket.create_connection(
            f"{ws_url}api/kernels/{kernel_id}/channels?session_id={self.session}",
            timeout=30,
            header=headers or [],
        )
        self.control = uuid.uuid4().hex
        self.send(
            "comm_open",
            comm_id=self.control,
            target_name="jupyter.widget.control",
            data={},
            metadata={"version": CONTROL_PROTOCOL},
        )

    def send(self, msg_type: str, metadata: dict | None = None, **content: Any) -> str:
        """Send a shell message; return its id."""
        msg_id = uuid.uuid4().hex
        header = {
            "msg_id": msg_id,
            "msg_type": msg_type,
            "username": "visitor",
            "session": self.session,
            "date": dt.datetime.now(dt.UTC).isoformat(),
            "version": "5.3",
        }
        msg = {
            "header": header,
            "parent_header": {},
            "metadata": metadata or {},
            "content": content,
            "channel": "shell",
            "buffers": [],
        }
        self.ws.send(json.dumps(msg))
        return msg_id

    def states(self) -> dict[str, dict]:
        """Every widget's state in the kernel (``request_states`` on the control comm)."""
        request = self.send("comm_msg", comm_id=self.control, data={"method": "request_states"})
        for msg in self.messages():
            content = msg.get("content", {})
            if (
                msg.get("parent_header", {}).get("msg_id") == request
                and msg["header"]["msg_type"] == "comm_msg"
                and content.get("data", {}).get("method") == "update_states"
            ):
                return content["data"]["states"]
        raise AssertionError(f"no widget states from the kernel within {REPLY_TIMEOUT} s")

    def messages(self) -> Iterator[dict]:
        """Kernel messages as they come, for at most REPLY_TIMEOUT seconds.

        JSON frames only: binary frames carry buffers, and no widget here has any.
        """
        deadline = time.monotonic() + REPLY_TIMEOUT
        while (left := deadline - time.monotonic()) > 0:
            self.ws.settimeout(left)
            try:
                frame = self.ws.recv()
            except websocket.WebSocketTimeoutException:
                return
            if isinstance(frame, str):
                yield json.loads(frame)

    def model_id(self, states: dict[str, dict], css_class: str) -> str:
        """The id of the one widget model carrying ``css_class``."""
        found = [
            mid for mid, s in states.items() if css_class in s["state"].get("_dom_classes", ())
        ]
        assert len(found) == 1, f"{css_class}: {found}"
        return found[0]

    def click(self, model_id: str) -> None:
        """What the front-end sends when a button is clicked."""
        self.send(
            "comm_msg",
            comm_id=model_id,
            data={"method": "custom", "content": {"event": "click"}},
        )

    def close(self) -> None:
        """Hang up (the page's own connection stays)."""
        self.ws.close()
