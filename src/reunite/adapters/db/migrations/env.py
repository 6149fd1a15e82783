"""Alembic environment: the engine comes from the caller (see ``reunite.adapters.db.migrate``)."""

from alembic import context

from reunite.adapters.db import people_tables  # noqa: F401  (its tables join the metadata)
from reunite.adapters.db.tables import metadata

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    # one advisory lock so that several processes starting at once migrate one after another
    connection.exec_driver_sql("SELECT pg_advisory_xact_lock(7262001)")
    context.configure(connection=connection, target_metadata=metadata, transaction_per_migration=False)
    with context.begin_transaction():
        context.run_migrations()
