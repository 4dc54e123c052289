"""Training results in the case store's own training tables (SQLite or PostgreSQL).

``TrainingStore`` sits on an opened ``SqlStore`` (which migrated the schema, revision 0004
included) and writes only ``training_sessions``, ``training_attempts`` and ``training_moves``;
practice walks never create cases, so nothing here shows in the case list or the analyst page.
Each write is one transaction.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from playbook.cases.records import check_actor
from playbook.cases.sql_store import SqlStore
from playbook.errors import InputError, StoreError
from playbook.training.attempt import Move
from playbook.training.schema import training_attempts, training_moves, training_sessions

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # read out loud: no 0/O, 1/I/L
CODE_LENGTH = 6


@dataclass(frozen=True)
class TrainingSession:
    """A session a trainer created: its code, practice cases and pass mark (percent)."""

    code: str
    created_at: dt.datetime
    created_by: str
    practice_ids: list[str]
    pass_mark: int


@dataclass(frozen=True)
class AttemptRow:
    """One trainee's attempt at one practice case, as stored."""

    id: str
    session_code: str
    trainee: str
    practice_id: str
    scenario_id: str
    scenario_version: int
    max_score: int
    started_at: dt.datetime
    finished_at: dt.datetime | None
    path: list[str]


def normalise_code(code: str) -> str:
    """A session code as typed (spaces, lower case) in its stored form."""
    return "".join((code or "").split()).upper()[:16]


class TrainingStore:
    """Training sessions, attempts and moves in the case store.

    Args:
        store: an opened ``SqlStore`` (its transactions and schema are used).
    """

    durable = True

    def __init__(self, store: SqlStore) -> None:
        self.store = store
        self.now = store.now

    def close(self) -> None:
        """Close the underlying case store."""
        self.store.close()

    # --- sessions -----------------------------------------------------------------------

    def create_session(
        self, practice_ids: Sequence[str], pass_mark: int, *, created_by: str
    ) -> TrainingSession:
        """A new session with a fresh code.

        Raises:
            StoreError: no practice case chosen, a pass mark outside 0-100, or the store failed.
        """
        if not practice_ids:
            raise InputError("error.training_no_cases")
        if not 0 <= int(pass_mark) <= 100:
            raise InputError("error.training_pass_mark", value=pass_mark)
        for _ in range(10):
            session = TrainingSession(
                code="".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)),
                created_at=self.now(),
                created_by=check_actor(created_by),
                practice_ids=list(practice_ids),
                pass_mark=int(pass_mark),
            )
            try:
                with self.store.transaction() as conn:
                    conn.execute(insert(training_sessions).values(**session.__dict__))
            except IntegrityError:
                continue  # the code was taken: draw another
            return session
        raise StoreError("error.store", detail="no free session code")  # pragma: no cover

    def get_session(self, code: str) -> TrainingSession:
        """The session with ``code`` (as typed).

        Raises:
            StoreError: no such session (``error.training_unknown_code``).
        """
        wanted = normalise_code(code)
        with self.store.reading() as conn:
            row = conn.execute(
                select(training_sessions).where(training_sessions.c.code == wanted)
            ).first()
        if row is None:
            raise StoreError("error.training_unknown_code", code=wanted)
        return TrainingSession(**row._mapping)

    def list_sessions(self, limit: int = 50) -> list[TrainingSession]:
        """The newest sessions first."""
        query = select(training_sessions).order_by(training_sessions.c.created_at.desc())
        with self.store.reading() as conn:
            return [TrainingSession(**r._mapping) for r in conn.execute(query.limit(limit))]

    # --- attempts -----------------------------------------------------------------------

    def start_attempt(
        self,
        session: TrainingSession,
        trainee: str,
        practice_id: str,
        *,
        scenario: tuple[str, int],
        max_score: int,
        started_at: dt.datetime,
        path: list[str],
    ) -> str:
        """Record that ``trainee`` started ``practice_id``; returns the attempt id."""
        attempt_id = secrets.token_hex(8)
        with self.store.transaction() as conn:
            conn.execute(
                insert(training_attempts).values(
                    id=attempt_id,
                    session_code=session.code,
                    trainee=check_actor(trainee),
                    practice_id=practice_id,
                    scenario_id=scenario[0],
                    scenario_version=scenario[1],
                    max_score=max_score,
                    started_at=started_at,
                    finished_at=None,
                    path=path,
                )
            )
        return attempt_id

    def record_move(self, attempt_id: str, move: Move) -> None:
        """Store one move (before the attempt makes it)."""
        with self.store.transaction() as conn:
            conn.execute(insert(training_moves).values(attempt_id=attempt_id, **move.__dict__))

    def update_attempt(
        self, attempt_id: str, *, path: list[str], finished_at: dt.datetime | None
    ) -> None:
        """The attempt's path after a move, and its end time once the outcome is reached."""
        with self.store.transaction() as conn:
            conn.execute(
                update(training_attempts)
                .where(training_attempts.c.id == attempt_id)
                .values(path=path, finished_at=finished_at)
            )

    def attempts(self, code: str) -> list[AttemptRow]:
        """Every attempt of a session, oldest first."""
        query = (
            select(training_attempts)
            .where(training_attempts.c.session_code == normalise_code(code))
            .order_by(training_attempts.c.started_at, training_attempts.c.id)
        )
        with self.store.reading() as conn:
            return [AttemptRow(**r._mapping) for r in conn.execute(query)]

    def moves(self, code: str) -> dict[str, list[Move]]:
        """Every move of a session's attempts, by attempt id, in the order made."""
        query = (
            select(training_moves)
            .join(training_attempts, training_moves.c.attempt_id == training_attempts.c.id)
            .where(training_attempts.c.session_code == normalise_code(code))
            .order_by(training_moves.c.attempt_id, training_moves.c.seq)
        )
        out: dict[str, list[Move]] = {}
        with self.store.reading() as conn:
            for row in conn.execute(query):
                values: dict[str, Any] = dict(row._mapping)
                attempt_id = values.pop("attempt_id")
                values.pop("id")
                out.setdefault(attempt_id, []).append(Move(**values))
        return out
