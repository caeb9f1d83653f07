"""Slack's v0 request signature: what X-Slack-Signature and X-Slack-Request-Timestamp carry."""

from __future__ import annotations

import hashlib
import hmac
import time


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`v0=` and the HMAC-SHA256 of `v0:{timestamp}:{body}` under the signing secret."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(
    secret: str, body: bytes, content_type: str, now: float | None = None
) -> dict[str, str]:
    """The headers Slack sends with a request body (`now` in epoch seconds, default: now)."""
    timestamp = str(int(time.time() if now is None else now))
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature(secret, timestamp, body),
    }
