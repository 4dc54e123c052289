"""Case store writers at once: one wins each round, none loses an event; a killed writer.

Concurrent writers run on an SQLite file and (as ``[postgres]``) a PostgreSQL schema; the
crash tests SIGKILL a real child process writing to an SQLite file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from playbook.cases.sql_store import SqlStore as Store
from playbook.config import REPO_ROOT
from playbook.errors import ConflictError, StoreError
from tests.store_fixtures import FakeClock, new_walk

CHILD = Path(__file__).parents[1] / "data" / "store" / "walk_until_killed.py"


@pytest.fixture(scope="module")
def lib(frozen_lib):
    """These tests walk item-mismatch at version 1."""
    return frozen_lib


# --- concurrency --------------------------------------------------------------------------


class TestConcurrency:
    def test_second_writer_gets_a_conflict_and_writes_nothing(
        self, sql_store, started, db_url, lib
    ):
        case, walk = started
        with Store(db_url, now=FakeClock(tick=dt.timedelta(minutes=1))) as other:
            theirs = other.get_case(case.id)
            _, their_walk, _ = other.open(case.id, lib)
            mine = sql_store.answer(case, walk, "contact-buyer", actor="amy").case
            with pytest.raises(ConflictError) as err:
                other.answer(theirs, their_walk, "contact-buyer", actor="bob")
        assert err.value.params == {
            "case": case.id,
            "actor": "amy",
            "time": mine.updated_at.strftime("%Y-%m-%d %H:%M UTC"),
        }
        assert "amy" in str(err.value)
        assert case.id in str(err.value)
        assert isinstance(err.value, StoreError)
        assert their_walk.path == ["contact-buyer"]  # the loser's input is untouched
        assert [e.type for e in sql_store.events(case.id)] == ["created", "answer"]
        assert sql_store.get_case(case.id) == mine

    def test_threaded_race_one_winner_per_round_and_no_event_lost(self, db_url, started, clock):
        case, _walk = started
        writers = 6
        stores = [Store(db_url, now=clock) for _ in range(writers)]
        barrier = threading.Barrier(writers)
        results: dict[int, list[str]] = {i: [] for i in range(writers)}

        def write(i: int) -> None:
            st = stores[i]
            loaded = st.get_case(case.id)
            barrier.wait()
            while True:
                try:
                    st.add_note(loaded, f"note from writer {i}", actor=f"w{i}")
                except ConflictError:
                    results[i].append("conflict")
                    loaded = st.get_case(case.id)
                    continue
                results[i].append("saved")
                return

        threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        try:
            assert not any(t.is_alive() for t in threads)
            firsts = [r[0] for r in results.values()]
            assert firsts.count("saved") == 1  # everyone loaded revision 1: exactly one wins
            assert all(r[-1] == "saved" for r in results.values())
            history = stores[0].events(case.id)
            notes = sorted(e.payload["text"] for e in history if e.type == "note")
            assert notes == sorted(f"note from writer {i}" for i in range(writers))
            assert [e.seq for e in history] == list(range(1, writers + 2))
            assert stores[0].get_case(case.id).revision == writers + 1
        finally:
            for st in stores:
                st.close()


# --- crashes (a real child process, SIGKILLed) ---------------------------------------------


@contextlib.contextmanager
def _child(db: Path, case_id: str, mode: str, n: int, data_dir: Path):
    """The writer child process and a queue of its output lines; killed and reaped on exit."""
    err = (db.parent / "child.err").open("w")
    proc = subprocess.Popen(
        [sys.executable, str(CHILD), str(db), case_id, mode, str(n)],
        stdout=subprocess.PIPE,
        stderr=err,
        text=True,
        cwd=REPO_ROOT,
        env={**os.environ, "PLAYBOOK_DATA_DIR": str(data_dir)},
    )
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True)
    reader.start()
    try:
        yield proc, lines
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
        reader.join(timeout=30)
        proc.stdout.close()
        err.close()


def _next_line(lines: queue.Queue[str], db: Path) -> list[str]:
    try:
        return lines.get(timeout=60).split()
    except queue.Empty:
        pytest.fail("the child wrote nothing for 60 s: " + (db.parent / "child.err").read_text())


def _sigkill(proc) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


class TestCrash:
    def test_killed_mid_walk_reopens_at_last_answered_step(self, tmp_path, lib):
        db = tmp_path / "cases.sqlite3"
        with Store(f"sqlite:///{db}", now=FakeClock()) as st:
            case = st.create_case(new_walk(lib), actor="amy")
        with _child(db, case.id, "answers", 3, lib.data_dir) as (proc, lines):
            acks = [_next_line(lines, db) for _ in range(4)]
            _sigkill(proc)
        assert acks[-1] == ["idle"]
        assert acks[-2] == ["saved", "4", "choose-remedy"]
        with Store(f"sqlite:///{db}", now=FakeClock()) as st:
            opened = st.open(case.id, lib)
            history = st.events(case.id)
        assert opened.problem is None
        assert opened.walk.current.id == "choose-remedy"
        assert opened.walk.path == ["contact-buyer", "confirm-order", "own-it", "choose-remedy"]
        assert [e.type for e in history] == ["created", "answer", "answer", "answer"]
        assert [e.actor for e in history[1:]] == ["kernel"] * 3

    def test_killed_while_writing_loses_nothing_acknowledged(self, tmp_path, lib):
        db = tmp_path / "cases.sqlite3"
        with Store(f"sqlite:///{db}", now=FakeClock()) as st:
            case = st.create_case(new_walk(lib), actor="amy")
        acked = 0
        with _child(db, case.id, "notes", 0, lib.data_dir) as (proc, lines):
            while acked < 25:
                acked = int(_next_line(lines, db)[1])
            _sigkill(proc)  # the child is mid-stream: writing note 26 or later
        with Store(f"sqlite:///{db}", now=FakeClock()) as st:
            with st.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            history = st.events(case.id)
            reopened = st.get_case(case.id)
        assert len(history) >= acked
        assert [e.seq for e in history] == list(range(1, len(history) + 1))
        assert reopened.revision == len(history)
        assert [e.payload["text"] for e in history[1:acked]] == [
            f"note {n}" for n in range(2, acked + 1)
        ]
