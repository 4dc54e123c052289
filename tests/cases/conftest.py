"""Fixtures of the case tests: the library at a fixed scenario version, a case just started."""

from __future__ import annotations

import pytest

from playbook.cases.records import Case
from playbook.cases.sql_store import SqlStore
from playbook.library.library import Library
from playbook.scenarios.engine import Walk
from tests.store_fixtures import frozen_library, new_walk


@pytest.fixture(scope="package")
def frozen_lib(tmp_path_factory: pytest.TempPathFactory) -> Library:
    """The library with item-mismatch frozen at version 1 (see ``frozen_library``)."""
    return frozen_library(tmp_path_factory.mktemp("frozen"))


@pytest.fixture
def started(sql_store: SqlStore, lib: Library) -> tuple[Case, Walk]:
    """A new item-mismatch case on ``sql_store`` and its walk."""
    walk = new_walk(lib)
    return sql_store.create_case(walk, actor="amy"), walk
