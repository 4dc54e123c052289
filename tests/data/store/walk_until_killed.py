"""Child process for the crash tests: writes to a case store until the test SIGKILLs it.

Usage: python walk_until_killed.py DB_FILE CASE_ID MODE N
  MODE "answers": answer N steps (first option each time), printing "saved SEQ" after each
      commit, then print "idle" and wait to be killed.
  MODE "notes": add notes without pause forever, printing "saved SEQ" after each commit
      (the test kills it mid-stream).
"""

from __future__ import annotations

import datetime as dt
import sys
import time

from playbook.cases.sql_store import SqlStore as Store
from playbook.load import load_library

START = dt.datetime(2026, 5, 5, 8, 0, tzinfo=dt.UTC)


class _Clock:
    def __init__(self) -> None:
        self.time = START

    def __call__(self) -> dt.datetime:
        self.time += dt.timedelta(seconds=1)
        return self.time


def main(db_file: str, case_id: str, mode: str, n: int) -> None:
    """Open the case and write until killed."""
    store = Store(f"sqlite:///{db_file}", now=_Clock())
    case, walk, _problem = store.open(case_id, load_library())
    if mode == "answers":
        for _ in range(n):
            step = walk.current
            option = walk.options()[0].id if step.kind == "question" else None
            case, walk = store.answer(case, walk, step.id, option, actor="kernel")
            print(f"saved {case.revision} {walk.current.id}", flush=True)
        print("idle", flush=True)
        while True:
            time.sleep(60)
    while True:
        case = store.add_note(case, f"note {case.revision + 1}", actor="kernel")
        print(f"saved {case.revision}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
