"""A photo in which no face is found (a child seen from behind, a blurred street) is answered like any
other: the face worker looks for a face HOG missed with dlib's CNN detector run by onnxruntime, never
with dlib's own, whose arithmetic held the worker 2–6 CPU-seconds for each such photo (about 18 s on
the shared 2-core machine) and stalled the queue for every report behind it (docs/benchmarks.md,
"Photos without a face"). The reporter is told no face was found; a turned face only the CNN finds is
still found."""

from __future__ import annotations

import io
from collections.abc import Iterator

import dlib
import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageFilter

from reunite.adapters.photos.codec import PillowPhotoCodec
from reunite.bootstrap import Container, bootstrap, build_face_engine
from reunite.config import Settings
from tests.conftest import run_jobs
from tests.e2e.test_quality_gate import poll_url
from tests.e2e.test_reports_and_places import csrf
from tests.photos import face_pixels


def jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=92)
    return out.getvalue()


def blurred_child() -> bytes:
    """The portrait blurred until no detector finds a face in it (a child running past, out of focus)."""
    return jpeg(Image.fromarray(face_pixels()).filter(ImageFilter.GaussianBlur(20)))


def turned_child() -> bytes:
    """The portrait turned 50°: HOG finds no face in it, the CNN detector does."""
    return jpeg(Image.fromarray(face_pixels()).rotate(50, expand=True, fillcolor=(90, 100, 90)))


@pytest.fixture
def container(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Container]:
    """Reunite with a face engine of its own, built where dlib's own CNN detector cannot be used."""
    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("dlib's own CNN face detector was used: its CPU stalls the face worker")

    monkeypatch.setattr(dlib, "cnn_face_detection_model_v1", refused)
    engine = build_face_engine(settings, PillowPhotoCodec(settings.max_photo_bytes, settings.max_photo_pixels))
    built = bootstrap(settings, run_migrations=False, faces=engine)
    yield built
    built.close()


def report(client: TestClient, photo: bytes) -> str:
    thanks = client.post("/report", files=[("photos", ("photo.jpg", photo, "image/jpeg"))],
                         data={"csrf": csrf(client)})
    assert thanks.status_code == 200
    return poll_url(thanks.text)


def test_a_photo_without_a_face_is_answered_and_a_turned_face_is_still_found(
    anonymous: TestClient, container: Container
) -> None:
    faceless, turned = report(anonymous, blurred_child()), report(anonymous, turned_child())

    run_jobs(container)

    told = anonymous.get(faceless).text
    assert "could not find a face" in told and "Your report is kept" in told and "data-poll" not in told
    assert "could not find a face" not in anonymous.get(turned).text
    with container.engine.connect() as conn:
        photos = conn.exec_driver_sql("SELECT face_count, failed_reason FROM photos ORDER BY face_count").all()
        detectors = conn.exec_driver_sql("SELECT detector FROM faces").scalars().all()
    assert [tuple(row) for row in photos] == [(0, None), (1, None)]  # both searched, neither failed
    assert detectors == ["cnn"]
