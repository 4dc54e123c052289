"""Cases keep the time of their first buyer reply and of their closing.

The lessons page reads them without the event log. Existing cases get both from their events.
An index on (id, revision, updated_at) lets the lessons page find changed cases without
reading rows.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import context, op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=False)  # naive UTC, see playbook.cases.schema.UTCDateTime


def upgrade() -> None:
    op.add_column("cases", sa.Column("first_reply_at", UTC, nullable=True))
    op.add_column("cases", sa.Column("closed_at", UTC, nullable=True))
    op.create_index("ix_cases_stamp", "cases", ["id", "revision", "updated_at"])
    conn = op.get_bind()
    if conn.execute(sa.text("SELECT 1 FROM events LIMIT 1")).first() is None:
        return  # a new or empty store: nothing to work out
    # Which templates are buyer messages and which steps close a case is library data: the
    # store is given it (``SqlStore(projection=...)``); a migration never reads data/.
    from playbook.cases.projection import refresh_projection
    from playbook.errors import StoreError

    rules = context.config.attributes.get("projection")
    if rules is None:
        raise StoreError("error.store_upgrade_library", db=context.config.attributes.get("label"))
    refresh_projection(conn, rules)


def downgrade() -> None:
    raise NotImplementedError("the case store only moves forward; restore a backup instead")
