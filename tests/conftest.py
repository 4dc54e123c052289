"""Shared fixtures: the real data library, a writable copy of data/, a fixed clock."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from playbook.config import REPO_ROOT
from playbook.library.library import Library
from playbook.load import load_library

DATA = REPO_ROOT / "data"
TEST_DATA = Path(__file__).parent / "data"
AS_OF = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="session", autouse=True)
def lib() -> Library:
    """The real, validated library under data/ (loaded first: its messages are the ones
    errors and pages render)."""
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
