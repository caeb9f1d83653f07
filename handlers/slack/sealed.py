"""A modal's private_metadata, sealed: a submission can carry back only what we wrote.

Slack returns private_metadata untouched inside a signed request, so only someone holding
the signing secret could change it; the seal is defence in depth for what it carries (the
channel a new project is bound to, the ids a form is about).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

LABEL = b"clientloop slack modal metadata v1"
TAG_BYTES = 16  # 128 bits: enough that nobody guesses a tag
SEALED_EXTRA = len(base64.urlsafe_b64encode(bytes(TAG_BYTES)).rstrip(b"=")) + 1


class Seal:
    """Seals text with a key derived from the signing secret (without one, Socket Mode on a
    laptop: a key of this process, so modals opened before a restart come back unsealed)."""

    def __init__(self, secret: str) -> None:
        material = secret.encode() if secret else os.urandom(32)
        self._key = hmac.new(material, LABEL, hashlib.sha256).digest()

    def wrap(self, text: str) -> str:
        return f"{self._tag(text)}.{text}"

    def unwrap(self, sealed: str) -> str | None:
        """The text we sealed, or None when the seal does not hold."""
        tag, dot, text = sealed.partition(".")
        if not dot or not hmac.compare_digest(tag, self._tag(text)):
            return None
        return text

    def _tag(self, text: str) -> str:
        digest = hmac.new(self._key, text.encode(), hashlib.sha256).digest()[:TAG_BYTES]
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
