"""The S3 photo store against a real S3 server (SeaweedFS), selected by settings."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from reunite.adapters.photos.s3 import S3PhotoStore
from reunite.bootstrap import photo_store
from reunite.config import Settings
from reunite.domain.errors import NotFound, PhotoStoreUnavailable
from tests.s3server import weed_s3


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with weed_s3(tmp_path_factory.mktemp("s3")) as endpoint:
        yield endpoint


def test_photos_round_trip_through_s3_and_a_missing_one_is_not_found(s3_endpoint: str, tmp_path: Path) -> None:
    S3PhotoStore.connect("photos", endpoint_url=s3_endpoint, access_key="any", secret_key="any", create_bucket=True)
    settings = Settings(data_dir=tmp_path, s3_bucket="photos", s3_endpoint_url=s3_endpoint, s3_access_key="any",
                        s3_secret_key="any", s3_prefix="site-a/", _env_file=None)  # type: ignore[call-arg]
    store = photo_store(settings)
    assert isinstance(store, S3PhotoStore)
    store.put("sightings/1/a.jpg", b"\xff\xd8 photo bytes")
    store.put("faces/1-0.jpg", b"crop")
    assert store.get("sightings/1/a.jpg") == b"\xff\xd8 photo bytes"
    assert sorted(store.list_keys()) == ["faces/1-0.jpg", "sightings/1/a.jpg"]
    assert not (tmp_path / "photos").exists()  # nothing written to the local folder
    store.delete("faces/1-0.jpg")
    store.delete("faces/1-0.jpg")  # deleting twice is harmless (a retried job)
    with pytest.raises(NotFound):
        store.get("faces/1-0.jpg")
    with pytest.raises(ValueError, match="bad photo key"):
        store.get("../secret")


def test_a_bucket_that_cannot_be_reached_is_said_as_the_store_unavailable(s3_endpoint: str) -> None:
    """Probe s37 K3: the server up, the store ready; a bucket not made, or an endpoint where nothing answers,
    is ``PhotoStoreUnavailable`` (botocore's errors stay in the adapter), and ``check`` answers within seconds."""
    store = S3PhotoStore.connect("photos", endpoint_url=s3_endpoint, access_key="any", secret_key="any",
                                 create_bucket=True)
    store.check()
    missing = S3PhotoStore.connect("never-made", endpoint_url=s3_endpoint, access_key="any", secret_key="any")
    with pytest.raises(PhotoStoreUnavailable):
        missing.check()
    nothing = S3PhotoStore.connect("photos", endpoint_url="http://127.0.0.1:1", access_key="any", secret_key="any")
    started = time.monotonic()
    with pytest.raises(PhotoStoreUnavailable, match="EndpointConnectionError"):
        nothing.check()
    assert time.monotonic() - started < 5
    with pytest.raises(PhotoStoreUnavailable):
        nothing.put("sightings/1/a.jpg", b"bytes")
