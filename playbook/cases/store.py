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
    ) -> Case:
        """Start a case at the walk's first step, with the walk's facts."""

    def open(self, case_id: str, library: Library) -> Opened:
        """Load a case and rebuild its walk at the current time, for resuming it."""

    def answer(
        self, case: Case, walk: Walk, step_id: str, option_id: str | None = None, *, actor: str
    ) -> Saved:
        """Answer the walk's current step and save it before returning."""

    def back(self, case: Case, walk: Walk, *, actor: str) -> Saved:
        """Go back one step, recorded as a ``back`` event (nothing is deleted)."""

    def restart(self, case: Case, walk: Walk, step_id: str | None = None, *, actor: str) -> Saved:
        """Restart the walk at ``step_id`` (default: where ``walk`` stands), as an event."""

    def set_evidence(
        self, case: Case, item_id: str, done: bool, *, actor: str, step_id: str | None = None
    ) -> Case:
        """Tick (or untick) an evidence item."""

    def issue_draft(
        self,
        case: Case,
        template_id: str,
        *,
        actor: str,
        step_id: str | None = None,
        body: str | None = None,
        to_buyer: bool = False,
    ) -> Case:
        """Record that a message draft was issued (copied or sent), with its text if given."""

    def set_status(self, case: Case, status: str, *, actor: str, note: str | None = None) -> Case:
        """Set the status by hand (it is set from the walk again at its next move)."""

    def add_note(self, case: Case, note: str, *, actor: str, step_id: str | None = None) -> Case:
        """Add a free-text note to the history."""

    def assign(self, case: Case, assignee: str | None, *, actor: str) -> Case:
        """Give the case to ``assignee`` (None: nobody)."""

    def set_root_causes(self, case: Case, root_causes: Sequence[str], *, actor: str) -> Case:
        """Replace the case's root-cause tags (ids from data/root_causes.yaml)."""

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
    ) -> tuple[Case, Attachment]:
        """Attach an uploaded file to evidence item ``item_id`` of the case's scenario."""

    def detach_file(self, case: Case, seq: int, *, actor: str, step_id: str | None = None) -> Case:
        """Remove attachment ``seq`` from the case (its blob and history stay)."""

    def record_packet(
        self, case: Case, payload: Mapping[str, Any], *, actor: str, step_id: str | None = None
    ) -> Case:
        """Record that an appeal packet was built: its files, their hashes, the profile."""

    def attachments(self, case_id: str, *, removed: bool = False) -> list[Attachment]:
        """The case's attachments in the order they were added (``removed``: those too)."""

    def blob(self, sha256: str) -> Blob:
        """The stored file with this hash (StoreError if none)."""

    def get_case(self, case_id: str) -> Case:
        """The case with ``case_id`` (StoreError ``error.case_not_found`` if none)."""

    def events(self, case_id: str) -> list[Event]:
        """The case's history, oldest first."""

    def list_cases(
        self, where: CaseFilter = EVERY_CASE, *, limit: int = 50, offset: int = 0
    ) -> list[Case]:
        """Cases for the case list: overdue and soonest deadlines first, then latest changed."""

    def count_cases(self, where: CaseFilter = EVERY_CASE) -> int:
        """How many cases ``list_cases`` would page through with the same filter."""

    def close(self) -> None:
        """Release what the store holds (connections); the store is not used afterwards."""
