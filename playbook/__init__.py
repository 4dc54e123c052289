"""Dispute Playbook core: scenarios as data, a step engine, deadlines, drafts, cases, orders.

Three subsystems: ``playbook.scenarios`` (what the playbook says), ``playbook.cases`` (what
happened on each case) and ``playbook.orders`` (Wish order files and their triage); plus
``playbook.cli``. Pure Python; the widget layer lives in ``playbook.ui`` and is never imported
from here. ``__all__`` is the public API. The SQL store and the order functions are loaded on
first use (``playbook.SqlStore``, ``playbook.read_orders``): the staff page must not pay for
SQLAlchemy or pandas before its first click.
"""

from __future__ import annotations

import importlib
from typing import Any

from playbook.cases.memory_store import MemoryStore
from playbook.cases.records import Case, Event
from playbook.cases.session import CaseSession, Screen
from playbook.cases.store import CaseStore
from playbook.errors import (
    ConflictError,
    FactError,
    OrderFileError,
    PlaybookError,
    ScenarioError,
    StepNotAllowed,
    StoreError,
    TemplateError,
)
from playbook.scenarios.engine import Walk
from playbook.scenarios.library import Library, Problem
from playbook.scenarios.loader import check, load_library

_LAZY = {
    "SqlStore": "playbook.cases.sql_store",
    "export_case": "playbook.cases.caselog",
    "read_orders": "playbook.orders.reader",
    "triage": "playbook.orders.triage",
}

__all__ = [
    "Case",
    "CaseSession",
    "CaseStore",
    "ConflictError",
    "Event",
    "FactError",
    "Library",
    "MemoryStore",
    "OrderFileError",
    "PlaybookError",
    "Problem",
    "ScenarioError",
    "Screen",
    "SqlStore",
    "StepNotAllowed",
    "StoreError",
    "TemplateError",
    "Walk",
    "check",
    "export_case",
    "load_library",
    "read_orders",
    "triage",
]


def __getattr__(name: str) -> Any:
    """The public names that are loaded on first use (see the module docstring)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'playbook' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
