"""The reminders table (SQLAlchemy 2 Core), created by Alembic revision 0006 of the case store.

One row per case, deadline, channel and person: the key that makes a reminder go out once.
A run claims a row (``claimed``, with its run id and time) before it sends and marks it
``sent`` after; a claim whose run died is taken over once its lease has passed; a row whose
sending failed (``failed``) is tried again from ``next_try_at`` until ``attempts`` reaches the
limit. ``message_id`` names the message the row went (or goes) out in: a message sent again
after a crash carries the same id (e-mail Message-ID, webhook Idempotency-Key).
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, MetaData, String, Table

from playbook.cases.schema import UTCDateTime

metadata = MetaData()

STATUSES = ("claimed", "sent", "failed")

reminders = Table(
    "reminders",
    metadata,
    Column("case_id", String(16), ForeignKey("cases.id"), primary_key=True),
    Column("deadline", UTCDateTime, primary_key=True),
    Column("channel", String(16), primary_key=True),
    Column("recipient", String(200), primary_key=True),
    Column("status", String(8), nullable=False),
    Column("message_id", String(64), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("claimed_by", String(100), nullable=False),
    Column("claimed_at", UTCDateTime, nullable=False),
    Column("next_try_at", UTCDateTime, nullable=True),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("last_error", String(500), nullable=True),
    Index("ix_reminders_status", "status", "claimed_at"),
)
