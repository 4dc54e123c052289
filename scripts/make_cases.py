"""Make case stores for the lessons page: a small one with known counts, or a big one.

The known store (``build_known_store``) holds the groups in ``KNOWN_GROUPS``: counts, weeks,
root causes, outcomes and reply/resolution delays were decided by hand before any analytics
code ran, and tests/lessons/test_analytics.py asserts figures worked out from them by hand. Its
order file (``write_known_orders``) is a Wish CSV export with the orders shipped in the same
weeks.
The big store (``build_big_store``) is random but seeded, for bench/bench_lessons.py.

Rows and events are inserted directly (executemany), shaped as the store's own moves shape
them (playbook/cases/moves.py); what the moves keep on the row from the events (first reply,
closing time) is then worked out from the events (playbook/cases/projection.py).

    python scripts/make_cases.py --out var/lessons-demo.sqlite3            # the known store
    python scripts/make_cases.py --out /tmp/big.sqlite3 --cases 100000     # 100k cases, 1M events
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from playbook.cases.projection import ProjectionRules, refresh_projection  # noqa: E402
from playbook.cases.schema import cases, events  # noqa: E402
from playbook.cases.sql_store import SqlStore as Store  # noqa: E402
from playbook.lessons.store import LessonsStore  # noqa: E402
from playbook.library.library import Library  # noqa: E402

WEEK1 = dt.datetime(2026, 1, 5, 10, 0, tzinfo=dt.UTC)  # a Monday; week n starts n-1 weeks on
AS_OF = dt.datetime(2026, 4, 27, 12, 0, tzinfo=dt.UTC)  # Monday of week 17
FIX_DATE = dt.datetime(2026, 3, 2, 0, 0, tzinfo=dt.UTC)  # Monday of week 9
FIX_TITLE = "Second packing check from 2026-03-02"
ACTOR = "generator"


@dataclass(frozen=True)
class Group:
    """``count`` alike cases, spread over ``weeks``.

    Case i opens in ``weeks[i % len(weeks)]`` on weekday ``(i // len(weeks)) % 5`` at 10:00 UTC.
    """

    name: str
    count: int
    scenario: str
    weeks: tuple[int, ...]
    facts: dict[str, str]
    assignee: str | None
    causes: tuple[tuple[str, ...], ...]  # case i gets causes[i % len(causes)]
    path: tuple[str, ...]  # steps answered into, in order; the last may be an outcome
    status: str
    reply_hours: float | None = None  # first buyer-message draft after opening
    close_hours: float | None = None  # the last answer (or a status event) after opening
    close_by_status: str | None = None  # closed by hand with this status, not by the walk
    appeal_draft_hours: float | None = None  # an appeal statement (not a reply) issued then
    overdue: tuple[bool, ...] = ()  # case i is past its deadline at AS_OF (if listed)
    order_prefix: str | None = None  # order ids f"{prefix}{i:04d}" (linked to the orders file)


SUNNY, MOON = "Sunny Home", "Moon Shop"
A = {"sku": "SKU-A", "product_name": "Blue Mug", "carrier": "YunExpress", "country": "US"}
B = {"sku": "SKU-B", "product_name": "Red Scarf", "carrier": "4PX", "country": "DE"}
IM_REFUND = ("confirm-order", "own-it", "choose-remedy", "risk-review", "outcome-refunded")
IM_RESHIP = ("confirm-order", "own-it", "choose-remedy", "risk-review", "outcome-reshipped")
IM_APPEAL = ("confirm-order", "explain-with-evidence", "prepare-appeal", "appeal-result")
UO_CANCEL = ("past-deadline", "cancel-order", "lessons-learned", "outcome-cancelled")

KNOWN_GROUPS: tuple[Group, ...] = (
    Group(
        "a-before",
        37,
        "item-mismatch",
        tuple(range(1, 9)),
        {**A, "store_name": SUNNY},
        "amy",
        (("picking-error",),),
        IM_REFUND,
        "refunded",
        reply_hours=2,
        close_hours=72,
    ),
    Group(
        "a-after",
        9,
        "item-mismatch",
        tuple(range(9, 17)),
        {**A, "store_name": SUNNY},
        "amy",
        (("picking-error",),),
        IM_RESHIP,
        "closed",
        reply_hours=2,
        close_hours=72,
    ),
    Group(
        "b-won",
        6,
        "item-mismatch",
        tuple(range(1, 7)),
        {**B, "store_name": SUNNY},
        "bob",
        (("listing-mismatch",),),
        (*IM_APPEAL, "outcome-appeal-won"),
        "won",
        reply_hours=5,
        close_hours=240,
        appeal_draft_hours=1,
    ),
    Group(
        "b-lost",
        4,
        "item-mismatch",
        (7, 8, 9, 10),
        {**B, "store_name": SUNNY},
        "bob",
        (("listing-mismatch",),),
        (*IM_APPEAL, "outcome-appeal-lost"),
        "lost",
        reply_hours=5,
        close_hours=240,
        appeal_draft_hours=1,
    ),
    Group(
        "b-pending",
        2,
        "item-mismatch",
        (11, 12),
        {**B, "store_name": SUNNY},
        "bob",
        (("listing-mismatch",),),
        (*IM_APPEAL, "outcome-appeal-pending"),
        "waiting_platform",
        reply_hours=5,
        close_hours=240,
        appeal_draft_hours=1,
    ),
    # SKU, product, carrier and country of these come only from their orders in the CSV.
    Group(
        "c-cancelled",
        15,
        "unfulfilled-order",
        tuple(range(5, 15)),
        {"store_name": MOON},
        "li",
        (("inventory-inaccuracy", "logistics-channel"), ("inventory-inaccuracy",)),
        UO_CANCEL,
        "refunded",
        reply_hours=2,
        close_hours=24,
        order_prefix="c-done-",
    ),
    Group(
        "c-open",
        5,
        "unfulfilled-order",
        (15, 16),
        {"store_name": MOON},
        "li",
        (("inventory-inaccuracy", "logistics-channel"), ("inventory-inaccuracy",)),
        ("contact-buyer",),
        "waiting_buyer",
        reply_hours=2,
        overdue=(True, True, True, False, False),
        order_prefix="c-open-",
    ),
    Group(
        "d-new",
        4,
        "item-mismatch",
        (16,),
        {"sku": "SKU-D", "store_name": MOON},
        None,
        ((),),
        (),
        "open",
    ),
    Group(
        "e-by-hand",
        1,
        "item-mismatch",
        (3,),
        {**B, "store_name": SUNNY},
        "amy",
        (("buyer-misunderstanding",),),
        ("confirm-order",),
        "closed",
        close_hours=48,
        close_by_status="closed",
    ),
)
# Orders shipped in weeks 1-15 (Wish CSV): per SKU, count and carrier. The c-* cases' orders
# are 20 of SKU-C's 25.
KNOWN_ORDERS = {"SKU-A": (400, "YunExpress", "US"), "SKU-B": (240, "4PX", "DE"),
                "SKU-C": (25, "4PX", "FR")}  # fmt: skip
CSV_HEADER = [
    "Transaction Date", "Order Id", "Transaction ID", "Order State", "SKU", "Product",
    "Quantity", "Currency Code", "Price (each)", "Cost (each)", "Shipping (each)",
    "Shipping Cost (each)", "Total Cost", "Available for Fulfillment Time", "Shipped on",
    "Provider", "Tracking", "Country", "Last Updated",
]  # fmt: skip


def _opened(group: Group, i: int) -> dt.datetime:
    week = group.weeks[i % len(group.weeks)]
    day = (i // len(group.weeks)) % 5
    return WEEK1 + dt.timedelta(weeks=week - 1, days=day)


def _case_rows(group: Group, i: int) -> tuple[dict, list[dict]]:
    """The case row and its events (seq 1..n) for case i of ``group``."""
    case_id = f"{group.name}-{i:03d}"
    opened = _opened(group, i)
    order_id = f"{group.order_prefix}{i:04d}" if group.order_prefix else f"o-{case_id}"
    facts = {**group.facts, "order_id": order_id, "buyer_name": f"Buyer {i}"}
    start = "contact-buyer" if group.scenario == "item-mismatch" else "find-cause"
    evs: list[dict] = []

    def add(hours: float, type_: str, step: str | None, payload: dict) -> None:
        evs.append({"time": opened + dt.timedelta(hours=hours), "type": type_,
                    "step_id": step, "payload": payload})  # fmt: skip

    add(0, "created", start, {"version": 1, "facts": facts, "assignee": group.assignee})
    if group.appeal_draft_hours is not None:
        add(group.appeal_draft_hours, "draft_issued", start,
            {"template": "appeal-item-mismatch", "body": None})  # fmt: skip
    if group.reply_hours is not None:
        template = "buyer-ask-details" if group.scenario == "item-mismatch" else (
            "buyer-apology-unfulfilled")  # fmt: skip
        add(group.reply_hours, "draft_issued", start, {"template": template, "body": "Hi"})
    end = group.close_hours if group.close_hours is not None else 1.0
    step = start
    for n, target in enumerate(group.path, 1):
        when = end if (n == len(group.path) and not group.close_by_status) else end * n / 10
        add(when, "answer", step, {"option": "x", "to": target, "version": 1})
        step = target
    if group.close_by_status:
        add(end, "status", step, {"from": "open", "to": group.close_by_status, "note": None})
    causes = list(group.causes[i % len(group.causes)])
    if causes:
        add(end + 0.5, "root_causes", None, {"from": [], "to": causes})
    evs.sort(key=lambda e: e["time"])
    for seq, ev in enumerate(evs, 1):
        ev.update(case_id=case_id, seq=seq, actor=ACTOR)
    overdue = group.overdue[i] if i < len(group.overdue) else None
    due = None if overdue is None else AS_OF + dt.timedelta(days=-1 if overdue else 2)
    outcome = step if step.startswith("outcome-") else None
    row = {
        "id": case_id, "scenario_id": group.scenario, "scenario_version": 1,
        "platform": "wish", "order_id": order_id, "facts": facts, "status": group.status,
        "assignee": group.assignee, "created_at": opened, "updated_at": evs[-1]["time"],
        "next_deadline": due, "walk": {"scenario": group.scenario, "version": 1,
                                       "path": [start, *group.path], "answers": {}},
        "evidence": {}, "drafts": [], "outcome": outcome, "root_causes": causes,
        "revision": len(evs),
    }  # fmt: skip
    return row, evs


def build_known_store(url: str, lib: Library) -> Store:
    """A store at ``url`` holding ``KNOWN_GROUPS`` and the fix of FIX_DATE; returns it open."""
    store = Store(url, now=lambda: AS_OF)
    rows, evs = [], []
    for group in KNOWN_GROUPS:
        for i in range(group.count):
            row, case_events = _case_rows(group, i)
            rows.append(row)
            evs.extend(case_events)
    with store.transaction() as conn:
        conn.execute(insert(cases), rows)
        conn.execute(insert(events), evs)
        refresh_projection(conn, ProjectionRules.of(lib))
    LessonsStore(store, lib, clock=lambda: AS_OF).record_fix(
        root_cause="picking-error", title=FIX_TITLE, day=FIX_DATE.date(), actor="lead"
    )
    return store


def write_known_orders(path: Path) -> Path:
    """The orders of ``KNOWN_ORDERS`` as a Wish CSV export at ``path``."""
    rows = []
    for sku, (count, carrier, country) in KNOWN_ORDERS.items():
        for i in range(count):
            if sku == "SKU-C" and i < 20:  # the c-* cases' orders
                order_id = f"c-done-{i:04d}" if i < 15 else f"c-open-{i - 15:04d}"
            else:
                order_id = f"{sku.lower()}-{i:05d}"
            released = WEEK1 + dt.timedelta(days=(i * 7) % 100, hours=1)
            shipped = released + dt.timedelta(days=1)
            stamp = "%Y-%m-%d %H:%M:%S"
            rows.append([
                released.strftime(stamp), order_id, f"t{order_id}", "SHIPPED", sku,
                f"Product {sku}", "1", "USD", "10.00", "8.00", "2.00", "1.50", "9.50",
                released.strftime(stamp), shipped.strftime(stamp), carrier, f"TR{i:08d}",
                country, shipped.strftime(stamp),
            ])  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_HEADER)
        writer.writerows(rows)
    return path


BIG_SKUS = [f"SKU-{n:03d}" for n in range(200)]
BIG_CARRIERS = ["YunExpress", "4PX", "China Post", "Yanwen", "SF Express"]
BIG_COUNTRIES = ["US", "DE", "FR", "GB", "CA", "MX", "BR"]
BIG_STORES = ["Sunny Home", "Moon Shop", "Star Goods", "阳光家居"]
BIG_ASSIGNEES = ["amy", "bob", "li", "wang", "zhao", None]
BIG_CAUSES = ["picking-error", "listing-mismatch", "quality-problem", "logistics-channel",
              "inventory-inaccuracy", "address-problem"]  # fmt: skip
BIG_OUTCOMES = [
    ("item-mismatch", "outcome-refunded", "refunded"),
    ("item-mismatch", "outcome-reshipped", "closed"),
    ("item-mismatch", "outcome-appeal-won", "won"),
    ("item-mismatch", "outcome-appeal-lost", "lost"),
    ("unfulfilled-order", "outcome-cancelled", "refunded"),
    ("unfulfilled-order", "outcome-shipped", "closed"),
    ("unfulfilled-order", None, "waiting_buyer"),
    ("item-mismatch", None, "open"),
]


def _big_case(rng: random.Random, i: int, per_case: int, start: dt.datetime) -> tuple:
    scenario, outcome, status = rng.choice(BIG_OUTCOMES)
    opened = start + dt.timedelta(minutes=rng.randrange(60 * 24 * 7 * 52))
    case_id = f"b{i:07d}"
    facts = {"order_id": f"o{i:09d}", "store_name": rng.choice(BIG_STORES),
             "sku": rng.choice(BIG_SKUS), "carrier": rng.choice(BIG_CARRIERS),
             "country": rng.choice(BIG_COUNTRIES), "buyer_name": "Dana Smith"}  # fmt: skip
    causes = rng.sample(BIG_CAUSES, rng.choice((0, 1, 1, 2)))
    evs = []
    for seq in range(1, per_case + 1):
        when = opened + dt.timedelta(hours=seq * rng.uniform(0.5, 6))
        if seq == 1:
            type_, payload = "created", {"version": 1, "facts": facts, "assignee": None}
        elif seq == 2:
            type_, payload = "draft_issued", {"template": "buyer-ask-details", "body": "Hi"}
        elif seq == per_case and outcome:
            type_, payload = "answer", {"option": "x", "to": outcome, "version": 1}
        elif seq % 3 == 0:
            type_, payload = "answer", {"option": "x", "to": "confirm-order", "version": 1}
        else:
            type_, payload = "note", {"text": f"event {seq}"}
        evs.append({"case_id": case_id, "seq": seq, "time": when, "actor": "amy",
                    "type": type_, "step_id": "contact-buyer", "payload": payload})  # fmt: skip
    due = opened + dt.timedelta(days=rng.uniform(1, 30)) if not outcome else None
    row = {
        "id": case_id, "scenario_id": scenario, "scenario_version": 1, "platform": "wish",
        "order_id": facts["order_id"], "facts": facts, "status": status,
        "assignee": rng.choice(BIG_ASSIGNEES), "created_at": opened,
        "updated_at": evs[-1]["time"], "next_deadline": due,
        "walk": {"scenario": scenario, "version": 1, "path": ["contact-buyer"], "answers": {}},
        "evidence": {}, "drafts": [], "outcome": outcome, "root_causes": causes,
        "revision": per_case,
    }  # fmt: skip
    return row, evs


def build_big_store(
    url: str, lib: Library, n_cases: int, per_case: int = 10, seed: int = 4
) -> Store:
    """``n_cases`` random cases of ``per_case`` events each over 52 weeks; returns it open."""
    rng = random.Random(seed)
    store = Store(url)
    start = dt.datetime(2025, 6, 2, tzinfo=dt.UTC)
    rows: list[dict] = []
    evs: list[dict] = []
    with store.transaction() as conn:
        for i in range(n_cases):
            row, case_events = _big_case(rng, i, per_case, start)
            rows.append(row)
            evs.extend(case_events)
            if len(evs) >= 50_000:
                conn.execute(insert(cases), rows)
                conn.execute(insert(events), evs)
                rows, evs = [], []
        if rows:
            conn.execute(insert(cases), rows)
            conn.execute(insert(events), evs)
        refresh_projection(conn, ProjectionRules.of(lib))
    return store


def main() -> None:
    """Write the known store (and its orders CSV beside it), or a big one with --cases."""
    from playbook.load import load_library

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="SQLite file to create")
    parser.add_argument("--cases", type=int, default=0, help="a big random store instead")
    parser.add_argument("--events-per-case", type=int, default=10)
    args = parser.parse_args()
    if args.out.exists():
        parser.error(f"{args.out} exists; remove it first")
    url = f"sqlite:///{args.out.resolve()}"
    if args.cases:
        build_big_store(url, load_library(), args.cases, args.events_per_case).close()
    else:
        build_known_store(url, load_library()).close()
        print(write_known_orders(args.out.with_suffix(".orders.csv")))
    print(args.out)


if __name__ == "__main__":
    main()
