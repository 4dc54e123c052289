"""Dispute Playbook core: scenarios as data, a step engine, deadlines, drafts, cases, orders.

Pure Python; the widget layer lives in ``playbook.ui`` and is never imported from here.
"""

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
from playbook.scenarios.library import Library
from playbook.scenarios.loader import load_library

__all__ = [
    "ConflictError",
    "FactError",
    "Library",
    "OrderFileError",
    "PlaybookError",
    "ScenarioError",
    "StepNotAllowed",
    "StoreError",
    "TemplateError",
    "Walk",
    "load_library",
]
