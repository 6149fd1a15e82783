"""The workers' embedding recipe, recorded, and the stored faces made with another (``domain.recipes``).

Counting costs nothing like a scan of ``faces`` (millions of rows, each with its vector): the
(model, model_version, photo_id) indexes of case and sighting faces (migration 0021) give the few
distinct (model, version) pairs by a skip scan, one index probe per pair (a recursive query: PostgreSQL
before 18 has no skip scan of its own), and then only the outdated pairs' index entries are counted
(index-only). With every face current (as after ``reunite rematch --reembed``) that is a handful of
probes; while faces are outdated it reads their index entries, tens of bytes each, never the faces."""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any

from sqlalchemy import Connection, func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert

from reunite.adapters.db.people_tables import recorded_settings
from reunite.domain.recipes import FaceRecipe, OutdatedFaces

RECIPE_KEY = "face_recipe"
_PAIRS = (  # the distinct (model, model_version) of one table's rows under ``where``, one probe each
    "WITH RECURSIVE pairs AS ((SELECT model, model_version FROM {table} WHERE {where} "
    "ORDER BY model, model_version LIMIT 1) UNION ALL SELECT n.model, n.model_version FROM pairs "
    "CROSS JOIN LATERAL (SELECT model, model_version FROM {table} WHERE {where} "
    "AND (model, model_version) > (pairs.model, pairs.model_version) "
    "ORDER BY model, model_version LIMIT 1) n) SELECT model, model_version FROM pairs")


def _pairs(conn: Connection, table: str, where: str) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in conn.execute(text(_PAIRS.format(table=table, where=where)))]


def count_outdated(conn: Connection, recipe: FaceRecipe, photos: bool = True) -> OutdatedFaces:
    """Faces whose (model, model_version) is not what ``recipe`` writes on their side (case or sighting);
    second-model embeddings of that model with another version (other models' rows are not read in
    matching, and ``rematch --reembed`` deletes them)."""
    branches: list[str] = []
    params: dict[str, str] = {}
    for side, version in (("case", recipe.case_version), ("sighting", recipe.version)):
        where = f"{side}_id IS NOT NULL"
        for model, model_version in _pairs(conn, "faces", where):
            if (model, model_version) != (recipe.model, version):
                n = len(branches)
                branches.append(f"SELECT photo_id FROM faces WHERE {where} AND model = :m{n} "
                                f"AND model_version = :v{n}")
                params |= {f"m{n}": model, f"v{n}": model_version}
    faces, photo_count = 0, 0
    if branches:
        counted = "count(*), count(DISTINCT photo_id)" if photos else "count(*), 0"
        faces, photo_count = conn.execute(
            text(f"SELECT {counted} FROM ({' UNION ALL '.join(branches)}) outdated"), params).one()
    extra = 0
    if recipe.extra_model is not None:
        stale = [v for m, v in _pairs(conn, "face_embeddings", "true")
                 if m == recipe.extra_model and v != recipe.extra_version]
        if stale:
            extra = conn.execute(text("SELECT count(*) FROM face_embeddings WHERE model = :m "
                                      "AND model_version = ANY(:vs)"),
                                 {"m": recipe.extra_model, "vs": stale}).scalar_one()
    return OutdatedFaces(int(faces), int(photo_count), int(extra))


def read_recipe(conn: Connection) -> FaceRecipe | None:
    value = conn.execute(select(recorded_settings.c.value).where(recorded_settings.c.key == RECIPE_KEY)).scalar()
    if not isinstance(value, dict):
        return None
    known: dict[str, Any] = {f.name: value[f.name] for f in fields(FaceRecipe) if f.name in value}
    return FaceRecipe(**known)


class RecipeSql:
    """Mixed into ``SqlUnitOfWork``: implements ``domain.recipes.RecipeStore``."""

    conn: Connection

    def record_recipe(self, recipe: FaceRecipe) -> None:
        value: dict[str, Any] = asdict(recipe)
        statement = pg_insert(recorded_settings).values(key=RECIPE_KEY, value=value)
        self.conn.execute(statement.on_conflict_do_update(
            index_elements=[recorded_settings.c.key], set_={"value": value, "updated_at": func.now()}))

    def recorded_recipe(self) -> FaceRecipe | None:
        return read_recipe(self.conn)

    def outdated_faces(self, recipe: FaceRecipe, photos: bool = True) -> OutdatedFaces:
        return count_outdated(self.conn, recipe, photos)
