"""The face searches of matching (``domain.matching_store``): a sighting face's nearest open cases' faces through
the HNSW index, a case face's nearest sighting faces, exact similarities to the faces of chosen cases, and the
faces that stand for a case or a sighting. Mixed into ``SqlUnitOfWork``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pgvector.sqlalchemy import Vector
from sqlalchemy import column, select, text

from reunite.adapters.db.ann import vector_literal
from reunite.adapters.db.case_faces import matched
from reunite.adapters.db.extra_faces import ExtraFacesSql
from reunite.adapters.db.sighting_filter import NOT_FOUND
from reunite.adapters.db.tables import EMBEDDING_DIM, LATEST_SEEN, faces, photos
from reunite.domain.matching_store import CaseHitRow, SightingHitRow, StoredFace
from reunite.domain.model import PhotoOwner


class FaceSearchSql(ExtraFacesSql):
    def faces_of(self, owner: PhotoOwner, owner_id: int) -> list[StoredFace]:
        col = faces.c.case_id if owner is PhotoOwner.CASE else faces.c.sighting_id
        query = (select(faces.c.id, faces.c.photo_id, faces.c.embedding, faces.c.hubness, photos.c.taken_on)
                 .join(photos, photos.c.id == faces.c.photo_id).where(col == owner_id))
        if owner is PhotoOwner.CASE:  # only the faces that stand for the child: a sibling beside it is never searched
            query = query.where(text(matched("faces", "photos")))
        rows = self.conn.execute(query.order_by(faces.c.created_at, faces.c.id)).all()
        extras = self.extra_embeddings([r.id for r in rows])
        return [StoredFace(r.id, r.photo_id, [float(v) for v in r.embedding], r.hubness, extras.get(r.id),
                           taken_on=r.taken_on) for r in rows]

    def near_case_faces(self, embedding: Sequence[float], seen_at: datetime, limit: int) -> list[CaseHitRow]:
        """The ``limit`` open, verified cases' faces nearest to ``embedding``, most similar first."""
        self._ann_scan()
        rows = self.conn.execute(
            text(
                "WITH near AS MATERIALIZED (SELECT f.case_id, f.id, f.photo_id, f.hubness, "
                "f.embedding <=> CAST(:q AS vector) AS distance "
                "FROM faces f JOIN cases c ON c.id = f.case_id JOIN photos p ON p.id = f.photo_id "
                "WHERE f.case_id IS NOT NULL AND c.status = 'open' AND c.verified_at IS NOT NULL "
                f"AND c.missing_since <= :seen_at AND {matched()} "
                "ORDER BY f.embedding <=> CAST(:q AS vector) LIMIT :limit) "
                "SELECT n.case_id, n.id, 1 - n.distance AS sim, p.taken_on, n.hubness FROM near n "
                "JOIN photos p ON p.id = n.photo_id ORDER BY n.distance, n.id"
            ),
            {"q": vector_literal(embedding), "seen_at": seen_at, "limit": limit},
        )
        return [CaseHitRow(r.case_id, r.id, float(r.sim), r.taken_on, r.hubness) for r in rows]

    def case_face_hits(self, embedding: Sequence[float], case_ids: Sequence[int]) -> list[CaseHitRow]:
        rows = self.conn.execute(
            text(
                "SELECT f.case_id, f.id, 1 - (f.embedding <=> CAST(:q AS vector)) AS sim, p.taken_on "
                "FROM faces f JOIN photos p ON p.id = f.photo_id WHERE f.case_id = ANY(:ids) "
                f"AND {matched()}"
            ),
            {"q": vector_literal(embedding), "ids": list(case_ids)},
        )
        return [CaseHitRow(r.case_id, r.id, float(r.sim), r.taken_on) for r in rows]

    def case_face_hits_each(
        self, embeddings: Sequence[Sequence[float]], case_id: int
    ) -> list[list[CaseHitRow]]:
        """For each embedding, exact similarities to every face of one case (one query for all)."""
        if not embeddings:
            return []
        rows = self.conn.execute(
            text(
                "SELECT q.n, f.case_id, f.id, 1 - (f.embedding <=> q.v) AS sim, p.taken_on "
                "FROM unnest(CAST(:qs AS vector[])) WITH ORDINALITY AS q(v, n) "
                "CROSS JOIN faces f JOIN photos p ON p.id = f.photo_id WHERE f.case_id = :case "
                f"AND {matched()} ORDER BY q.n, f.id"
            ),
            {"qs": [vector_literal(e) for e in embeddings], "case": case_id},
        )
        each: list[list[CaseHitRow]] = [[] for _ in embeddings]
        for r in rows:
            each[r.n - 1].append(CaseHitRow(r.case_id, r.id, float(r.sim), r.taken_on))
        return each

    def near_sighting_faces(
        self, embedding: Sequence[float], seen_after: datetime, limit: int
    ) -> list[SightingHitRow]:
        self._ann_scan()
        rows = self.conn.execute(
            text(
                "WITH near AS MATERIALIZED (SELECT f.sighting_id, f.id, f.photo_id, f.embedding, f.hubness, "
                "f.embedding <=> CAST(:q AS vector) AS distance "
                "FROM faces f JOIN sightings s ON s.id = f.sighting_id "
                f"WHERE f.sighting_id IS NOT NULL AND {LATEST_SEEN} >= :after AND s.status IN ('pending', 'approved') "
                f"AND {NOT_FOUND} ORDER BY f.embedding <=> CAST(:q AS vector) LIMIT :limit) "
                "SELECT sighting_id, id, photo_id, embedding, hubness FROM near ORDER BY distance, id"
            ).columns(column("sighting_id"), column("id"), column("photo_id"),
                     column("embedding", Vector(EMBEDDING_DIM)), column("hubness")),
            {"q": vector_literal(embedding), "after": seen_after, "limit": limit},
        ).all()
        extras = self.extra_embeddings([r.id for r in rows])
        return [SightingHitRow(r.sighting_id, r.id, r.photo_id, [float(v) for v in r.embedding], r.hubness,
                               extras.get(r.id)) for r in rows]
