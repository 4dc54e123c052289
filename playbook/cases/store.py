"""The ``CaseStore`` protocol: what a case session needs from a store.

Two implementations: ``playbook.cases.sql_store.SqlStore`` (SQLite or PostgreSQL, durable)
and ``playbook.cases.memory_store.MemoryStore`` (this process only: training, tests,
notebooks). Both get every move from ``playbook.cases.moves.CaseMoves``, so a move is written
once; they differ only in where the case rows and events are kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from playbook.cases.files import Attachment, Blob
from playbook.cases.records import EVERY_CASE, Case, CaseFilter, Event, Opened, Saved
from playbook.library.evidence_limits import EvidenceLimits
from playbook.library.library import Library
from playbook.library.model import Scenario
from playbook.scenarios.engine import Walk


class CaseStore(Protocol):
    """Cases, their events, and every move on them (see ``CaseMoves`` for the semantics)."""

    durable: bool  # whether cases outlive the process (the page shows the case list if so)
    label: str  # names the store in messages
    now: Callable[[], dt.datetime]

    def create_case(
        self,
        walk: Walk,
        *,
        actor: str,
        assignee: str | None = None,
        order_id: str | None = None,
        case_id: str | None = None,
    ) -> Case: ...

    def open(self, case_id: str, library: Library) -> Opened: ...

    def answer(
        self, case: Case, walk: Walk, step_id: str, option_id: str | None = None, *, actor: str
    ) -> Saved: ...

    def back(self, case: Case, walk: Walk, *, actor: str) -> Saved: ...

    def restart(
        self, case: Case, walk: Walk, step_id: str | None = None, *, actor: str
    ) -> Saved: ...

    def set_evidence(
        self, case: Case, item_id: str, done: bool, *, actor: str, step_id: str | None = None
    ) -> Case: ...

    def issue_draft(
        self,
        case: Case,
        template_id: str,
        *,
        actor: str,
        step_id: str | None = None,
        body: str | None = None,
        to_buyer: bool = False,
    ) -> Case: ...

    def set_status(
        self, case: Case, status: str, *, actor: str, note: str | None = None
    ) -> Case: ...

    def add_note(
        self, case: Case, note: str, *, actor: str, step_id: str | None = None
    ) -> Case: ...

    def assign(self, case: Case, assignee: str | None, *, actor: str) -> Case: ...

    def set_root_causes(self, case: Case, root_causes: Sequence[str], *, actor: str) -> Case: ...

    def attach_file(
        self,
        case: Case,
        scenario: Scenario,
        item_id: str,
        name: str,
        data: bytes,
        *,
        limits: EvidenceLimits,
        actor: str,
        step_id: str | None = None,
    ) -> tuple[Case, Attachment]: ...

    def detach_file(
        self, case: Case, seq: int, *, actor: str, step_id: str | None = None
    ) -> Case: ...

    def record_packet(
        self, case: Case, payload: Mapping[str, Any], *, actor: str, step_id: str | None = None
    ) -> Case: ...

    def attachments(self, case_id: str, *, removed: bool = False) -> list[Attachment]: ...

    def blob(self, sha256: str) -> Blob: ...

    def get_case(self, case_id: str) -> Case: ...

    def events(self, case_id: str) -> list[Event]: ...

    def list_cases(
        self, where: CaseFilter = EVERY_CASE, *, limit: int = 50, offset: int = 0
    ) -> list[Case]: ...

    def count_cases(self, where: CaseFilter = EVERY_CASE) -> int: ...

    def close(self) -> None: ...
