"""Backups taken while four writer processes make moves, restored into SQLite and PostgreSQL.

Every move acknowledged before the backup started is there and every evidence file matches
its hash.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import tarfile
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from playbook import cli
from playbook.cases.backup import backup, restore, schema_url, verify
from playbook.cases.sql_store import SqlStore
from playbook.config import REPO_ROOT
from playbook.errors import BackupError
from tests.store_fixtures import backend_url, require_pg_url

WRITER = REPO_ROOT / "tests" / "data" / "store" / "write_moves.py"


@contextlib.contextmanager
def writers(url: str, tmp_path: Path, count: int = 4):
    """``count`` processes making moves on ``url``; yields their ack logs."""
    logs = [tmp_path / f"writer{i}.log" for i in range(count)]
    procs = []
    for i, log in enumerate(logs):
        with log.open("w") as out:
            procs.append(
                subprocess.Popen(
                    [sys.executable, str(WRITER), url, f"w{i}"],
                    cwd=REPO_ROOT,
                    env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
    try:
        yield logs
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait(30)


def acks(logs: list[Path], before: float) -> set[tuple[str, int]]:
    """(case, seq) of every move a writer saw committed before ``before``."""
    found = set()
    for log in logs:
        for line in log.read_text().splitlines():
            if line.startswith("ack "):
                _, case, seq, when = line.split()
                if float(when) < before:
                    found.add((case, int(seq)))
    return found


def _wait_for_acks(logs: list[Path], each: int) -> None:
    end = time.monotonic() + 120
    while any(log.read_text().count("ack ") < each for log in logs):
        assert time.monotonic() < end, [log.read_text()[-500:] for log in logs]
        time.sleep(0.1)


def events_in(url: str) -> set[tuple[str, int]]:
    with SqlStore(url) as store, store.reading() as conn:
        return {(c, s) for c, s in conn.execute(sa.text("SELECT case_id, seq FROM events"))}


@contextlib.contextmanager
def fresh_pg_database() -> str:
    """A new, empty PostgreSQL database on the test server (dropped afterwards)."""
    admin_url = require_pg_url()
    name = "restore_" + uuid.uuid4().hex[:10]
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.engine.make_url(admin_url).set(database=name).render_as_string(False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_backup_while_four_writers_move_cases_restores_every_acknowledged_move(
    kind, tmp_path, lib
) -> None:
    with backend_url(kind, tmp_path) as url:
        SqlStore(url).close()  # the schema exists before the writers start
        with writers(url, tmp_path) as logs:
            _wait_for_acks(logs, 25)
            started = time.time()
            with SqlStore(url) as store:
                done = backup(store, tmp_path / "cases.backup.tar")
            _wait_for_acks(logs, 60)  # they went on writing during and after the backup
        acknowledged = acks(logs, started)
        assert len(acknowledged) >= 100
        manifest = done.manifest
        assert manifest["tables"]["events"] >= len(acknowledged)
        assert len(manifest["blobs"]) == manifest["tables"]["blobs"] >= 20
        assert all(b["sha256"] == sha for sha, b in manifest["blobs"].items())
        assert events_in(url) > acknowledged  # the writers went on after the backup

        if kind == "sqlite":
            assert verify(done.where).manifest == manifest
            target = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
            restore(done.where, target)
            restored = events_in(target)
            assert acknowledged <= restored
            assert len(restored) == manifest["tables"]["events"]
            with fresh_pg_database() if os.environ.get("PLAYBOOK_TEST_PG_URL") else _none() as pg:
                if pg is None:
                    require_pg_url()  # skips locally, fails under CI
                restore(done.where, pg)  # one machine's store moved to a team database
                assert events_in(pg) == restored
        else:
            with fresh_pg_database() as pg:
                restore(done.where, pg)
                target = schema_url(pg, manifest["pg_schema"])
                assert acknowledged <= events_in(target)
            with fresh_pg_database() as scratch:
                assert verify(done.where, scratch).manifest == manifest


@contextlib.contextmanager
def _none():
    yield None


def test_restore_refuses_a_store_that_is_not_empty_and_verify_finds_a_damaged_file(
    tmp_path, lib, capsys
) -> None:
    url = f"sqlite:///{tmp_path / 'cases.sqlite3'}"
    with writers(url, tmp_path, count=1) as logs:
        _wait_for_acks(logs, 10)
    out = tmp_path / "b.tar"
    os.environ["PLAYBOOK_DB_URL"] = url
    try:
        assert cli.main(["backup", "--out", str(out)]) == 0
        assert "Backup written" in capsys.readouterr().out
        assert cli.main(["backup", "--out", str(out)]) == 2  # never overwrites
        assert cli.main(["verify", str(out)]) == 0
        assert cli.main(["restore", str(out), "--to", url]) == 2
        assert "already holds tables" in capsys.readouterr().err
    finally:
        del os.environ["PLAYBOOK_DB_URL"]
    with SqlStore(url) as store, store.transaction() as conn:  # damage one blob, back it up
        conn.execute(sa.text("UPDATE blobs SET data = X'00' WHERE rowid = 1"))
    with SqlStore(url) as store:
        damaged = backup(store, tmp_path / "damaged.tar")
    with pytest.raises(BackupError) as err:
        verify(damaged.where)
    assert err.value.code == "error.backup" or "hashes to" in str(err.value)
    bad = tmp_path / "bad.tar"
    with tarfile.open(out) as src, tarfile.open(bad, "w") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name.endswith(".sqlite3"):
                data = data[:-1] + bytes([data[-1] ^ 1])
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    with pytest.raises(BackupError) as err:
        verify(bad)
    assert "SHA-256 differs" in str(err.value)
