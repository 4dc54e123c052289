"""Deadline reminders, and the time a case's personal data was last removed.

A reminder is one row per case, deadline, channel and person: claimed, sent or failed.

The ``reminders`` table is the reminders part's (``playbook/reminders/schema.py``); its key
is what makes a reminder go out once per channel and person.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=False)  # naive UTC, see playbook.cases.schema.UTCDateTime


def upgrade() -> None:
    op.add_column("cases", sa.Column("erased_at", UTC, nullable=True))
    op.create_table(
        "reminders",
        sa.Column("case_id", sa.String(16), sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("deadline", UTC, primary_key=True),
        sa.Column("channel", sa.String(16), primary_key=True),
        sa.Column("recipient", sa.String(200), primary_key=True),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("message_id", sa.String(64), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("claimed_by", sa.String(100), nullable=False),
        sa.Column("claimed_at", UTC, nullable=False),
        sa.Column("next_try_at", UTC, nullable=True),
        sa.Column("sent_at", UTC, nullable=True),
        sa.Column("last_error", sa.String(500), nullable=True),
    )
    op.create_index("ix_reminders_status", "reminders", ["status", "claimed_at"])


def downgrade() -> None:
    raise NotImplementedError("the case store only moves forward; restore a backup instead")
