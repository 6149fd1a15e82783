"""Embeddings of every corpus photo through a face engine, cached per engine version."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bench.corpus import Photo
from reunite.adapters.faces.dlib_engine import DlibFaceEngine, DlibOptions
from reunite.adapters.photos.codec import PillowPhotoCodec

CACHE = Path(__file__).parent / "out" / "cache"


@dataclass
class Embedded:
    vectors: dict[Path, np.ndarray]  # one per photo where a face was found (the largest face)
    no_face: list[Path]
    seconds: float
    faces: int
    quality: dict[Path, float] = field(default_factory=dict)  # of that face


def engine(options: DlibOptions) -> DlibFaceEngine:
    return DlibFaceEngine(PillowPhotoCodec(50_000_000, 100_000_000), options)


def photos_key(recipe: str, photos: list[Photo]) -> str:
    """The cache key: the recipe and the photos' contents (not their paths, so the same corpus reached
    through another path or a link hits the cache)."""
    digest = hashlib.sha256(recipe.encode())
    for photo in photos:
        digest.update(hashlib.sha256(photo.path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def embed_all(photos: list[Photo], face_engine: DlibFaceEngine, use_cache: bool = True) -> Embedded:
    # the version names how a face is embedded; the options also say which faces are found
    recipe = face_engine.version + repr(face_engine.options) + "+quality"
    key = photos_key(recipe, photos)
    cache = CACHE / f"{key}.npz"
    if use_cache and cache.exists():
        with np.load(cache, allow_pickle=True) as data:
            # stored by index into the photo list (the key covers order and content), not by path
            paths = [photos[int(i)].path for i in data["indexes"]] if "indexes" in data else [
                Path(p) for p in data["paths"]]
            vectors = dict(zip(paths, data["vectors"], strict=True))
            quality = dict(zip(paths, data["quality"].tolist(), strict=True))
            no_face = [photos[int(i)].path for i in data["no_face_indexes"]] if "no_face_indexes" in data else [
                Path(p) for p in data["no_face"]]
            return Embedded(vectors, no_face, float(data["seconds"]), int(data["faces"]), quality)
    vectors, no_face, faces, quality = {}, [], 0, {}
    start = time.perf_counter()
    for photo in photos:
        found = face_engine.detect(photo.path.read_bytes())
        faces += len(found)
        if not found:
            no_face.append(photo.path)
            continue
        largest = max(found, key=lambda f: f.box.width * f.box.height)
        vectors[photo.path] = np.array(largest.embedding)
        quality[photo.path] = largest.quality
    seconds = time.perf_counter() - start
    CACHE.mkdir(parents=True, exist_ok=True)
    index = {photo.path: i for i, photo in enumerate(photos)}
    np.savez(cache, indexes=np.array([index[p] for p in vectors]), vectors=np.array(list(vectors.values())),
             no_face_indexes=np.array([index[p] for p in no_face], dtype=int), seconds=seconds, faces=faces,
             quality=np.array(list(quality.values())))
    return Embedded(vectors, no_face, seconds, faces, quality)
