"""Photos in S3-compatible object storage (AWS S3, SeaweedFS, Ceph, a cloud's object store): what
lets web and worker processes on several machines share one photo store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from reunite.domain.errors import NotFound, PhotoStoreUnavailable

MISSING = {"NoSuchKey", "404", "NotFound"}


@contextmanager
def reachable(action: str) -> Iterator[None]:
    """The store's failures (unreachable, timing out, answering 5xx, a missing bucket, keys refused) as
    ``PhotoStoreUnavailable`` naming the cause, for the operator; the domain never sees botocore."""
    try:
        yield
    except NotFound:
        raise
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        raise PhotoStoreUnavailable(f"S3 refused to {action} ({code or exc.__class__.__name__}: {exc})") from exc
    except BotoCoreError as exc:  # EndpointConnectionError, timeouts, connection closed
        raise PhotoStoreUnavailable(f"cannot {action} in S3 ({exc.__class__.__name__}: {exc})") from exc


class S3PhotoStore:
    """Implements ``domain.ports.PhotoStore`` on one bucket; keys are the store's keys, under ``prefix``.
    A put is atomic on S3 (an object appears whole or not at all). ``probe`` is a client with short timeouts
    and no retries, for ``check``."""

    def __init__(self, client: Any, bucket: str, prefix: str = "", probe: Any = None) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        self.probe = probe or client

    @classmethod
    def connect(cls, bucket: str, *, endpoint_url: str | None = None, region: str | None = None,
                access_key: str | None = None, secret_key: str | None = None, prefix: str = "",
                create_bucket: bool = False) -> S3PhotoStore:
        import boto3
        from botocore.config import Config

        def client(config: Config) -> Any:
            return boto3.client(
                "s3", endpoint_url=endpoint_url, region_name=region or "us-east-1",
                aws_access_key_id=access_key, aws_secret_access_key=secret_key, config=config)

        main = client(Config(s3={"addressing_style": "path"}, retries={"max_attempts": 5, "mode": "standard"},
                             connect_timeout=5, read_timeout=30))
        probe = client(Config(s3={"addressing_style": "path"}, retries={"total_max_attempts": 1},
                              connect_timeout=2, read_timeout=2))
        if create_bucket:
            with reachable("list buckets"):
                existing = {b["Name"] for b in main.list_buckets().get("Buckets", [])}
                if bucket not in existing:
                    try:
                        main.create_bucket(Bucket=bucket)
                    except ClientError as exc:  # made meanwhile, or listed only to its owner: there it is
                        if exc.response.get("Error", {}).get("Code") not in ("BucketAlreadyOwnedByYou",
                                                                             "BucketAlreadyExists"):
                            raise
        return cls(main, bucket, prefix, probe)

    def _key(self, key: str) -> str:
        if not key or key.startswith("/") or ".." in key.split("/"):
            raise ValueError(f"bad photo key {key!r}")
        return self.prefix + key

    def put(self, key: str, data: bytes) -> None:
        with reachable("store a photo"):
            self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data)

    def get(self, key: str) -> bytes:
        with reachable("read a photo"):
            try:
                response = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
            except ClientError as exc:
                if str(exc.response.get("Error", {}).get("Code", "")) in MISSING:
                    raise NotFound("photo file is missing") from exc
                raise
            return bytes(response["Body"].read())

    def delete(self, key: str) -> None:
        with reachable("delete a photo"):
            self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def list_keys(self) -> list[str]:
        """Every stored key (for backups), without the prefix."""
        found: list[str] = []
        with reachable("list photos"):
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix):
                found.extend(item["Key"][len(self.prefix):] for item in page.get("Contents", []))
        return found

    def check(self) -> None:
        """One HEAD of the bucket, two seconds at most, not retried."""
        with reachable(f"reach the bucket {self.bucket}"):
            self.probe.head_bucket(Bucket=self.bucket)
