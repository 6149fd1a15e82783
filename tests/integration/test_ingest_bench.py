"""bench/ingest.py run small: both sides must process every photo and be charged CPU for it, so the
side-by-side figures can never come from a run that did nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.corpus import Photo
from bench.ingest import folders, peer_command, run_peer, run_reunite
from reunite.bootstrap import Container
from tests.photos import face_jpeg


def tiny_corpus(folder: Path) -> tuple[dict[str, Photo], list[Photo]]:
    """One child: a case photo at 3 and two later photos (the public-domain test face)."""
    folder.mkdir()
    photos = []
    for age, height, mirror in ((3, 360, False), (9, 300, True), (12, 420, False)):
        path = folder / f"001a{age:02d}.jpg"
        path.write_bytes(face_jpeg(height=height, mirror=mirror))
        photos.append(Photo(path, "001", age, ""))
    return {"001": photos[0]}, photos[1:]


def test_reunite_side_processes_every_photo_and_counts_its_cpu(container: Container, tmp_path: Path) -> None:
    cases, sightings = tiny_corpus(tmp_path / "corpus")
    result = run_reunite(container, cases, sightings, processes=2, postmaster=None)
    assert result["unprocessed_photos"] == 0
    assert result["sightings_without_face"] == 0
    assert result["cpu_seconds"] > 1.0  # the worker processes' too, not only this one's uploads
    assert result["photos_per_second"] > 0


def test_peer_side_finds_the_faces_and_counts_its_pool_processes_cpu(tmp_path: Path) -> None:
    command = peer_command()
    if command is None:
        pytest.skip("the peer is not installed: pip install --no-deps face_recognition")
    cases, sightings = tiny_corpus(tmp_path / "corpus")
    result = run_peer(command, folders(cases, sightings), 2, cases, sightings)
    assert result["sightings_without_face"] == 0
    assert result["true_case_named"] == 2
    assert result["cpu_seconds"] > 1.0  # the pool's processes, orphaned at the end, are counted too
