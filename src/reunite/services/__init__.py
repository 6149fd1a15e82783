"""Use cases: one function per state change, each in one transaction with an audit record."""
