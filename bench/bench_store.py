"""Benchmark of the SQLite case store: case-list queries and durable step writes at scale.

Prints figures (medians); it is not a test and asserts nothing. Targets: the case-list query
(first page, filtered, sorted by deadline) <= 50 ms with 100k cases and 1M events; one durable
step write <= 5 ms. The step write is also shown as a ratio to a bare single-row insert into
the same database with the same pragmas, measured in the same run.

    .venv/bin/python bench/bench_store.py [--cases 100000] [--events-per-case 10]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sqlite3
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import insert

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from playbook.cases.records import CaseFilter  # noqa: E402
from playbook.cases.schema import cases, events  # noqa: E402
from playbook.cases.sql_store import SqlStore as Store  # noqa: E402
from playbook.library.model import STATUSES  # noqa: E402
from playbook.load import load_library  # noqa: E402
from playbook.scenarios.engine import Walk  # noqa: E402
from playbook.scenarios.facts import parse_facts  # noqa: E402

ASSIGNEES = ["amy", "bob", "li", "wang", "zhao", "chen", "sam", None]
SCENARIOS = ["item-mismatch", "unfulfilled-order"]
FACTS = {
    "order_id": "5f9a0c2e1b",
    "buyer_name": "Dana Smith",
    "store_name": "Sunny Home",
    "order_total": "24.99",
    "currency": "USD",
    "refund_requested_at": "2026-05-03 10:00",
}


def _ms(samples: list[float]) -> str:
    return f"median {statistics.median(samples) * 1000:7.2f} ms  (p90 " + (
        f"{sorted(samples)[int(len(samples) * 0.9)] * 1000:.2f} ms, n={len(samples)})"
    )


def _timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def bulk_load(store: Store, n_cases: int, per_case: int, now: dt.datetime) -> None:
    """Fill the store with synthetic cases and events through executemany, in batches."""
    rng = random.Random(4)
    batch_cases: list[dict] = []
    batch_events: list[dict] = []
    walk = {"scenario": "item-mismatch", "version": 1, "path": ["contact-buyer"], "answers": {}}
    with store._writer.begin() as conn:
        for i in range(n_cases):
            case_id = f"b{i:07d}"
            created = now - dt.timedelta(minutes=rng.randrange(60 * 24 * 120))
            updated = created + dt.timedelta(minutes=rng.randrange(60 * 24 * 10))
            due = (
                now + dt.timedelta(hours=rng.uniform(-24 * 20, 24 * 40))
                if rng.random() < 0.7
                else None
            )
            batch_cases.append(
                {
                    "id": case_id,
                    "scenario_id": rng.choice(SCENARIOS),
                    "scenario_version": 1,
                    "platform": "wish",
                    "order_id": f"o{i:09d}",
                    "facts": FACTS,
                    "status": rng.choice(STATUSES),
                    "assignee": rng.choice(ASSIGNEES),
                    "created_at": created,
                    "updated_at": updated,
                    "next_deadline": due,
                    "walk": walk,
                    "evidence": {},
                    "drafts": [],
                    "outcome": None,
                    "root_causes": [],
                    "revision": per_case,
                }
            )
            for seq in range(1, per_case + 1):
                batch_events.append(
                    {
                        "case_id": case_id,
                        "seq": seq,
                        "time": created,
                        "actor": "amy",
                        "type": "created" if seq == 1 else "note",
                        "step_id": "contact-buyer",
                        "payload": {"text": f"event {seq}"},
                    }
                )
            if len(batch_events) >= 50_000:
                conn.execute(insert(cases), batch_cases)
                conn.execute(insert(events), batch_events)
                batch_cases, batch_events = [], []
        if batch_cases:
            conn.execute(insert(cases), batch_cases)
            conn.execute(insert(events), batch_events)


def main() -> None:
    """Load, then measure list queries, step writes and bare inserts; print medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--events-per-case", type=int, default=10)
    parser.add_argument("--writes", type=int, default=300)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "store.sqlite3")
    args = parser.parse_args()

    args.out.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{args.out}{suffix}").unlink(missing_ok=True)
    now = dt.datetime.now(dt.UTC)
    store = Store(f"sqlite:///{args.out}")

    start = time.perf_counter()
    bulk_load(store, args.cases, args.events_per_case, now)
    n_events = args.cases * args.events_per_case
    print(
        f"loaded {args.cases:,} cases and {n_events:,} events in "
        f"{time.perf_counter() - start:.1f} s into {args.out}"
    )

    print("\ncase list, first page of 50 (SQLite):")
    queries = {
        "no filter, by deadline": {},
        "status=waiting_buyer": {"status": "waiting_buyer"},
        "assignee=li": {"assignee": "li"},
        "scenario + 2 statuses": {
            "scenario": "item-mismatch",
            "status": ["open", "waiting_buyer"],
        },
        "overdue only": {"overdue": True},
    }
    for label, filters in queries.items():
        where = CaseFilter(**filters)
        rows = store.list_cases(where)
        samples = _timed(lambda w=where: store.list_cases(w), 30)
        print(f"  {label:24s} {_ms(samples)}  rows={len(rows)}")
    samples = _timed(lambda: store.count_cases(CaseFilter(status="waiting_buyer")), 10)
    print(f"  {'count status=waiting_b.':24s} {_ms(samples)}")

    lib = load_library()
    scenario = lib.scenario("item-mismatch")
    facts, _ = parse_facts(scenario, lib.facts, FACTS)
    walk = Walk(scenario, facts, now, lib.policies["wish"].policies)
    case = store.create_case(walk, actor="bench")

    step_samples = []
    for i in range(args.writes):
        begin = time.perf_counter()
        if i % 2 == 0:
            step = walk.current  # the start step: a question, so answer its first option
            option = walk.options()[0].id if step.kind == "question" else None
            case, walk = store.answer(case, walk, step.id, option, actor="bench")
        else:
            case, walk = store.back(case, walk, actor="bench")
        step_samples.append(time.perf_counter() - begin)

    # The same file, the same pragmas the store sets, one row per committed transaction.
    raw = sqlite3.connect(args.out, isolation_level=None)
    for pragma in (
        "busy_timeout = 10000",
        "foreign_keys = ON",
        "journal_mode = WAL",
        "synchronous = FULL",
    ):
        raw.execute(f"PRAGMA {pragma}")
    raw.execute("CREATE TABLE IF NOT EXISTS bench_bare (id INTEGER PRIMARY KEY, v TEXT)")
    bare_samples = []
    for i in range(args.writes):
        begin = time.perf_counter()
        raw.execute("BEGIN IMMEDIATE")
        raw.execute("INSERT INTO bench_bare (v) VALUES (?)", (f"row {i}",))
        raw.execute("COMMIT")
        bare_samples.append(time.perf_counter() - begin)
    raw.close()

    step, bare = statistics.median(step_samples), statistics.median(bare_samples)
    print("\ndurable writes (WAL, synchronous=FULL, one transaction each):")
    print(f"  store step write (answer/back) {_ms(step_samples)}")
    print(f"  bare single-row insert         {_ms(bare_samples)}")
    print(f"  ratio step write / bare insert {step / bare:.2f}x")
    print("\ntargets: case list <= 50 ms; step write <= 5 ms")
    store.close()


if __name__ == "__main__":
    main()
