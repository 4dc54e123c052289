"""Backups of the case store: ``backup``, ``restore`` and ``verify``.

``backup`` makes a consistent copy while servers write, ``restore`` puts it into an empty
store, and ``verify`` checks that the copy matches its manifest.

A backup is one ``.tar`` file: ``manifest.json`` (format, when, from which kind of database and
schema revision, the rows of every table, the SHA-256 and size of every evidence blob, the
SHA-256 of the database member) and the database itself:

- **SQLite** (``cases.sqlite3``): SQLite's online backup API (``sqlite3.Connection.backup``
  in one step) copies the database as of one read transaction; in WAL mode writers go on
  meanwhile. The counts and hashes are read from that copy.
- **PostgreSQL** (``cases.pgdump``): the documented ``pg_dump`` route (custom format, the
  store's schema only). The manifest is read in a ``REPEATABLE READ`` transaction whose
  snapshot ``pg_dump --snapshot`` then dumps, so both see the same rows.

``restore`` refuses a target that already holds tables. SQLite into SQLite is the backup API
again; an SQLite backup into PostgreSQL is copied row by row into a store Alembic has created
(so one machine's store can move to a team database); a PostgreSQL backup goes back with
``pg_restore``. Either way the restored store is checked against the manifest.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Integer, MetaData, create_engine, func, inspect, make_url, select, text

from playbook.cases.projection import ProjectionRules
from playbook.cases.schema import SCHEMA_VERSION
from playbook.cases.sql_store import SqlStore
from playbook.errors import BackupError

FORMAT = "dispute-playbook-backup/1"
MANIFEST = "manifest.json"
SQLITE_MEMBER, PG_MEMBER = "cases.sqlite3", "cases.pgdump"
_BLOCK = 1 << 20


@dataclass(frozen=True)
class Done:
    """What a backup or restore did: the file or target, the manifest, seconds taken."""

    where: str
    manifest: dict[str, Any]
    seconds: float
    size: int = 0


# --- backup -----------------------------------------------------------------------------------


def backup(store: SqlStore, out: Path) -> Done:
    """Write a consistent backup of ``store`` to ``out`` (a new file).

    Raises:
        BackupError: ``out`` exists, or the copy or ``pg_dump`` failed.
    """
    out = Path(out)
    if out.exists():
        raise BackupError("error.backup_exists", file=str(out))
    started = time.monotonic()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".backup-") as tmp:
        if store.is_sqlite:
            member = Path(tmp) / SQLITE_MEMBER
            _sqlite_copy(store, member)
            with _sqlite_ro(member) as conn:
                manifest = _manifest(conn, "sqlite", _revision_sqlite(conn))
        else:
            member = Path(tmp) / PG_MEMBER
            manifest = _pg_dump(store, member)
        manifest["database"] = {"member": member.name, "sha256": _file_sha256(member)}
        partial = Path(tmp) / "backup.tar"
        with tarfile.open(partial, "w") as tar:
            data = json.dumps(manifest, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(data), int(time.time())
            tar.addfile(info, io.BytesIO(data))
            tar.add(member, arcname=member.name)
        os.replace(partial, out)
    return Done(str(out), manifest, time.monotonic() - started, out.stat().st_size)


def _sqlite_copy(store: SqlStore, target: Path) -> None:
    source = sqlite3.connect(f"file:{store.path}?mode=ro", uri=True, timeout=30)
    dest = sqlite3.connect(target)
    try:
        source.backup(dest)  # pages=-1: the whole database in one step, one read snapshot
        dest.execute("PRAGMA journal_mode=DELETE")  # a self-contained file
    except sqlite3.Error as exc:
        raise BackupError("error.backup", file=str(store.path), detail=str(exc)) from None
    finally:
        dest.close()
        source.close()


@contextlib.contextmanager
def _sqlite_ro(path: Path) -> Iterator[Any]:
    engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def _revision_sqlite(conn: Any) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _manifest(conn: Any, kind: str, revision: str | None, schema: str | None = None) -> dict:
    """Rows per table and every blob's hash, read on ``conn`` (one snapshot)."""
    meta = MetaData()
    meta.reflect(conn, schema=schema)
    tables = {
        t.name: int(conn.execute(select(func.count()).select_from(t)).scalar())
        for t in meta.sorted_tables
    }
    blobs = {}
    if "blobs" in tables:
        table = next(t for t in meta.sorted_tables if t.name == "blobs")
        for sha, data in conn.execute(select(table.c.sha256, table.c.data)):
            blobs[sha] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    return {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "kind": kind,
        "schema_revision": revision,
        "pg_schema": schema,
        "tables": tables,
        "blobs": blobs,
    }


def _pg_env(url: Any) -> dict[str, str]:
    """The libpq environment for a SQLAlchemy URL (the password never on a command line)."""
    env = {**os.environ}
    parts = {
        "PGHOST": url.host,
        "PGPORT": url.port,
        "PGUSER": url.username,
        "PGPASSWORD": url.password,
        "PGDATABASE": url.database,
        "PGOPTIONS": url.query.get("options"),
    }
    env.update({k: str(v) for k, v in parts.items() if v is not None})
    return env


def _run(tool: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(tool, env=env, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise BackupError("error.backup_tool", tool=tool[0], code="-", detail=str(exc)) from None
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip()[-800:]
        raise BackupError("error.backup_tool", tool=tool[0], code=done.returncode, detail=detail)


def _pg_dump(store: SqlStore, member: Path) -> dict:
    url = store.url
    engine = create_engine(url, isolation_level="REPEATABLE READ")
    try:
        with engine.connect() as conn:
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar()
            schema = conn.execute(text("SELECT current_schema()")).scalar()
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            manifest = _manifest(conn, "postgresql", revision, schema)
            _run(
                [
                    shutil.which("pg_dump") or "pg_dump",
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f"--schema={schema}",
                    "--no-owner",
                    "--no-privileges",
                    f"--file={member}",
                ],
                _pg_env(url),
            )
            conn.rollback()
    finally:
        engine.dispose()
    return manifest


# --- reading a backup ---------------------------------------------------------------------------


@contextlib.contextmanager
def opened(path: Path) -> Iterator[tuple[dict[str, Any], Path]]:
    """The manifest and the database member of a backup, unpacked into a temporary folder.

    Raises:
        BackupError: not a backup, or the member does not match its hash.
    """
    path = Path(path)
    try:
        with tempfile.TemporaryDirectory(prefix="playbook-restore-") as tmp:
            with tarfile.open(path, "r") as tar:
                manifest = json.load(tar.extractfile(MANIFEST))
                if manifest.get("format") != FORMAT:
                    raise BackupError("error.backup", file=str(path), detail="not a backup")
                name = manifest["database"]["member"]
                if name not in (SQLITE_MEMBER, PG_MEMBER):
                    raise BackupError("error.backup", file=str(path), detail=f"member {name}")
                member = Path(tmp) / name
                with tar.extractfile(name) as src, member.open("wb") as dst:
                    shutil.copyfileobj(src, dst, _BLOCK)
            if _file_sha256(member) != manifest["database"]["sha256"]:
                raise BackupError(
                    "error.backup", file=str(path), detail=f"{name}: SHA-256 differs"
                )
            yield manifest, member
    except (OSError, KeyError, ValueError, tarfile.TarError) as exc:
        raise BackupError("error.backup", file=str(path), detail=str(exc)) from None


def compare(manifest: dict[str, Any], found: dict[str, Any]) -> list[str]:
    """Every difference between a manifest and what a store holds (rows, blob hashes)."""
    problems = []
    for table, rows in sorted(manifest["tables"].items()):
        have = found["tables"].get(table)
        if have != rows:
            problems.append(f"table {table}: {have} rows, the manifest says {rows}")
    for sha, blob in sorted(manifest["blobs"].items()):
        got = found["blobs"].get(sha)
        if got is None:
            problems.append(f"blob {sha}: missing")
        elif got["sha256"] != sha or got != blob:
            problems.append(f"blob {sha}: its content hashes to {got['sha256']}")
    return problems


def verify(path: Path, scratch_url: str | None = None) -> Done:
    """Check a backup: its member's hash, then every count and blob hash of the manifest.

    The counts and hashes are read from the copy (SQLite) or from a restore into
    ``scratch_url`` (PostgreSQL).

    Raises:
        BackupError: the backup does not match (each difference listed), or cannot be read.
    """
    started = time.monotonic()
    with opened(path) as (manifest, member):
        if manifest["kind"] == "sqlite":
            with _sqlite_ro(member) as conn:
                found = _manifest(conn, "sqlite", _revision_sqlite(conn))
            problems = compare(manifest, found)
            if problems:
                raise BackupError(
                    "error.verify_failed", file=str(path), problems="\n".join(problems)
                )
            return Done(str(path), manifest, time.monotonic() - started)
    if scratch_url is None:
        raise BackupError(
            "error.backup",
            file=str(path),
            detail="a PostgreSQL backup is verified by restoring it: give --scratch URL",
        )
    return restore(path, scratch_url)


# --- restore ------------------------------------------------------------------------------------


def restore(path: Path, to_url: str, projection: ProjectionRules | None = None) -> Done:
    """Restore a backup into an empty store at ``to_url`` and check it against the manifest.

    Raises:
        BackupError: the target is not empty, the kinds do not fit, or the check failed.
    """
    started = time.monotonic()
    target = make_url(to_url)
    to_sqlite = target.get_backend_name() == "sqlite"
    with opened(path) as (manifest, member):
        _refuse_not_empty(to_url, target)
        if manifest["kind"] == "postgresql":
            if to_sqlite:
                raise BackupError("error.restore_kind", file=str(path))
            _run(
                [
                    shutil.which("pg_restore") or "pg_restore",
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    f"--dbname={target.database}",
                    str(member),
                ],
                _pg_env(target),
            )
        elif to_sqlite:
            dest = Path(target.database)
            dest.parent.mkdir(parents=True, exist_ok=True)
            source, copy = sqlite3.connect(member), sqlite3.connect(dest)
            try:
                source.backup(copy)
                copy.execute("PRAGMA journal_mode=WAL")
            finally:
                copy.close()
                source.close()
        else:
            _copy_rows(member, to_url, manifest, projection)
    if manifest["kind"] == "postgresql":  # pg_restore brings the tables back in their schema
        to_url = schema_url(to_url, manifest["pg_schema"])
    with SqlStore(to_url, projection=projection) as store:  # migrates an older backup
        with store.reading() as conn:
            schema = (
                conn.execute(text("SELECT current_schema()")).scalar() if not to_sqlite else None
            )
            found = _manifest(conn, manifest["kind"], SCHEMA_VERSION, schema)
    problems = compare(manifest, found)
    if problems:
        raise BackupError("error.verify_failed", file=str(path), problems="\n".join(problems))
    shown = make_url(to_url).render_as_string(hide_password=True)
    return Done(shown, manifest, time.monotonic() - started)


def schema_url(url: str, schema: str | None) -> str:
    """``url`` with its connections on ``schema`` (PostgreSQL's search_path; public: as is)."""
    if not schema or schema == "public":
        return url
    made = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    return made.render_as_string(hide_password=False)


def _refuse_not_empty(to_url: str, target: Any) -> None:
    if target.get_backend_name() == "sqlite":
        path = Path(target.database or "")
        if path.exists() and path.stat().st_size > 0:
            raise BackupError("error.restore_not_empty", target=str(path), tables="file exists")
        return
    engine = create_engine(to_url)
    try:
        with engine.connect() as conn:
            names = inspect(conn).get_table_names()
    finally:
        engine.dispose()
    if names:
        raise BackupError(
            "error.restore_not_empty",
            target=target.render_as_string(hide_password=True),
            tables=", ".join(sorted(names)),
        )


def _copy_rows(
    member: Path, to_url: str, manifest: dict, projection: ProjectionRules | None
) -> None:
    """An SQLite backup into an empty PostgreSQL store, table by table in one transaction."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / SQLITE_MEMBER  # migrated to the current schema if it is older
        shutil.copyfile(member, work)
        SqlStore(f"sqlite:///{work}", projection=projection).close()
        SqlStore(to_url).close()  # the empty target gets the current schema
        source_engine = create_engine(f"sqlite:///{work}")
        target_engine = create_engine(to_url)
        try:
            with source_engine.connect() as src, target_engine.begin() as dst:
                source_meta, target_meta = MetaData(), MetaData()
                source_meta.reflect(src)
                target_meta.reflect(dst)
                for table in source_meta.sorted_tables:
                    if table.name == "alembic_version":
                        continue
                    into = target_meta.tables[table.name]
                    rows = src.execution_options(yield_per=500).execute(select(table))
                    for chunk in rows.partitions():
                        dst.execute(into.insert(), [dict(r._mapping) for r in chunk])
                    if "id" in into.c and isinstance(into.c.id.type, Integer):
                        dst.execute(
                            text(
                                f"SELECT setval(pg_get_serial_sequence('{into.name}', 'id'), "
                                f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {into.name}"
                            )
                        )
        finally:
            source_engine.dispose()
            target_engine.dispose()


# --- helpers ------------------------------------------------------------------------------------


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()
