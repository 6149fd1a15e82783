"""Webhooks: a JSON body POSTed with an HMAC-SHA256 signature the receiver can check."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import httpx

SIGNATURE_HEADER = "X-Reunite-Signature"
TIMESTAMP_HEADER = "X-Reunite-Timestamp"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=`` + hex HMAC of ``timestamp.body``: what receivers recompute to trust a delivery."""
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


class HttpWebhooks:
    """Implements ``domain.ports.WebhookSender``."""

    def __init__(self, timeout: float = 10.0) -> None:
        self.timeout = timeout

    def post(self, url: str, secret: str, timestamp: str, payload: dict[str, Any]) -> None:
        """Deliver once; raises ``httpx.HTTPError`` unless the receiver answers 2xx (the job retries)."""
        body = json.dumps(payload, default=str, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json", TIMESTAMP_HEADER: timestamp,
                   SIGNATURE_HEADER: signature(secret, timestamp, body), "User-Agent": "Reunite-Webhook/1"}
        response = httpx.post(url, content=body, headers=headers, timeout=self.timeout, follow_redirects=False)
        response.raise_for_status()
