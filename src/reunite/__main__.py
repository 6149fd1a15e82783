"""``python -m reunite`` is the ``reunite`` command."""

from reunite.entrypoints.cli import app

app()
