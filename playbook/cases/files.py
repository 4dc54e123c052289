"""Evidence files on a case: the records, and the moves that attach, remove and send them.

``FileMoves`` is part of ``CaseMoves``: each move checks its input, builds one event and hands
it with the file change to the store's primitive ``append`` (one transaction in
``SqlStore``, one lock in ``MemoryStore``): the blob (stored once per content hash), the
attachment row, the event and the case row moved on one revision are written together or
not at all.

An attachment is known by the ``seq`` of the event that added it; removing one keeps its blob
and its history (the packet that was sent may refer to it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from playbook.cases.evidence import FileInfo, check_file, display_name, thumbnail
from playbook.cases.records import Case, check_actor
from playbook.errors import EvidenceError
from playbook.library.evidence_limits import EvidenceLimits
from playbook.library.model import Scenario


@dataclass(frozen=True)
class Attachment:
    """A file attached to one evidence item of a case (the blob's bytes are read apart)."""

    case_id: str
    seq: int  # the seq of the event that added it: its id within the case
    item_id: str
    sha256: str
    name: str  # the browser's file name, as text only
    kind: str
    size: int
    pages: int | None
    width: int | None
    height: int | None
    actor: str
    added_at: dt.datetime
    removed: bool = False


@dataclass(frozen=True)
class Blob:
    """One stored file, kept once per content hash."""

    sha256: str
    kind: str
    size: int
    pages: int | None
    width: int | None
    height: int | None
    created_at: dt.datetime
    data: bytes
    thumb: bytes | None


@dataclass(frozen=True)
class FileChange:
    """What ``append`` writes besides the event: a new blob and attachment, or a removal."""

    blob: Blob | None = None  # stored unless the hash is there already
    attachment: Attachment | None = None  # added
    removed_seq: int | None = None  # the attachment marked removed


def evidence_items(scenario: Scenario) -> dict[str, Any]:
    """Every evidence item of the scenario by id, in the order the steps list them."""
    return {e.id: e for s in scenario.steps for e in s.evidence}


class FileMoves:
    """The file moves of ``CaseMoves`` (see the module docstring); stores provide the rest."""

    now: Callable[[], dt.datetime]

    def attachments(self, case_id: str, *, removed: bool = False) -> list[Attachment]:
        """The case's attachments in the order they were added (``removed``: those too)."""
        raise NotImplementedError  # pragma: no cover - provided by the store

    def blob(self, sha256: str) -> Blob:
        """The stored file with this hash (StoreError if none)."""
        raise NotImplementedError  # pragma: no cover - provided by the store

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
        """Attach an uploaded file to evidence item ``item_id`` of the case's scenario.

        Raises:
            EvidenceError: the item is not the scenario's, the case has too many files, or the
                file is refused (see ``playbook.cases.evidence.check_file``); nothing written.
            ConflictError: someone else saved the case first; nothing written.
            StoreError: the database refused the write; nothing written.
        """
        actor = check_actor(actor)
        items = evidence_items(scenario)
        if item_id not in items:
            raise EvidenceError(
                "error.file_item", item=item_id, scenario=scenario.id, choices=sorted(items)
            )
        if len(self.attachments(case.id)) >= limits.max_files_per_case:
            raise EvidenceError("error.file_count", limit=limits.max_files_per_case)
        profile = limits.profile(case.platform)
        info = check_file(bytes(data), profile, limits)
        now = self.now()
        seq = case.revision + 1
        attachment = _attachment(case, seq, item_id, display_name(name), info, actor, now)
        blob = Blob(
            info.sha256,
            info.kind,
            info.size,
            info.pages,
            info.width,
            info.height,
            now,
            bytes(data),
            thumbnail(data, info.kind),
        )
        payload = {
            "item": item_id,
            "sha256": info.sha256,
            "name": attachment.name,
            "kind": info.kind,
            "size": info.size,
        }
        change = FileChange(blob=blob, attachment=attachment)
        saved = self._commit(
            case, actor, "evidence_file_added", step_id, payload, {}, now, files=change
        )
        return saved, attachment

    def detach_file(self, case: Case, seq: int, *, actor: str, step_id: str | None = None) -> Case:
        """Remove attachment ``seq`` from the case (its blob and history stay).

        Raises:
            EvidenceError: no such attachment on this case, or it is removed already.
            ConflictError: someone else saved the case first.
        """
        actor = check_actor(actor)
        found = {a.seq: a for a in self.attachments(case.id)}
        if seq not in found:
            raise EvidenceError("error.file_not_attached", file=seq, case=case.id)
        gone = found[seq]
        payload = {"item": gone.item_id, "sha256": gone.sha256, "name": gone.name, "added": seq}
        change = FileChange(removed_seq=seq)
        return self._commit(
            case, actor, "evidence_file_removed", step_id, payload, {}, self.now(), files=change
        )

    def record_packet(
        self, case: Case, payload: Mapping[str, Any], *, actor: str, step_id: str | None = None
    ) -> Case:
        """Record that an appeal packet was built: its files, their hashes, the profile."""
        actor = check_actor(actor)
        return self._commit(case, actor, "packet_built", step_id, payload, {})


def _attachment(
    case: Case, seq: int, item_id: str, name: str, info: FileInfo, actor: str, now: dt.datetime
) -> Attachment:
    return Attachment(
        case_id=case.id,
        seq=seq,
        item_id=item_id,
        sha256=info.sha256,
        name=name,
        kind=info.kind,
        size=info.size,
        pages=info.pages,
        width=info.width,
        height=info.height,
        actor=actor,
        added_at=now,
    )
