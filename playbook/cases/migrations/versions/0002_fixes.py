"""Fix tracking for the lessons page: a change a lead made against a root cause, from a date.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=False)  # naive UTC, see playbook.cases.schema.UTCDateTime
ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "fixes",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("root_cause", sa.String(64), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("starts_at", UTC, nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
    )


def downgrade() -> None:
    raise NotImplementedError("the case store only moves forward; restore a backup instead")
