"""The second face model's embeddings and vector indexes (``domain.fusion.ExtraFaceStore``).

``face_embeddings.embedding`` has no fixed dimension, as models differ; pgvector indexes need one, so each
model gets its own two HNSW indexes (case faces, sighting faces) on the expression
``embedding::vector(DIM)`` restricted to its rows, made when the model is configured (``ensure_indexes``,
at start-up). Queries repeat that expression and the model's name as literals so the planner uses them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.dialects.postgresql import insert as pg_insert

from reunite.adapters.db.ann import HNSW_EF_CONSTRUCTION, HNSW_M, AnnScanOnce, vector_literal
from reunite.adapters.db.case_faces import matched
from reunite.adapters.db.sighting_filter import NOT_FOUND
from reunite.adapters.db.tables import LATEST_SEEN, face_embeddings
from reunite.domain.fusion import Spread
from reunite.domain.matching_store import CaseHitRow, SightingHitRow
from reunite.domain.model import DetectedFace

SAMPLE = 40  # recent case faces × recent sighting faces read for the spread: 1,600 pairs
_SAFE = re.compile(r"^[a-z0-9_-]{1,48}$")


@dataclass(frozen=True)
class ExtraModel:
    """The configured second model: its name (safe in SQL and index names) and embedding size."""

    name: str
    dim: int

    def __post_init__(self) -> None:
        if not _SAFE.match(self.name) or not 0 < self.dim <= 16000:
            raise ValueError(f"unusable model name or dimension: {self.name!r}, {self.dim}")

    @property
    def column(self) -> str:
        return f"(e.embedding::vector({self.dim}))"

    def index_name(self, owner: str) -> str:
        return f"ix_face_emb_{self.name.replace('-', '_')}_{owner}"


def ensure_indexes(engine: Engine, model: ExtraModel) -> None:
    """The model's two indexes, made once (concurrent starts wait on one lock)."""
    with engine.begin() as conn:
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(hashtext('reunite.face_embeddings.indexes'))")
        for owner in ("case", "sighting"):
            conn.exec_driver_sql(
                f"CREATE INDEX IF NOT EXISTS {model.index_name(owner)} ON face_embeddings USING hnsw "
                f"((embedding::vector({model.dim})) vector_cosine_ops) "
                f"WITH (m = {HNSW_M}, ef_construction = {HNSW_EF_CONSTRUCTION}) "
                f"WHERE model = '{model.name}' AND {owner}_id IS NOT NULL")


class ExtraFacesSql(AnnScanOnce):
    """Mixed into ``SqlUnitOfWork``; ``extra_model`` None: no second model, every answer empty."""

    extra_model: ExtraModel | None

    def store_extra(self, face_id: int, case_id: int | None, sighting_id: int | None, face: DetectedFace) -> None:
        model = self.extra_model
        found = next((e for e in face.extra if model and e.model == model.name), None)
        if found is None:
            return
        statement = pg_insert(face_embeddings).values(
            face_id=face_id, model=found.model, model_version=found.version, case_id=case_id,
            sighting_id=sighting_id, embedding=list(found.vector))
        self.conn.execute(statement.on_conflict_do_update(
            index_elements=[face_embeddings.c.face_id, face_embeddings.c.model],
            set_={"model_version": statement.excluded.model_version, "embedding": statement.excluded.embedding}))

    def _rows(self, sql: str, params: dict[str, Any]) -> Sequence[Any]:
        return self.conn.execute(text(sql), params).all()

    def extra_embeddings(self, face_ids: Sequence[int]) -> dict[int, list[float]]:
        if self.extra_model is None or not face_ids:
            return {}
        rows = self._rows("SELECT face_id, embedding::text AS v FROM face_embeddings "
                          "WHERE model = :m AND face_id = ANY(:ids)",
                          {"m": self.extra_model.name, "ids": list(face_ids)})
        return {r.face_id: [float(x) for x in r.v.strip("[]").split(",")] for r in rows}

    def extra_similarities(self, query: Sequence[float], face_ids: Sequence[int]) -> dict[int, float]:
        return self.extra_similarities_each([query], face_ids)[0]

    def extra_similarities_each(
        self, queries: Sequence[Sequence[float] | None], face_ids: Sequence[int]
    ) -> list[dict[int, float]]:
        each: list[dict[int, float]] = [{} for _ in queries]
        asked = [(n, q) for n, q in enumerate(queries) if q is not None]
        if self.extra_model is None or not asked or not face_ids:
            return each
        rows = self._rows(
            "SELECT q.n, e.face_id, 1 - (e.embedding <=> q.v) AS sim "
            "FROM unnest(CAST(:qs AS vector[])) WITH ORDINALITY AS q(v, n) "
            "CROSS JOIN face_embeddings e WHERE e.model = :m AND e.face_id = ANY(:ids)",
            {"qs": [vector_literal(q) for _, q in asked], "m": self.extra_model.name, "ids": list(face_ids)})
        for r in rows:
            each[asked[r.n - 1][0]][r.face_id] = float(r.sim)
        return each

    def _near(self, query: Sequence[float], where: str, limit: int, **params: Any) -> Sequence[Any]:
        model = self.extra_model
        assert model is not None
        self._ann_scan()
        distance = f"{model.column} <=> CAST(:q AS vector({model.dim}))"
        return self._rows(
            f"WITH near AS MATERIALIZED (SELECT e.face_id, {distance} AS distance FROM face_embeddings e "
            f"{where.format(m=model.name)} ORDER BY {distance} LIMIT :limit) "
            "SELECT f.id, f.case_id, f.sighting_id, f.photo_id, f.embedding::text AS base, f.hubness, "
            "1 - n.distance AS sim, p.taken_on FROM near n JOIN faces f ON f.id = n.face_id "
            "JOIN photos p ON p.id = f.photo_id ORDER BY n.distance, f.id",
            {"q": vector_literal(query), "limit": limit, **params})

    def near_case_faces_extra(self, query: Sequence[float], seen_at: datetime, limit: int) -> list[CaseHitRow]:
        if self.extra_model is None:
            return []
        rows = self._near(query, "JOIN cases c ON c.id = e.case_id JOIN faces f ON f.id = e.face_id "
                          "JOIN photos p ON p.id = f.photo_id WHERE e.model = '{m}' "
                          "AND e.case_id IS NOT NULL AND c.status = 'open' AND c.verified_at IS NOT NULL "
                          f"AND c.missing_since <= :seen_at AND {matched()}", limit, seen_at=seen_at)
        return [CaseHitRow(r.case_id, r.id, float(r.sim), r.taken_on) for r in rows]

    def near_sighting_faces_extra(
        self, query: Sequence[float], seen_after: datetime, limit: int
    ) -> list[SightingHitRow]:
        if self.extra_model is None:
            return []
        rows = self._near(query, "JOIN sightings s ON s.id = e.sighting_id WHERE e.model = '{m}' "
                          f"AND e.sighting_id IS NOT NULL AND {LATEST_SEEN} >= :after "
                          f"AND s.status IN ('pending', 'approved') AND {NOT_FOUND}", limit, after=seen_after)
        extras = self.extra_embeddings([r.id for r in rows])
        return [SightingHitRow(r.sighting_id, r.id, r.photo_id, [float(x) for x in r.base.strip("[]").split(",")],
                               r.hubness, extras.get(r.id)) for r in rows]

    def extra_spread(self) -> Spread | None:
        if self.extra_model is None:
            return None
        side = ("SELECT e.embedding AS extra, f.embedding AS base FROM face_embeddings e "
                "JOIN faces f ON f.id = e.face_id WHERE e.model = :m AND e.{owner}_id IS NOT NULL "
                "ORDER BY e.face_id DESC LIMIT :n")
        row = self.conn.execute(text(
            f"WITH c AS ({side.format(owner='case')}), s AS ({side.format(owner='sighting')}), "
            "pairs AS (SELECT 1 - (c.base <=> s.base) AS b, 1 - (c.extra <=> s.extra) AS x FROM c CROSS JOIN s) "
            "SELECT count(*) AS n, avg(b) AS bm, stddev_samp(b) AS bs, avg(x) AS xm, stddev_samp(x) AS xs FROM pairs"
        ), {"m": self.extra_model.name, "n": SAMPLE}).one()
        if row.n < 2:
            return None
        return Spread(float(row.bm), float(row.bs), float(row.xm), float(row.xs), int(row.n))

    def forget_other_models(self) -> int:
        keep = self.extra_model.name if self.extra_model else ""
        mine = {self.extra_model.index_name(o) for o in ("case", "sighting")} if self.extra_model else set()
        for name in self.conn.execute(text("SELECT indexname FROM pg_indexes WHERE tablename = 'face_embeddings' "
                                           "AND indexname LIKE 'ix\\_face\\_emb\\_%'")).scalars():
            if name not in mine:
                self.conn.exec_driver_sql(f'DROP INDEX IF EXISTS "{name}"')
        return int(self.conn.execute(text("DELETE FROM face_embeddings WHERE model <> :m"), {"m": keep}).rowcount)
