"""Shared fixtures: the real data library, a writable copy of data/, fixed clocks, case stores.

Case stores come fresh for each test: ``store`` on every backend a case session runs on
(memory, an SQLite file, a PostgreSQL schema), ``sql_store`` on the two databases only.

Also the order files run in: pytest-xdist (``--dist loadfile``, pyproject.toml) hands each
worker whole files in collection order, so the files that take longest (the team hub's, then
the other browser tests, each file with its own servers) are collected first and the short
ones fill in behind them; a slow file never starts last and leaves a worker idle.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from playbook.cases.memory_store import MemoryStore
from playbook.cases.sql_store import SqlStore
from playbook.config import REPO_ROOT
from playbook.library.library import Library
from playbook.load import load_library
from tests.store_fixtures import SQL_STORES, STORES, FakeClock, any_store, backend_url

DATA = REPO_ROOT / "data"
TEST_DATA = Path(__file__).parent / "data"
AS_OF = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="session", autouse=True)
def lib() -> Library:
    """The real, validated library under data/.

    Loaded first: its messages are the ones errors and pages render.
    """
    return load_library(DATA)


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of data/ to break on purpose."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


@pytest.fixture
def as_of() -> dt.datetime:
    """The fixed 'now' of the tests (no test reads the real clock)."""
    return AS_OF


@pytest.fixture
def clock() -> FakeClock:
    """A clock from 2026-05-04 09:00 UTC that moves one second per reading."""
    return FakeClock()


@pytest.fixture(params=STORES)
def store(
    request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock
) -> Iterator[MemoryStore | SqlStore]:
    """A fresh case store on ``clock``: in memory, on an SQLite file, on a PostgreSQL schema."""
    with any_store(request.param, tmp_path, clock) as st:
        yield st


@pytest.fixture(params=SQL_STORES)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL no other test uses: an SQLite file, a PostgreSQL schema."""
    with backend_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def sql_store(db_url: str, clock: FakeClock) -> Iterator[SqlStore]:
    """A fresh ``SqlStore`` at ``db_url`` on ``clock``, closed afterwards."""
    with SqlStore(db_url, now=clock) as st:
        yield st


# Slowest first: a real JupyterHub with per-person servers, then the other browser tests.
SLOW_FIRST = ("tests/browser/test_team_hub.py", "tests/browser/")


def _rank(item: pytest.Item) -> int:
    path = item.nodeid.split("::", 1)[0]
    return next((i for i, prefix in enumerate(SLOW_FIRST) if path.startswith(prefix)), 99)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the slowest files first (a stable sort: order within a file is kept)."""
    items.sort(key=_rank)
