"""bench/nested.py's test-time augmentation options reach the engine: with ``flip`` a photo and its mirror
image embed alike (what mirroring is for), sightings and case photos get their own jittered copies,
and the default embeds as the plain engine does. A benchmark option that changed nothing would fail here."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from bench.adaptation import embed_unadapted, raw_engine_options
from bench.corpus import Photo, load
from tests.photos import face_jpeg


def mirrored_pair(folder: Path) -> list[Photo]:
    (folder / "a.jpg").write_bytes(face_jpeg())
    (folder / "b.jpg").write_bytes(face_jpeg(mirror=True))
    (folder / "manifest.csv").write_text("file,subject,age\na.jpg,s1,4\nb.jpg,s1,9\n")
    return load(folder)


def cosine(embedded: dict[Path, np.ndarray], photos: list[Photo]) -> float:
    a, b = (embedded[p.path] for p in photos)
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


def test_each_augmentation_option_changes_what_the_engine_embeds(tmp_path: Path) -> None:
    photos = mirrored_pair(tmp_path)
    plain, plain_cases = embed_unadapted(photos, use_cache=False, options=replace(raw_engine_options(), flip=False))
    flipped, _ = embed_unadapted(photos, use_cache=False)  # the default engine averages each face with its mirror
    # a face and its mirror image: nearly the same embedding once each is averaged with its mirror
    assert 1 - cosine(flipped.vectors, photos) < (1 - cosine(plain.vectors, photos)) / 3
    # case photos: the engine's jittered copies, not the sighting's single chip
    assert all(np.linalg.norm(plain.vectors[p.path] - plain_cases.vectors[p.path]) > 1e-3 for p in photos)
    sightings, cases = embed_unadapted(photos, use_cache=False,
                                       options=replace(raw_engine_options(), flip=False, jitter=3, padding=0.4))
    assert sightings is cases  # as many copies for sightings as for case photos: one pass
    for p in photos:
        assert np.linalg.norm(sightings.vectors[p.path] - plain_cases.vectors[p.path]) > 1e-3  # another padding


def test_the_engine_cost_bench_times_each_variant_on_faces_it_found(tmp_path: Path) -> None:
    from bench.engine_cost import cost
    from reunite.adapters.faces.dlib_engine import DlibOptions

    photos = [p.path.read_bytes() for p in mirrored_pair(tmp_path)]
    result = cost({"mirrored": DlibOptions(), "not mirrored": DlibOptions(flip=False)}, photos, rounds=1)
    assert all(r["faces"] == 2 for r in result.values())  # a variant that found no face measured nothing
    assert all(r["sighting_cpu_ms_a_photo"] > 0 and r["case_photo_cpu_ms_a_photo"] > 0 for r in result.values())
