"""Reunite: street snapshots into leads for families of missing children."""
