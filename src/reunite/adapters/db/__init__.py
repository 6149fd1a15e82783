"""PostgreSQL + pgvector: tables, migrations, the embedded server and the unit of work."""
