"""The photo stores say an outage as ``PhotoStoreUnavailable`` (never botocore's or the OS's own error), and a
missing photo as NotFound (probe s37 K3)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from reunite.adapters.photos.local import LocalPhotoStore
from reunite.adapters.photos.s3 import S3PhotoStore
from reunite.domain.errors import NotFound, PhotoStoreUnavailable


class Unreachable:
    """A boto3 client whose endpoint does not answer."""

    def __getattr__(self, name: str) -> Any:
        def call(**_: Any) -> Any:
            raise EndpointConnectionError(endpoint_url="http://127.0.0.1:1/photos")
        return call


class Missing:
    def get_object(self, **_: Any) -> Any:
        raise ClientError({"Error": {"Code": "NoSuchKey", "Message": "gone"}}, "GetObject")


def test_an_unreachable_s3_endpoint_is_said_as_the_store_being_unavailable() -> None:
    store = S3PhotoStore(Unreachable(), "photos")
    for act in (lambda: store.put("a.jpg", b"x"), lambda: store.get("a.jpg"), lambda: store.delete("a.jpg"),
                store.check):
        with pytest.raises(PhotoStoreUnavailable) as raised:
            act()
        assert raised.value.status_code == 503 and raised.value.retry_after > 0
        assert "EndpointConnectionError" in str(raised.value)
    with pytest.raises(NotFound):
        S3PhotoStore(Missing(), "photos").get("a.jpg")


def test_a_photo_folder_gone_is_said_as_the_store_being_unavailable(tmp_path: Path) -> None:
    store = LocalPhotoStore(tmp_path / "photos")
    store.put("originals/a.jpg", b"x")
    store.check()
    with pytest.raises(NotFound):
        store.get("originals/b.jpg")
    shutil.rmtree(tmp_path / "photos")
    (tmp_path / "photos").write_bytes(b"")  # where the folder was: an unmounted disk's stand-in
    with pytest.raises(PhotoStoreUnavailable):
        store.check()
    with pytest.raises(PhotoStoreUnavailable):
        store.put("originals/c.jpg", b"x")
