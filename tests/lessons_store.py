"""The known case store of scripts/make_cases.py, on SQLite or PostgreSQL, for lessons tests.

Its groups (counts, weeks, causes, outcomes, delays) were fixed in the script before the
analytics code ran; the tests assert figures worked out by hand from them.
"""

from __future__ import annotations

import contextlib
import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path

from playbook.cases.sql_store import SqlStore as Store
from playbook.config import REPO_ROOT
from playbook.library.library import Library
from tests.store_fixtures import backend_url


def make_cases_module():
    """scripts/make_cases.py as a module (scripts/ is not a package)."""
    if "make_cases" not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            "make_cases", REPO_ROOT / "scripts" / "make_cases.py"
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules["make_cases"] = module
        spec.loader.exec_module(module)
    return sys.modules["make_cases"]


@contextlib.contextmanager
def known_store(kind: str, tmp_path: Path, lib: Library) -> Iterator[Store]:
    """The known store on ``kind`` ('sqlite' or 'postgres'), closed afterwards."""
    with backend_url(kind, tmp_path) as url:
        store = make_cases_module().build_known_store(url, lib)
        try:
            yield store
        finally:
            store.close()
