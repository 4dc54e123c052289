"""The in-memory case store: the same moves and reads as ``SqlStore``, kept in this process.

For training sessions, notebooks and tests: nothing is written to disk and everything is gone
when the process ends. Conflicts behave as in the SQL store (a stale revision is refused).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

from playbook.cases.erasure import Erasure
from playbook.cases.files import Attachment, Blob, FileChange
from playbook.cases.moves import CaseMoves
from playbook.cases.records import EVERY_CASE, Case, CaseFilter, Event
from playbook.errors import StoreError

_FAR = dt.datetime.max.replace(tzinfo=dt.UTC)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class MemoryStore(CaseMoves):
    """Cases and events in dictionaries, guarded by one lock.

    Args:
        now: the clock, returning aware UTC datetimes.
    """

    durable = False
    label = "memory"

    def __init__(self, *, now: Callable[[], dt.datetime] = _utc_now) -> None:
        self.now = now
        self._lock = threading.Lock()
        self._cases: dict[str, Case] = {}
        self._events: dict[str, list[Event]] = {}
        self._blobs: dict[str, Blob] = {}
        self._attachments: dict[str, list[Attachment]] = {}
        self._next_id = 1

    def close(self) -> None:
        """Nothing to release (kept for the store protocol)."""

    # --- primitives of CaseMoves ---------------------------------------------------------

    def insert_case(self, values: dict[str, Any], event: dict[str, Any]) -> bool:
        """Store a new case and its first event; False if the id is taken."""
        with self._lock:
            if values["id"] in self._cases:
                return False
            self._cases[values["id"]] = Case(**values)
            self._events[values["id"]] = [self._event(event)]
            return True

    def append(
        self,
        case: Case,
        event: dict[str, Any],
        values: dict[str, Any],
        files: FileChange | None = None,
        erasure: Erasure | None = None,
    ) -> bool:
        """Append the event (its file change or erasure too) and move the case on, or do nothing.

        Nothing is written (False) when the case is no longer at ``case.revision``.
        """
        with self._lock:
            current = self._cases.get(case.id)
            if current is None or current.revision != case.revision:
                return False
            if files is not None:
                self._write_change(case.id, files)
            if erasure is not None:
                self._write_erasure(case.id, erasure)
            self._cases[case.id] = dataclasses.replace(current, **values)
            self._events[case.id].append(self._event(event))
            return True

    def _write_change(self, case_id: str, change: FileChange) -> None:
        files = self._attachments.setdefault(case_id, [])
        if change.blob is not None:
            self._blobs.setdefault(change.blob.sha256, change.blob)
        if change.attachment is not None:
            files.append(change.attachment)
        if change.removed_seq is not None:
            files[:] = [
                dataclasses.replace(a, removed=True) if a.seq == change.removed_seq else a
                for a in files
            ]

    def _write_erasure(self, case_id: str, erasure: Erasure) -> None:
        self._events[case_id] = [
            dataclasses.replace(e, payload=erasure.payloads[e.seq])
            if e.seq in erasure.payloads
            else e
            for e in self._events[case_id]
        ]
        if erasure.drop_files:
            self._attachments.pop(case_id, None)
            used = {a.sha256 for files in self._attachments.values() for a in files}
            self._blobs = {k: b for k, b in self._blobs.items() if k in used}

    def last_event(self, case_id: str) -> Event | None:
        """The case's newest event."""
        with self._lock:
            found = self._events.get(case_id)
            return found[-1] if found else None

    def _event(self, values: dict[str, Any]) -> Event:
        event = Event(id=self._next_id, **values)
        self._next_id += 1
        return event

    # --- reading -------------------------------------------------------------------------

    def get_case(self, case_id: str) -> Case:
        """The case with ``case_id``.

        Raises:
            StoreError: no such case (code ``error.case_not_found``).
        """
        with self._lock:
            case = self._cases.get(case_id)
        if case is None:
            raise StoreError("error.case_not_found", case=case_id)
        return case

    def events(self, case_id: str) -> list[Event]:
        """The case's history, oldest first."""
        with self._lock:
            return list(self._events.get(case_id, []))

    def attachments(self, case_id: str, *, removed: bool = False) -> list[Attachment]:
        """The case's attachments in the order they were added."""
        with self._lock:
            files = list(self._attachments.get(case_id, []))
        return [a for a in files if removed or not a.removed]

    def blob(self, sha256: str) -> Blob:
        """The stored file with this hash (StoreError ``error.file_missing`` if none)."""
        with self._lock:
            found = self._blobs.get(sha256)
        if found is None:
            raise StoreError("error.file_missing", sha256=sha256)
        return found

    def list_cases(
        self, where: CaseFilter = EVERY_CASE, *, limit: int = 50, offset: int = 0
    ) -> list[Case]:
        """As ``SqlStore.list_cases``: overdue and soonest deadlines first, then latest changed."""
        found = self._filtered(where)
        found.sort(key=lambda c: c.id)
        found.sort(key=lambda c: c.updated_at, reverse=True)
        found.sort(key=lambda c: c.next_deadline or _FAR)
        return found[offset : offset + limit]

    def count_cases(self, where: CaseFilter = EVERY_CASE) -> int:
        """How many cases ``list_cases`` would page through with the same filter."""
        return len(self._filtered(where))

    def _filtered(self, where: CaseFilter) -> list[Case]:
        now = self.now()
        with self._lock:
            cases = list(self._cases.values())
        return [c for c in cases if where.matches(c, now)]
