"""Opening a case store: the schema, SQLite's settings, bad files, where it is, its messages.

The schema tests run against real databases: an SQLite file in tmp_path, and (as
``[postgres]``) a real server from ``PLAYBOOK_TEST_PG_URL`` with a schema of its own.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
import yaml

from playbook.cases.schema import events as events_table
from playbook.cases.sql_store import SCHEMA_VERSION
from playbook.cases.sql_store import SqlStore as Store
from playbook.config import REPO_ROOT
from playbook.errors import StoreError
from tests.store_fixtures import FakeClock

# --- schema -------------------------------------------------------------------------------


class TestSchema:
    def test_migrate_creates_schema_and_is_idempotent(self, sql_store):
        assert sql_store.schema_version() == SCHEMA_VERSION
        assert sql_store.migrate() == SCHEMA_VERSION
        with sql_store.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT version_num FROM alembic_version")).all()
            tables = set(sa.inspect(conn).get_table_names())
        assert rows == [(SCHEMA_VERSION,)]
        assert {"cases", "events", "alembic_version"} <= tables
        assert "schema_version" not in tables  # release 0.1.0's own table is not made anew

    def test_newer_schema_is_refused(self, sql_store, db_url, clock):
        with sql_store.engine.begin() as conn:
            conn.execute(sa.text("UPDATE alembic_version SET version_num = 'f00d'"))
        with pytest.raises(StoreError) as err:
            Store(db_url, now=clock)
        assert err.value.code == "error.store_schema_newer"
        assert err.value.params["found"] == "f00d"
        assert err.value.params["known"] == SCHEMA_VERSION

    def test_unmigrated_database_is_refused_without_migrate(self, tmp_path):
        url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        with pytest.raises(StoreError) as err:
            Store(url, migrate=False)
        assert err.value.code == "error.store_schema_old"
        assert err.value.params["found"] == 0

    def test_foreign_keys_are_enforced(self, sql_store, clock):
        row = {
            "case_id": "nosuchcase",
            "seq": 1,
            "time": clock(),
            "actor": "amy",
            "type": "note",
            "step_id": None,
            "payload": {},
        }
        with pytest.raises(sa.exc.IntegrityError), sql_store.engine.begin() as conn:
            conn.execute(sa.insert(events_table).values(**row))


def test_sqlite_pragmas_make_every_commit_durable(tmp_path):
    with Store(f"sqlite:///{tmp_path / 'c.sqlite3'}", now=FakeClock()) as st:
        with st.engine.connect() as conn:
            pragma = lambda name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
            assert pragma("journal_mode") == "wal"
            assert pragma("foreign_keys") == 1
            assert pragma("synchronous") == 2  # FULL
            assert pragma("busy_timeout") == 10_000


# --- bad files and configuration ----------------------------------------------------------


class TestFiles:
    @pytest.mark.parametrize(
        "content",
        [b"this is not a database\x00\xff" * 200, b"SQLite format 3\x00" + bytes(range(256)) * 32],
        ids=["garbage", "damaged-after-header"],
    )
    def test_corrupt_file_named_and_never_overwritten(self, tmp_path, content):
        bad = tmp_path / "cases.sqlite3"
        bad.write_bytes(content)
        with pytest.raises(StoreError) as err:
            Store(f"sqlite:///{bad}")
        assert err.value.code == "error.store_corrupt"
        assert err.value.params["file"] == str(bad)
        assert str(bad) in str(err.value)
        assert bad.read_bytes() == content
        assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.sqlite3"]

    def test_directory_instead_of_file(self, tmp_path):
        folder = tmp_path / "cases.sqlite3"
        folder.mkdir()
        with pytest.raises(StoreError) as err:
            Store(f"sqlite:///{folder}")
        assert err.value.code == "error.store_not_a_file"
        assert str(folder) in str(err.value)

    def test_default_is_sqlite_file_in_var_folder(self, tmp_path, monkeypatch):
        monkeypatch.delenv("PLAYBOOK_DB_URL", raising=False)
        monkeypatch.setenv("PLAYBOOK_CONFIG", str(tmp_path / "no-such.toml"))
        monkeypatch.setenv("PLAYBOOK_VAR_DIR", str(tmp_path / "var"))
        with Store(now=FakeClock()) as st:
            assert st.path == tmp_path / "var" / "cases.sqlite3"
        assert (tmp_path / "var" / "cases.sqlite3").is_file()

    def test_url_from_environment(self, tmp_path, monkeypatch):
        monkeypatch.setenv("PLAYBOOK_DB_URL", f"sqlite:///{tmp_path / 'team.sqlite3'}")
        with Store(now=FakeClock()) as st:
            assert st.label == str(tmp_path / "team.sqlite3")
            assert st.schema_version() == SCHEMA_VERSION

    def test_unreachable_server_is_a_store_error(self):
        with pytest.raises(StoreError) as err:
            Store("postgresql+psycopg://nobody:secret@127.0.0.1:1/nothing")
        assert err.value.code == "error.store_unavailable"
        assert "secret" not in str(err.value)
        assert "127.0.0.1:1" in str(err.value)


# --- messages -----------------------------------------------------------------------------


def test_every_store_message_key_has_both_languages():
    """Keys the store and the decision log use exist in the catalogue (data/i18n/*.yaml)."""
    used = set()
    for path in sorted((REPO_ROOT / "playbook" / "cases").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'"((?:error|store|caselog)\.[a-z_.]+)"', source))
    catalogue = {}
    for path in sorted((REPO_ROOT / "data" / "i18n").glob("*.yaml")):  # merged, as the app does
        catalogue.update(yaml.safe_load(path.read_text("utf-8")))
    assert used, "no keys found"
    missing = sorted(
        k for k in used if not (catalogue.get(k, {}).get("en") and catalogue.get(k, {}).get("zh"))
    )
    assert missing == []
