"""Alembic environment of the case store.

Run only through ``SqlStore.migrate`` (which passes an open connection, inside its transaction and,
on PostgreSQL, under an advisory lock).
"""

from alembic import context

from playbook.cases.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
