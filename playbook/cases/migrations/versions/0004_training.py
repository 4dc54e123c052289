"""Training sessions, attempts and moves: their own tables, never read as cases.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=False)  # naive UTC, see playbook.cases.schema.UTCDateTime
MOVE_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "training_sessions",
        sa.Column("code", sa.String(16), primary_key=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("practice_ids", sa.JSON, nullable=False),
        sa.Column("pass_mark", sa.Integer, nullable=False),
    )
    op.create_table(
        "training_attempts",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column(
            "session_code",
            sa.String(16),
            sa.ForeignKey("training_sessions.code"),
            nullable=False,
        ),
        sa.Column("trainee", sa.String(200), nullable=False),
        sa.Column("practice_id", sa.String(64), nullable=False),
        sa.Column("scenario_id", sa.String(64), nullable=False),
        sa.Column("scenario_version", sa.Integer, nullable=False),
        sa.Column("max_score", sa.Integer, nullable=False),
        sa.Column("started_at", UTC, nullable=False),
        sa.Column("finished_at", UTC, nullable=True),
        sa.Column("path", sa.JSON, nullable=False),
    )
    op.create_index("ix_training_attempts_session", "training_attempts", ["session_code"])
    op.create_table(
        "training_moves",
        sa.Column("id", MOVE_ID, primary_key=True, autoincrement=True),
        sa.Column(
            "attempt_id", sa.String(16), sa.ForeignKey("training_attempts.id"), nullable=False
        ),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("time", UTC, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("item", sa.String(200), nullable=False),
        sa.Column("step_id", sa.String(64), nullable=False),
        sa.Column("option", sa.String(64), nullable=True),
        sa.Column("correct", sa.Boolean, nullable=True),
        sa.Column("points", sa.Integer, nullable=False),
        sa.UniqueConstraint("attempt_id", "seq", name="uq_training_moves_attempt_seq"),
    )


def downgrade() -> None:
    raise NotImplementedError("the case store only moves forward; restore a backup instead")
