"""Dispute Playbook core: scenarios as data, a step engine, deadlines, drafts, cases, orders.

One floor per layer, each importing only the floors below it (``tests/test_layers.py``):

- ``playbook.config``, ``playbook.errors``, ``playbook.i18n``: settings, errors, messages;
- ``playbook.library``: the schema of every data file, reading them, the ``Library``;
- ``playbook.scenarios``: what the playbook says (engine, policies, facts, templates);
- ``playbook.cases``: what happened on each case (the ``CaseSession``, the stores);
- ``playbook.orders``, ``playbook.training``, ``playbook.lessons``: order files and triage,
  practice cases, lessons learned;
- entry points: ``playbook.load`` (the checked library), ``playbook.cli`` and the widget
  layer ``playbook.ui`` (never imported by the core).

``__all__`` is the public API. The SQL store and the order functions are loaded on first use
(``playbook.SqlStore``, ``playbook.read_orders``): the staff page must not pay for SQLAlchemy or
pandas before its first click.
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
    Forbidden,
    InputError,
    OrderFileError,
    PlaybookError,
    ScenarioError,
    StepNotAllowed,
    StoreError,
    TemplateError,
)
from playbook.library.library import Library, Problem
from playbook.load import check, load_library
from playbook.scenarios.engine import Walk

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
    "Forbidden",
    "InputError",
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
