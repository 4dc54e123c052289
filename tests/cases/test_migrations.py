"""Schema changes go through Alembic; a case store made by release 0.1.0 upgrades in place.

The fixtures under tests/data/store/legacy/ were made by release 0.1.0's own code (its
``schema_version`` table at 1, no Alembic table): an SQLite file, and a ``pg_dump`` of a
PostgreSQL database with the same two cases.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from playbook.cases.projection import ProjectionRules
from playbook.cases.sql_store import LEGACY_REVISION, SCHEMA_VERSION
from playbook.cases.sql_store import SqlStore as Store
from playbook.errors import StoreError
from tests.store_fixtures import FakeClock, pg_schema_url

LEGACY = Path(__file__).parents[1] / "data" / "store" / "legacy"
LEGACY_CASES = {"legacy01": 4, "legacy02": 1}  # case id -> events made by 0.1.0


def _check_upgraded(store: Store, lib) -> None:
    assert store.schema_version() == SCHEMA_VERSION
    for case_id, count in LEGACY_CASES.items():
        events = store.events(case_id)
        assert len(events) == count
        assert {e.actor for e in events} == {"Legacy Li"}
    case = store.get_case("legacy01")
    assert case.revision == 4
    assert case.evidence == {"x-photo": True}
    assert [e.type for e in store.events("legacy01")] == ["created", "answer", "note", "evidence"]
    # and the upgraded store takes new moves
    opened = store.open("legacy01", lib)
    saved = store.add_note(opened.case, "after the upgrade", actor="New Nan")
    assert store.events("legacy01")[-1].payload == {"text": "after the upgrade"}
    assert saved.revision == 5


def test_release_0_1_0_sqlite_file_upgrades_in_place(tmp_path, lib) -> None:
    db = tmp_path / "cases.sqlite3"
    shutil.copy(LEGACY / "release-0.1.0.sqlite3", db)
    with Store(f"sqlite:///{db}", now=FakeClock(), projection=ProjectionRules.of(lib)) as store:
        _check_upgraded(store, lib)
        with store.reading() as conn:
            legacy = conn.execute(sa.text("SELECT version FROM schema_version")).scalars().all()
        assert legacy == [1]  # kept as it was; alembic_version is the record now
    with Store(f"sqlite:///{db}", now=FakeClock(), migrate=False) as again:
        assert again.schema_version() == SCHEMA_VERSION


def test_an_unmigrated_legacy_file_is_refused_without_migrate(tmp_path) -> None:
    db = tmp_path / "cases.sqlite3"
    shutil.copy(LEGACY / "release-0.1.0.sqlite3", db)
    before = db.read_bytes()
    with pytest.raises(StoreError) as err:
        Store(f"sqlite:///{db}", migrate=False)
    assert err.value.code == "error.store_schema_old"
    assert db.read_bytes() == before


@pytest.mark.postgres
def test_release_0_1_0_postgres_database_upgrades_in_place(lib) -> None:
    dump = (LEGACY / "release-0.1.0.pg.sql").read_text(encoding="utf-8")
    # The dump names the public schema; restore it into this test's own schema instead.
    lines = [
        line
        for line in dump.splitlines()
        if not line.startswith(("SET ", "SELECT pg_catalog.set_config", "\\"))
    ]
    script = "\n".join(lines).replace("public.", "")
    with pg_schema_url() as url:
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql(script)
        engine.dispose()
        with Store(url, now=FakeClock(), projection=ProjectionRules.of(lib)) as store:
            _check_upgraded(store, lib)


def test_legacy_revision_is_the_first() -> None:
    assert LEGACY_REVISION == "0001"
