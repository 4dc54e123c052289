"""Helpers for the case-store tests: a fake clock, sample cases, and a store per backend.

Each PostgreSQL store gets its own schema (dropped afterwards) so tests never see each
other's rows; each SQLite store its own file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from playbook.cases.memory_store import MemoryStore
from playbook.cases.sql_store import SqlStore as Store
from playbook.config import REPO_ROOT
from playbook.library.library import Library
from playbook.load import load_library
from playbook.scenarios.engine import Walk
from playbook.scenarios.facts import parse_facts

PG_ENV = "PLAYBOOK_TEST_PG_URL"
HOW_TO_RUN_PG = "run: bash scripts/with-test-postgres.sh .venv/bin/python -m pytest"
START = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)

SAMPLE_FACTS = {
    "order_id": "5f9a0c2e1b",
    "buyer_name": "Dana <b>Smith</b>",
    "store_name": "Sunny Home",
    "order_total": "24.99",
    "currency": "USD",
    "refund_requested_at": "2026-05-03 10:00",
    "manages_own_returns": "yes",  # the ticket deadline applies to such stores only
}
# An amazon.com seller-fulfilled order under an A-to-z claim (made-up values).
AMAZON_FACTS = {
    "order_id": "113-4827305-1940263",
    "buyer_name": "Emily Carter",
    "store_name": "Lakeside Goods",
    "product_name": "Ceramic mug",
    "marketplace": "us",
    "fulfilment_channel": "mfn",
    "claim_type": "a-to-z",
}


FROZEN_SCENARIO = Path(__file__).parent / "data" / "store" / "item-mismatch-v1.yaml"


def frozen_library(folder: Path) -> Library:
    """The real data/ copied to ``folder``, with item-mismatch frozen at its version 1.

    The store and decision-log tests walk this fixed scenario, so a change to the seed
    scenario does not change what they test. Practice cases (written for the current
    scenarios) are left out: they are not what these tests test.
    """
    data = folder / "data"
    shutil.copytree(REPO_ROOT / "data", data, ignore=shutil.ignore_patterns("training"))
    shutil.copy(FROZEN_SCENARIO, data / "scenarios" / "item-mismatch.yaml")
    return load_library(data)


class FakeClock:
    """A clock that moves one second per reading (so event times differ), thread-safe."""

    def __init__(self, start: dt.datetime = START, tick: dt.timedelta = dt.timedelta(seconds=1)):
        self.time = start
        self.tick = tick
        self._lock = threading.Lock()

    def __call__(self) -> dt.datetime:
        with self._lock:
            self.time += self.tick
            return self.time

    def advance(self, **delta: float) -> None:
        """Jump ahead (e.g. ``hours=50``)."""
        with self._lock:
            self.time += dt.timedelta(**delta)


def new_walk(
    lib: Library, scenario_id: str = "item-mismatch", raw: dict | None = None, as_of=START
) -> Walk:
    """A fresh walk over ``scenario_id`` with sample facts (or ``raw`` form values)."""
    scenario = lib.scenario(scenario_id)
    facts, errors = parse_facts(scenario, lib.facts, raw or SAMPLE_FACTS)
    assert not errors, errors
    return Walk(scenario, facts, as_of, lib.policies[scenario.platform].policies)


def require_pg_url() -> str:
    """The test server's URL; skip (locally) or fail (CI) when there is none."""
    url = os.environ.get(PG_ENV)
    if url:
        return url
    message = f"PostgreSQL store tests need {PG_ENV}; {HOW_TO_RUN_PG}"
    if os.environ.get("CI") or os.environ.get("PLAYBOOK_REQUIRE_ALL_TESTS"):
        pytest.fail(message + " (CI / PLAYBOOK_REQUIRE_ALL_TESTS is set: not skipping)")
    pytest.skip(message)


@contextlib.contextmanager
def pg_schema_url() -> Iterator[str]:
    """A URL whose connections use a fresh, empty schema; the schema is dropped afterwards."""
    admin_url = require_pg_url()
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        url = sa.engine.make_url(admin_url).update_query_dict(
            {"options": f"-csearch_path={schema}"}
        )
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@contextlib.contextmanager
def backend_url(kind: str, tmp_path: Path) -> Iterator[str]:
    """A database URL for ``kind`` ('sqlite' or 'postgres') that no other test uses."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'cases.sqlite3'}"
    else:
        with pg_schema_url() as url:
            yield url


# The databases an SqlStore runs on (a test parametrised over them runs twice).
SQL_STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
# Every store a case session runs on (a test parametrised over them runs three times).
STORES = ["memory", *SQL_STORES]


@contextlib.contextmanager
def any_store(kind: str, tmp_path: Path, clock: FakeClock) -> Iterator[MemoryStore | Store]:
    """A fresh store of ``kind`` (one of ``STORES``) on ``clock``, closed afterwards."""
    if kind == "memory":
        yield MemoryStore(now=clock)
        return
    with backend_url(kind, tmp_path) as url, Store(url, now=clock) as st:
        yield st


def answer_first_options(store: Store, case, walk, steps: int, actor: str = "amy"):
    """Answer ``steps`` steps, taking the first valid option at each question."""
    for _ in range(steps):
        step = walk.current
        option = walk.options()[0].id if step.kind == "question" else None
        case, walk = store.answer(case, walk, step.id, option, actor=actor)
    return case, walk
