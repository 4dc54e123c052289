"""Fixtures of the page tests: the case store a page saves to, at the pages' clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from playbook.cases.sql_store import SqlStore

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)  # what the staff pages' clocks read


@pytest.fixture
def now() -> dt.datetime:
    """The time the page's clock and its store read (a test file may override it)."""
    return NOW


@pytest.fixture
def store(tmp_path: Path, now: dt.datetime) -> Iterator[SqlStore]:
    """A case store on a fresh SQLite file whose clock reads ``now``, closed afterwards."""
    with SqlStore(f"sqlite:///{tmp_path / 'cases.sqlite3'}", now=lambda: now) as st:
        yield st
