"""bench/pooled.py's engine finds the same faces as the shipped one and keeps the network's pooled 256
numbers: times dlib's projection they are the shipped embedding (sighting and case photo alike), so the
benchmark's 128-d rows are the product's embedding and its 256-d rows what comes before it."""

from __future__ import annotations

import numpy as np

from bench.adaptation import raw_engine_options
from bench.embed import engine
from bench.pooled import pooled_engine, unit
from tests.photos import PEOPLE, face_jpeg


def test_pooled_features_times_the_projection_are_the_shipped_embedding() -> None:
    pooled, shipped = pooled_engine(), engine(raw_engine_options())
    assert pooled.fc.shape == (256, 128) and pooled.version != shipped.version  # cached apart
    for person in PEOPLE:
        photo = face_jpeg(person=person)
        for thorough in (False, True):
            (face,), (reference,) = pooled.detect(photo, thorough), shipped.detect(photo, thorough)
            assert face.box == reference.box
            x = np.array(face.embedding)
            assert x.shape == (256,) and x.min() >= 0  # averages of ReLU outputs
            assert np.abs(unit(x @ pooled.fc) - np.array(reference.embedding)).max() < 1e-5
