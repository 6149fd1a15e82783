"""Ingest speed end to end per pipeline setting: upload through the API until every face is indexed and matched.

    python bench/ingest_pipelines.py CORPUS [--limit N] [--phone 30] [--gallery 20000] [--pipelines default]
        [--out FILE]

Measured for the default pipeline and the plain-dlib-like one (HOG without upsampling, no CNN
fallback, 5 landmarks, no mirroring), on the corpus photos and on phone-sized 12-megapixel photos.
Sightings are matched against a gallery of open, verified cases with synthetic face-like embeddings
(bench/search.py's), so matching does the work it does in production: each face reads the 200 nearest
case faces. ``match_ms_per_sighting`` times matching alone (every sighting matched again, idempotent)."""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from fastapi.testclient import TestClient
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import machine, peak_memory_mb, scratch_instance
from bench.corpus import load
from bench.embed import engine
from bench.search import FACES_PER_CASE, build_index, gallery_of, load_faces
from bench.synthetic_faces import cone
from reunite.adapters.db.ann import HNSW_EF_CONSTRUCTION, HNSW_M
from reunite.adapters.faces.dlib_engine import DlibOptions
from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Scope
from reunite.entrypoints.api.app import create_app
from reunite.entrypoints.worker.tasks import make_app, run_worker
from reunite.services.accounts import issue_token
from reunite.services.matching import match_sighting

PIPELINES = {
    "default": DlibOptions(),
    "plain-dlib": DlibOptions(upsample=0, cnn_fallback=False, landmarks=5, flip=False, adaptation=None),
}


def phone_photo(face: Path, seed: int) -> bytes:
    """A 4032×3024 street-like photo with the corpus face in it, saved as a phone would (JPEG q90)."""
    rng = np.random.default_rng(seed)
    scene = rng.integers(40, 220, size=(24, 32, 3), dtype=np.uint8)
    canvas = Image.fromarray(scene).resize((4032, 3024), Image.Resampling.BICUBIC)
    person = Image.open(face).convert("RGB")
    person = person.resize((round(person.width * 900 / person.height), 900))
    canvas.paste(person, (int(rng.integers(0, 4032 - person.width)), int(rng.integers(0, 3024 - 900))))
    out = io.BytesIO()
    canvas.save(out, format="JPEG", quality=90)
    return out.getvalue()


def gallery(container: Container, faces: int) -> None:
    """Open, verified cases with ``faces`` face-like embeddings, indexed as in production."""
    rng = np.random.default_rng(faces)
    with container.engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_faces_case_embedding")
    load_faces(container, gallery_of(cone(rng, faces // FACES_PER_CASE, FACES_PER_CASE)[0], rng))
    build_index(container, HNSW_M, HNSW_EF_CONSTRUCTION)


def match_all(container: Container) -> float:
    """Milliseconds per sighting to match every sighting again (matching alone)."""
    with container.engine.connect() as conn:
        ids = [int(i) for i in conn.exec_driver_sql("SELECT id FROM sightings ORDER BY id").scalars()]
    start = time.perf_counter()
    for sighting_id in ids:
        match_sighting(container.deps, sighting_id)
    return (time.perf_counter() - start) * 1000 / max(len(ids), 1)


def run(name: str, options: DlibOptions, photos: list[bytes], gallery_faces: int) -> dict[str, Any]:
    container = scratch_instance(engine(options))
    if gallery_faces:
        gallery(container, gallery_faces)
    token = issue_token(container.deps, OPERATOR, "bench", [Scope.ADMIN])  # a partner: not throttled per hour
    start = time.perf_counter()
    with TestClient(create_app(container), headers={"Authorization": f"Bearer {token}"}) as client:
        for number, data in enumerate(photos):
            response = client.post("/api/sightings", files={"photos": (f"{number}.jpg", data, "image/jpeg")})
            response.raise_for_status()
    accepted = time.perf_counter() - start
    asyncio.run(run_worker(make_app(container.database_uri, container.deps), 1, wait=False,
                           install_signal_handlers=False))
    total = time.perf_counter() - start
    with container.engine.connect() as conn:
        faces = int(conn.exec_driver_sql("SELECT count(*) FROM faces WHERE sighting_id IS NOT NULL").scalar_one())
        pending = int(conn.exec_driver_sql(
            "SELECT count(*) FROM photos WHERE sighting_id IS NOT NULL AND processed_at IS NULL").scalar_one())
    match_ms = match_all(container)
    container.close()
    return {
        "pipeline": name, "photos": len(photos), "faces": faces, "unprocessed": pending,
        "gallery_faces": gallery_faces, "match_ms_per_sighting": round(match_ms, 1),
        "upload_photos_per_second": round(len(photos) / accepted, 2),
        "end_to_end_seconds": round(total, 1),
        "photos_per_second": round(len(photos) / total, 3),
        "faces_per_second": round(faces / total, 3),
        "peak_memory_mb": peak_memory_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--limit", type=int, default=200, help="corpus photos to ingest")
    parser.add_argument("--phone", type=int, default=30, help="phone-sized photos to ingest")
    parser.add_argument("--gallery", type=int, default=20_000, help="case faces to match against")
    parser.add_argument("--pipelines", nargs="+", choices=sorted(PIPELINES), default=sorted(PIPELINES))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    corpus = [p.path for p in load(args.corpus.resolve())][: args.limit]
    sets = {"corpus": [p.read_bytes() for p in corpus],
            "phone-12MP": [phone_photo(p, i) for i, p in enumerate(corpus[: args.phone])]}
    sets = {label: photos for label, photos in sets.items() if photos}
    results = [run(name, PIPELINES[name], photos, args.gallery) | {"photo_set": label}
               for label, photos in sets.items() for name in args.pipelines]
    text = json.dumps({"machine": machine(), "load_avg": os.getloadavg(), "results": results}, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
