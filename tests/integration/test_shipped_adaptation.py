"""The shipped adaptation stores no one's face: each hubness centroid stands for the faces of at least
``MIN_PEOPLE`` people. A centroid nearest to one person's photos is in effect that person's mean
embedding (the files before issue 14 shipped 15 such centroids: docs/benchmarks.md)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reunite.adapters.faces.dlib_engine import ADAPTATION_FILE, load_adaptation, load_hubness
from reunite.adapters.faces.hubness import MIN_PEOPLE, people_per_centroid


def test_the_file_records_that_each_centroid_stands_for_several_people() -> None:
    """Checkable without the corpus: bench/adaptation.py writes, beside the centroids, how many
    people's faces each is the nearest centroid to."""
    reference = load_hubness(ADAPTATION_FILE)
    if reference is None:  # a file without hubness stores no centroid at all
        return
    assert reference.people is not None, "the adaptation file does not say whom its centroids stand for"
    assert len(reference.people) == len(reference.centroids)
    assert reference.people.min() >= MIN_PEOPLE


@pytest.mark.corpus
@pytest.mark.slow
def test_no_centroid_is_nearest_to_the_photos_of_fewer_than_five_people(fgnet: Path) -> None:
    """Against the development corpus itself (embedded as bench/adaptation.py embeds it, from the
    benchmarks' cache when there is one): the file's record is true."""
    from bench.adaptation import embed_unadapted
    from bench.corpus import load

    reference = load_hubness(ADAPTATION_FILE)
    matrix, _ = load_adaptation(ADAPTATION_FILE)
    assert matrix is not None
    if reference is None:
        return
    photos = load(fgnet)
    raw, _ = embed_unadapted(photos, case_jitter=False)
    kept = [p for p in photos if p.path in raw.vectors]
    adapted = np.stack([matrix @ raw.vectors[p.path] for p in kept])
    adapted /= np.linalg.norm(adapted, axis=1, keepdims=True)
    counts = people_per_centroid(adapted, reference.centroids, np.array([p.subject for p in kept]))
    assert counts.min() >= MIN_PEOPLE, f"centroids nearest to the photos of fewer than {MIN_PEOPLE} people: {counts}"
