"""Fixtures of the lessons tests: the known case store of scripts/make_cases.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from playbook.cases.sql_store import SqlStore
from playbook.library.library import Library
from tests import lessons_store
from tests.store_fixtures import SQL_STORES


@pytest.fixture(params=SQL_STORES)
def known_store(
    request: pytest.FixtureRequest, tmp_path: Path, lib: Library
) -> Iterator[SqlStore]:
    """The known store (``KNOWN_GROUPS``) on an SQLite file, then on a PostgreSQL schema."""
    with lessons_store.known_store(request.param, tmp_path, lib) as st:
        yield st
