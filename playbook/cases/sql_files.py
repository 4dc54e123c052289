"""Evidence files in the SQL case store: the ``FileMoves`` primitives of ``SqlStore``.

A mixin of ``SqlStore`` (which provides its read connections). ``SqlStore.append`` writes the
blob and attachment change (or an erasure: payloads rewritten, files dropped) here in the
same transaction as the event and the row.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import delete, exists, insert, select, update

from playbook.cases.erasure import Erasure
from playbook.cases.files import Attachment, Blob, FileChange
from playbook.cases.records import Case
from playbook.cases.schema import attachments, blobs, cases, events
from playbook.errors import StoreError

_META = [blobs.c.kind, blobs.c.size, blobs.c.pages, blobs.c.width, blobs.c.height]


class SqlFiles:
    """Evidence-file storage over SQLAlchemy Core.

    ``attachments``, ``blob``, and the file part of ``SqlStore.append`` (``SqlStore`` gives
    ``reading`` and ``is_sqlite``).
    """

    is_sqlite: bool
    reading: Any

    def moved_on(self, case: Case) -> bool:
        """Whether the stored case is past ``case.revision`` (another writer got there first)."""
        with self.reading() as conn:
            now = conn.execute(select(cases.c.revision).where(cases.c.id == case.id)).scalar()
        return now != case.revision

    def write_change(self, conn: Any, case: Case, change: FileChange) -> None:
        """Write an evidence file change (a new blob, an attachment, a removal) on ``conn``."""
        if change.blob is not None:
            # The dialect's own INSERT (ON CONFLICT); imported here, as PostgreSQL's costs
            # ~0.1 s to import and only a team server needs it.
            if self.is_sqlite:
                from sqlalchemy.dialects import sqlite as dialect
            else:
                from sqlalchemy.dialects import postgresql as dialect
            conn.execute(
                dialect.insert(blobs)
                .values(**dataclasses.asdict(change.blob))  # a Blob is a blobs row
                .on_conflict_do_nothing(index_elements=["sha256"])
            )
        if change.attachment is not None:
            a = change.attachment
            conn.execute(
                insert(attachments).values(
                    case_id=a.case_id,
                    seq=a.seq,
                    item_id=a.item_id,
                    sha256=a.sha256,
                    name=a.name,
                    actor=a.actor,
                    added_at=a.added_at,
                    removed=False,
                )
            )
        if change.removed_seq is not None:
            conn.execute(
                update(attachments)
                .where(attachments.c.case_id == case.id, attachments.c.seq == change.removed_seq)
                .values(removed=True)
            )

    def write_erasure(self, conn: Any, case: Case, erasure: Erasure) -> None:
        """Write an erasure on ``conn``: the rewritten payloads, and the case's files dropped."""
        for seq, payload in sorted(erasure.payloads.items()):
            conn.execute(
                update(events)
                .where(events.c.case_id == case.id, events.c.seq == seq)
                .values(payload=payload)
            )
        if not erasure.drop_files:
            return
        mine = select(attachments.c.sha256).where(attachments.c.case_id == case.id)
        hashes = list(conn.execute(mine.distinct()).scalars())
        conn.execute(delete(attachments).where(attachments.c.case_id == case.id))
        used = select(attachments.c.sha256).where(attachments.c.sha256 == blobs.c.sha256)
        conn.execute(delete(blobs).where(blobs.c.sha256.in_(hashes), ~exists(used)))

    def attachments(self, case_id: str, *, removed: bool = False) -> list[Attachment]:
        """The case's attachments in the order they were added."""
        query = (
            select(attachments, *_META)
            .join(blobs, blobs.c.sha256 == attachments.c.sha256)
            .where(attachments.c.case_id == case_id)
            .order_by(attachments.c.seq)
        )
        if not removed:
            query = query.where(attachments.c.removed == False)  # noqa: E712 - SQL, not Python
        with self.reading() as conn:
            return [Attachment(**row._mapping) for row in conn.execute(query)]

    def blob(self, sha256: str) -> Blob:
        """The stored file with this hash.

        Raises:
            StoreError: no such blob (``error.file_missing``), or the store failed.
        """
        with self.reading() as conn:
            row = conn.execute(select(blobs).where(blobs.c.sha256 == sha256)).first()
        if row is None:
            raise StoreError("error.file_missing", sha256=sha256)
        return Blob(**row._mapping)
