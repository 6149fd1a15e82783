"""The face index's parameters and scan settings, chosen from bench/search.py's measured table
(docs/benchmarks.md, "Search"): every vector query and the migration that builds the indexes use them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

HNSW_M = 24  # links per node
HNSW_EF_CONSTRUCTION = 128  # candidates kept while building
EF_SEARCH = 800  # candidates kept while searching (at least the rows fetched: ann_neighbours); 400 gave
# recall@10 0.976 at a million dlib-like faces, 800 gives 0.993 (docs/benchmarks.md, 1M faces)


def ann_scan(conn: Connection, ef_search: int = EF_SEARCH) -> None:
    """Settings for the next vector queries of this transaction. A filtered HNSW scan returns too few
    rows unless it may continue past its first candidates (iterative scan); relaxed order is why every
    query re-sorts what the index returned by exact distance."""
    conn.exec_driver_sql(  # SET LOCAL, both in one statement
        f"SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true), "
        f"set_config('hnsw.ef_search', '{int(ef_search)}', true)")


class AnnScanOnce:
    """``ann_scan`` once per transaction (its settings last until the commit), for the unit of work and
    every mixin of it that runs a vector query. The unit of work clears ``scan_set`` as it begins."""

    conn: Connection
    ef_search: int
    scan_set: bool = False

    def _ann_scan(self) -> None:
        if not self.scan_set:
            ann_scan(self.conn, self.ef_search)
            self.scan_set = True


def vector_literal(values: Sequence[float]) -> str:
    """A vector as pgvector's text form, for a ``CAST(:q AS vector)`` parameter."""
    return "[" + ",".join(f"{v:.7g}" for v in values) + "]"
