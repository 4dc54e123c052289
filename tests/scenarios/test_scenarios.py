"""The seed scenarios: every data file loads, every path is walked, the article's order holds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from playbook.library.model import Scenario, routes
from playbook.library.yamlio import load_yaml
from playbook.scenarios.engine import Walk, explore
from playbook.scenarios.facts import parse_facts
from playbook.scenarios.templates import render
from tests.conftest import AS_OF, DATA

SCENARIO_FILES = sorted((DATA / "scenarios").glob("*.yaml"))
TEMPLATE_FILES = sorted((DATA / "templates").glob("*.yaml"))

BASE = {
    "order_id": "5f1e2d3c4b5a69788796a5b4",
    "buyer_name": "Mia Lindqvist",
    "store_name": "Harbor Lane Goods",
    "order_total": "24.99",
    "currency": "USD",
    "released_at": "2026-11-21 08:00",
}
# Fact profiles that between them take every declarative branch of the seed scenarios.
PROFILES = {
    "item-mismatch": [
        {},
        {"order_total": "9.50"},
        {"order_total": "9.50", "manages_own_returns": "yes"},
    ],
    "unfulfilled-order": [{}, {"released_at": "2026-11-16 08:00"}],
}


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.name)
def test_scenario_file_loads(lib, path: Path) -> None:
    scenario = Scenario.model_validate(load_yaml(path))
    assert scenario.id == path.stem
    assert lib.scenario(scenario.id) == scenario


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=lambda p: p.name)
def test_template_file_loads(lib, path: Path) -> None:
    assert lib.templates[path.stem].body.en


def _walks(lib, scenario_id: str) -> list[Walk]:
    scenario = lib.scenario(scenario_id)
    out = []
    for profile in PROFILES[scenario_id]:
        facts, errors = parse_facts(scenario, lib.facts, {**BASE, **profile})
        assert errors == {}
        start = Walk(scenario, facts, AS_OF, lib.policies["wish"].policies)
        out.extend(explore(start))
    return out


def _edges(walk: Walk) -> set[tuple[str, str]]:
    return set(zip(walk.path, walk.path[1:], strict=False))


@pytest.mark.parametrize("scenario_id", sorted(PROFILES))
def test_every_path_reaches_an_outcome_and_covers_the_graph(lib, scenario_id: str) -> None:
    scenario = lib.scenario(scenario_id)
    walks = _walks(lib, scenario_id)
    assert walks
    assert all(w.finished and w.current.kind == "outcome" for w in walks)
    static = {
        (s.id, r.to)
        for s in scenario.steps
        for r in [*routes(s.next), *(r for o in s.options for r in routes(o.next))]
    }
    walked = set().union(*(_edges(w) for w in walks))
    assert static - walked == set(), "edges no path takes"
    assert {s.id for s in scenario.steps} == {sid for w in walks for sid in w.path}


def _before(path: list[str], *steps: str) -> bool:
    positions = [path.index(s) for s in steps]
    return positions == sorted(positions)


class TestArticleOrder:
    """The source article's steps appear on the paths where it puts them."""

    def test_item_mismatch(self, lib) -> None:
        walks = _walks(lib, "item-mismatch")
        messages = {"own-it", "contact-buyer"}  # the steps that write to the buyer
        for w in walks:
            # 在联系买家之前: order and packing records, then the refund/ticket status, come
            # before the first message to the buyer.
            assert w.path[:2] == ["confirm-order", "refund-status"]
            if w.answers["refund-status"] == "chargeback":
                # Not a Wish refund dispute: handed to the chargeback playbook at once.
                assert w.path[2:] == ["outcome-chargeback"]
                continue
            first_message = min(w.path.index(s) for s in messages if s in w.path)
            assert first_message == 2
            # Risk prevention closes every other path.
            assert w.path[-2] == "risk-review"
            if w.answers["confirm-order"] == "our-error":
                assert w.path[2:4] == ["own-it", "choose-remedy"]
                assert "prepare-appeal" not in w.path
            if "prepare-appeal" in w.path:
                # Evidence before the appeal, the appeal before the review.
                assert _before(
                    w.path,
                    "explain-with-evidence",
                    "prepare-appeal",
                    "appeal-result",
                    "risk-review",
                )
        outcomes = {w.current.id for w in walks}
        assert outcomes == {
            s.id for s in lib.scenario("item-mismatch").steps if s.kind == "outcome"
        }

    def test_unfulfilled_order(self, lib) -> None:
        walks = _walks(lib, "unfulfilled-order")
        for w in walks:
            assert w.path[0] == "find-cause"
            # Lessons learned close every path.
            assert w.path[-2] == "lessons-learned"
            cause = w.answers["find-cause"]
            if cause == "we-shipped":
                # Proof of shipment before the dispute.
                assert w.path[1:4] == ["gather-proof", "appeal-with-evidence", "appeal-result"]
            elif "past-deadline" in w.path:
                assert w.path[1] == "past-deadline"
            elif cause == "address-problem":
                # Wish's advice: ship to the address given, never "adjust or cancel".
                assert w.path[1:3] == ["ship-to-address", "shipped-in-time"]
                assert "cancel-order" not in w.path
            else:
                assert w.path[1:3] == ["contact-buyer", "buyer-reply"]
            if "adjust-order" in w.path:
                assert _before(w.path, "contact-buyer", "adjust-order", "buyer-decision")
        ends = {(w.path[-3], w.current.id) for w in walks}
        # The article's part 二 branches each lead somewhere of their own.
        assert ("buyer-cancels", "outcome-buyer-cancelled") in {
            (w.path[-3], w.current.id) for w in walks
        }
        assert ("missed-deadline", "outcome-auto-refunded") in ends
        replies = {w.answers.get("buyer-reply") for w in walks}
        assert replies >= {"will-wait", "good-reason", "asks-cancel", "no-reply"}
        assert any(w.current.id == "outcome-shipped" for w in walks)


def _all_texts(scenario) -> list[str]:
    out = [scenario.title.en, scenario.summary.en, scenario.title.zh, scenario.summary.zh]
    for step in scenario.steps:
        texts = [step.title, step.text, step.guidance, *step.actions]
        texts += [o.text for o in step.options] + [e.why for e in step.evidence]
        texts += [e.item for e in step.evidence] + [d.label for d in step.deadlines]
        out += [t.en for t in texts if t] + [t.zh for t in texts if t]
    return out


@pytest.mark.parametrize("scenario_id", sorted(PROFILES))
def test_guidance_gives_reasons_not_article_positions(lib, scenario_id: str) -> None:
    texts = " ".join(_all_texts(lib.scenario(scenario_id)))
    for phrase in (
        "article's",
        "文章第",
        "文章最后",
        "rarely succeed",
        "很难成功",
        "Wish Standards tier",
    ):
        assert phrase not in texts


def test_closing_advice_at_the_start_and_at_every_outcome(lib) -> None:
    for scenario_id, words in (
        ("item-mismatch", "stay calm"),
        ("unfulfilled-order", "balance the store's interest with the buyer's satisfaction"),
    ):
        scenario = lib.scenario(scenario_id)
        assert words in scenario.step(scenario.start).guidance.en.lower()
        for step in scenario.steps:
            if step.kind == "outcome":
                assert words in step.guidance.en.lower(), step.id


def test_own_returns_rules_apply_only_to_stores_that_manage_returns(lib, as_of) -> None:
    scenario = lib.scenario("item-mismatch")
    ticket = {**BASE, "refund_requested_at": "2026-11-23 00:00"}
    for own, expected in (("yes", ["ticket_response"]), ("no", []), (None, [])):
        raw = ticket if own is None else {**ticket, "manages_own_returns": own}
        facts, errors = parse_facts(scenario, lib.facts, raw)
        assert errors == {}
        w = Walk(scenario, facts, as_of, lib.policies["wish"].policies)
        w.answer("confirm-order", "shipped-correctly")
        w.answer("refund-status", "open")
        assert w.current.id == "contact-buyer"
        assert [ref.policy for ref, _ in w.deadlines()] == expected


@pytest.mark.parametrize("scenario_id", sorted(PROFILES))
def test_every_step_text_is_bilingual(lib, scenario_id: str) -> None:
    for step in lib.scenario(scenario_id).steps:
        for text in (step.title, step.text, step.guidance):
            if text is not None:
                assert text.zh, step.id
                assert text.en, step.id


def test_deadline_steps_show_their_deadline(lib) -> None:
    scenario = lib.scenario("unfulfilled-order")
    facts, _ = parse_facts(scenario, lib.facts, BASE)
    w = Walk(
        scenario,
        facts,
        dt.datetime(2026, 11, 25, 20, tzinfo=dt.UTC),
        lib.policies["wish"].policies,
    )
    [(_, due)] = w.deadlines()
    assert due.due == dt.datetime(2026, 11, 26, 8, tzinfo=dt.UTC)
    assert due.hours_left == 12
    assert due.state == "soon"


def test_drafts_fill_every_placeholder_from_facts(lib) -> None:
    scenario = lib.scenario("item-mismatch")
    facts, _ = parse_facts(scenario, lib.facts, {**BASE, "product_name": "Linen shirt"})
    template = lib.templates["buyer-apology-remedy"]
    draft = render(template, facts, lib.facts, "en")
    assert draft.subject == "Order 5f1e2d3c4b5a69788796a5b4: our apologies"
    assert draft.body.startswith("Hello Mia Lindqvist,\n")
    assert draft.body.rstrip().endswith("Harbor Lane Goods")
    assert draft.missing == ()
    zh = render(template, facts, lib.facts, "zh")
    assert zh.body.startswith("Mia Lindqvist 您好")


def test_draft_shows_unknown_facts_as_labels(lib) -> None:
    scenario = lib.scenario("item-mismatch")
    facts, _ = parse_facts(scenario, lib.facts, BASE)
    draft = render(lib.templates["appeal-item-mismatch"], facts, lib.facts, "en")
    assert "Tracking: [Carrier] [Tracking number]" in draft.body
    assert "Order value: 24.99 USD" in draft.body
    assert draft.missing == ("product_name", "carrier", "tracking_number")


# --- not delivered, late fulfilment, chargeback, commission, inventory drop (data only) ------

# Fact profiles for these five scenarios: their branches depend on answers and visited steps
# only, so one profile each walks every edge. The inventory diagnostic needs its SKU.
NEW_PROFILES = {
    "order-not-delivered": [{}, {"mainland_china_merchant": "yes"}],
    "late-confirmed-fulfilment": [{}],
    "chargeback": [{}],
    "commission-on-cancelled-order": [{}],
    "inventory-drop-without-orders": [{"sku": "SKU-03006"}],
}


def _new_walks(lib, scenario_id: str) -> list[Walk]:
    scenario = lib.scenario(scenario_id)
    out = []
    for profile in NEW_PROFILES[scenario_id]:
        facts, errors = parse_facts(scenario, lib.facts, {**BASE, **profile})
        assert errors == {}
        out.extend(explore(Walk(scenario, facts, AS_OF, lib.policies["wish"].policies)))
    return out


@pytest.mark.parametrize("scenario_id", sorted(NEW_PROFILES))
def test_new_scenario_paths_reach_outcomes_and_cover_the_graph(lib, scenario_id: str) -> None:
    scenario = lib.scenario(scenario_id)
    walks = _new_walks(lib, scenario_id)
    assert walks
    assert all(w.finished and w.current.kind == "outcome" for w in walks)
    static = {
        (s.id, r.to)
        for s in scenario.steps
        for r in [*routes(s.next), *(r for o in s.options for r in routes(o.next))]
    }
    walked = set().union(*(_edges(w) for w in walks))
    assert static - walked == set(), "edges no path takes"
    assert {s.id for s in scenario.steps} == {sid for w in walks for sid in w.path}
    assert {w.current.id for w in walks} == {s.id for s in scenario.steps if s.kind == "outcome"}


@pytest.mark.parametrize("scenario_id", sorted(NEW_PROFILES))
def test_new_scenarios_review_last_and_bilingual(lib, scenario_id: str) -> None:
    """Every path but a hand-over to another scenario ends with the lessons-learned review."""
    for w in _new_walks(lib, scenario_id):
        if w.current.id != "outcome-other-scenario" or "lessons-learned" in w.path:
            assert w.path[-2] == "lessons-learned", w.path
    for step in lib.scenario(scenario_id).steps:
        texts = [step.title, step.text, step.guidance, *step.actions]
        texts += [o.text for o in step.options] + [d.label for d in step.deadlines]
        texts += [t for e in step.evidence for t in (e.item, e.why)]
        for text in texts:
            if text is not None:
                assert text.zh, step.id
                assert text.en, step.id


class TestNewScenarioOrder:
    """Facts first, evidence before any dispute, the dispute before its result."""

    def test_order_not_delivered(self, lib) -> None:
        for w in _new_walks(lib, "order-not-delivered"):
            assert w.path[0] == "check-tracking"
            if "dispute-refund" in w.path:
                # the tracking history is saved on every way to a dispute, before it
                [saved] = {"contact-carrier", "gather-tracking"} & set(w.path)
                assert _before(w.path, saved, "dispute-refund")
                assert _before(w.path, "refund-status", "dispute-refund")
                assert _before(w.path, "dispute-refund", "dispute-result", "lessons-learned")
            for remedy in ("reship", "refund-order"):
                if remedy in w.path:
                    contacts = {"contact-buyer", "contact-buyer-delivered", "no-valid-tracking"}
                    assert contacts & set(w.path), w.path
                    assert _before(w.path, "reship-or-refund", remedy)

    def test_late_confirmed_fulfilment(self, lib) -> None:
        for w in _new_walks(lib, "late-confirmed-fulfilment"):
            assert w.path[0] == "check-timeline"
            if "file-dispute" in w.path:
                gather = "gather-scan" if "gather-scan" in w.path else "gather-exception"
                assert _before(w.path, gather, "file-dispute", "dispute-result")
            else:
                assert w.path[1] == "accept-infraction"

    def test_chargeback(self, lib) -> None:
        for w in _new_walks(lib, "chargeback"):
            if w.answers["confirm-chargeback"] == "buyer-refund":
                assert w.path == ["confirm-chargeback", "not-a-chargeback", w.path[-1]]
                continue
            assert _before(w.path, "can-and-cannot", "keep-evidence", "check-responsibility")
            assert _before(w.path, "check-ratio", "consider-insurance", "lessons-learned")
            if "dispute-refund" in w.path:
                assert _before(w.path, "keep-evidence", "dispute-refund", "check-ratio")

    def test_commission_on_cancelled_order(self, lib) -> None:
        for w in _new_walks(lib, "commission-on-cancelled-order"):
            read = "read-unpaid" if "read-unpaid" in w.path else "read-refund"
            assert _before(w.path, "when-cancelled", read, "statement-matches")

    def test_inventory_drop_without_orders(self, lib) -> None:
        checks = ["check-pending", "check-variants", "check-sync", "check-programmes"]
        for w in _new_walks(lib, "inventory-drop-without-orders"):
            done = [c for c in [*checks, "check-edits"] if c in w.path]
            assert w.path[: len(done)] == done  # the checks run in order, none skipped
        walks = _new_walks(lib, "inventory-drop-without-orders")
        asked = [w for w in walks if "ask-wish" in w.path]
        assert asked
        assert all(set(checks) < set(w.path) for w in asked)


def test_every_triaged_sample_order_opens_a_case(lib) -> None:
    """What the analyst's "open a case" does, for every order the sample triages."""
    from playbook.orders.reader import read_orders
    from playbook.orders.triage import Triage, order_facts, triage

    result = read_orders(DATA / "sample" / "wish_orders_sample.csv")
    table = triage(result.orders, "2026-11-20T12:00:00Z", Triage.from_library(lib)).table
    assert {"order-not-delivered", "late-confirmed-fulfilment"} <= set(table["scenario"])
    orders = result.orders.set_index("source_row")
    for _, row in table.iterrows():
        scenario = lib.scenario(row["scenario"])  # KeyError for a scenario that does not exist
        raw = {**order_facts(orders.loc[row["source_row"]]), "store_name": "Harbor Lane Goods"}
        _, errors = parse_facts(scenario, lib.facts, raw)
        assert errors == {}, (row["order_id"], row["scenario"], errors)
