"""Child process for the backup tests: makes moves on a case store until it is told to stop.

Usage: python write_moves.py DB_URL NAME
Each loop starts a case, attaches a small photo (a new blob), answers two steps and adds a
note; after each committed move it prints ``ack CASE SEQ TIME`` (TIME: time.time() after the
commit returned), so the test knows which moves were acknowledged before a backup started.
"""

from __future__ import annotations

import sys
import time

from playbook.cases.sql_store import SqlStore
from playbook.load import load_library
from tests.evidence_fixtures import photo
from tests.store_fixtures import answer_first_options, new_walk


def main(url: str, name: str) -> None:
    lib = load_library()
    store = SqlStore(url, busy_timeout_ms=60_000)
    scenario = lib.scenario("item-mismatch")
    n = 0
    while True:
        n += 1
        case = store.create_case(new_walk(lib), actor=name, assignee=name)
        print(f"ack {case.id} {case.revision} {time.time()}", flush=True)
        seed = hash((name, n)) % 100_000
        case, _ = store.attach_file(
            case,
            scenario,
            "buyer-photos",
            "p.png",
            photo(seed, (48, 32), "PNG"),
            limits=lib.evidence_limits,
            actor=name,
        )
        print(f"ack {case.id} {case.revision} {time.time()}", flush=True)
        opened = store.open(case.id, lib)
        case, walk = opened.case, opened.walk
        for _ in range(2):
            case, walk = answer_first_options(store, case, walk, 1, actor=name)
            print(f"ack {case.id} {case.revision} {time.time()}", flush=True)
        case = store.add_note(case, f"note {n}", actor=name)
        print(f"ack {case.id} {case.revision} {time.time()}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
