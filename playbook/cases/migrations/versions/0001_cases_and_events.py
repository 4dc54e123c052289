"""Cases and their append-only event log (the schema of release 0.1.0, "schema_version 1").

A database made by 0.1.0 already has these tables: ``SqlStore.migrate`` stamps it at this
revision instead of running it. Never edit a released revision; write a new one.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=False)  # naive UTC, see playbook.cases.schema.UTCDateTime
EVENT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("scenario_id", sa.String(64), nullable=False),
        sa.Column("scenario_version", sa.Integer, nullable=False),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("order_id", sa.String(200), nullable=True),
        sa.Column("facts", sa.JSON, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("assignee", sa.String(200), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("next_deadline", UTC, nullable=True),
        sa.Column("walk", sa.JSON, nullable=False),
        sa.Column("evidence", sa.JSON, nullable=False),
        sa.Column("drafts", sa.JSON, nullable=False),
        sa.Column("outcome", sa.String(64), nullable=True),
        sa.Column("root_causes", sa.JSON, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
    )
    for name, cols in (
        ("ix_cases_due", ["next_deadline", "updated_at"]),
        ("ix_cases_status_due", ["status", "next_deadline", "updated_at"]),
        ("ix_cases_scenario_due", ["scenario_id", "next_deadline", "updated_at"]),
        ("ix_cases_assignee_due", ["assignee", "next_deadline", "updated_at"]),
        ("ix_cases_order", ["order_id"]),
    ):
        op.create_index(name, "cases", cols)
    op.create_table(
        "events",
        sa.Column("id", EVENT_ID, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(16), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("time", UTC, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("step_id", sa.String(64), nullable=True),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.UniqueConstraint("case_id", "seq", name="uq_events_case_seq"),
    )


def downgrade() -> None:
    raise NotImplementedError("the case store only moves forward; restore a backup instead")
