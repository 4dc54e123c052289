"""Fixtures of the case tests: the library some of them walk at a fixed scenario version."""

from __future__ import annotations

import pytest

from playbook.library.library import Library
from tests.store_fixtures import frozen_library


@pytest.fixture(scope="package")
def frozen_lib(tmp_path_factory: pytest.TempPathFactory) -> Library:
    """The library with item-mismatch frozen at version 1 (see ``frozen_library``)."""
    return frozen_library(tmp_path_factory.mktemp("frozen"))
