"""Photos in S3-compatible object storage (AWS S3, SeaweedFS, Ceph, a cloud's object store): what
lets web and worker processes on several machines share one photo store."""

from __future__ import annotations

from typing import Any

from reunite.domain.errors import NotFound


class S3PhotoStore:
    """Implements ``domain.ports.PhotoStore`` on one bucket; keys are the store's keys, under ``prefix``.
    A put is atomic on S3 (an object appears whole or not at all)."""

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    @classmethod
    def connect(cls, bucket: str, *, endpoint_url: str | None = None, region: str | None = None,
                access_key: str | None = None, secret_key: str | None = None, prefix: str = "",
                create_bucket: bool = False) -> S3PhotoStore:
        import boto3
        from botocore.config import Config

        client = boto3.client(
            "s3", endpoint_url=endpoint_url, region_name=region or "us-east-1",
            aws_access_key_id=access_key, aws_secret_access_key=secret_key,
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 5, "mode": "standard"},
                          connect_timeout=5, read_timeout=30),
        )
        if create_bucket:
            existing = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
            if bucket not in existing:
                client.create_bucket(Bucket=bucket)
        return cls(client, bucket, prefix)

    def _key(self, key: str) -> str:
        if not key or key.startswith("/") or ".." in key.split("/"):
            raise ValueError(f"bad photo key {key!r}")
        return self.prefix + key

    def put(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data)

    def get(self, key: str) -> bytes:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except self.client.exceptions.NoSuchKey as exc:
            raise NotFound("photo file is missing") from exc
        return bytes(response["Body"].read())

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def list_keys(self) -> list[str]:
        """Every stored key (for backups), without the prefix."""
        found: list[str] = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix):
            found.extend(item["Key"][len(self.prefix):] for item in page.get("Contents", []))
        return found
