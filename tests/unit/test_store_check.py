"""The photo store tried before a backup or restore (probe s37 K5): a bucket not made, or a folder that cannot
be written, is one line naming the setting to mend."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from botocore.stub import ANY, Stubber

from reunite.adapters.backup import check_store
from reunite.adapters.photos.local import LocalPhotoStore
from reunite.adapters.photos.s3 import S3PhotoStore
from reunite.domain.errors import ReuniteError


def test_a_missing_bucket_names_the_bucket_setting() -> None:
    client = boto3.client("s3", region_name="us-east-1", aws_access_key_id="any", aws_secret_access_key="any")
    with Stubber(client) as stub:
        stub.add_client_error("put_object", service_error_code="NoSuchBucket", http_status_code=404,
                              expected_params={"Bucket": "photos5", "Key": ANY, "Body": ANY})
        with pytest.raises(ReuniteError) as refused:
            check_store(S3PhotoStore(client, "photos5"), write=True)
    assert str(refused.value).startswith("the photo store's bucket photos5 cannot be written (NoSuchBucket)")
    assert "REUNITE_S3_BUCKET" in str(refused.value)


def test_a_folder_that_cannot_be_written_names_the_photo_setting(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    store = LocalPhotoStore(tmp_path / "photos")

    def full(_self: LocalPhotoStore, _key: str, _data: bytes) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(LocalPhotoStore, "put", full)
    with pytest.raises(ReuniteError) as refused:
        check_store(store, write=True)
    assert "cannot be written" in str(refused.value) and "REUNITE_PHOTO_DIR" in str(refused.value)
    monkeypatch.undo()
    check_store(store, write=True)  # a writable folder: nothing said, nothing left behind
    assert store.list_keys() == []
