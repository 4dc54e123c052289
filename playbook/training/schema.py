"""The training tables of the case store (SQLAlchemy 2 Core), created by Alembic revision 0004.

They hold training sessions, attempts and every move, and nothing else reads them: the case list,
the decision log and the analyst page read ``cases`` and ``events`` only.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)

from playbook.cases.schema import EventId, UTCDateTime

metadata = MetaData()

training_sessions = Table(
    "training_sessions",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("practice_ids", JSON, nullable=False),  # the practice cases, in order
    Column("pass_mark", Integer, nullable=False),  # percent of the maximum score
)

training_attempts = Table(
    "training_attempts",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("session_code", String(16), ForeignKey("training_sessions.code"), nullable=False),
    Column("trainee", String(200), nullable=False),
    Column("practice_id", String(64), nullable=False),
    Column("scenario_id", String(64), nullable=False),
    Column("scenario_version", Integer, nullable=False),
    Column("max_score", Integer, nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime, nullable=True),
    Column("path", JSON, nullable=False),  # the trainee's steps when last moved
)

training_moves = Table(
    "training_moves",
    metadata,
    Column("id", EventId, primary_key=True, autoincrement=True),
    Column("attempt_id", String(16), ForeignKey("training_attempts.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("time", UTCDateTime, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("item", String(200), nullable=False),
    Column("step_id", String(64), nullable=False),
    Column("option", String(64), nullable=True),
    Column("correct", Boolean, nullable=True),
    Column("points", Integer, nullable=False),
    UniqueConstraint("attempt_id", "seq", name="uq_training_moves_attempt_seq"),
)
