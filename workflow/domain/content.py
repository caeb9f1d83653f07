"""Canonical hashing of what a person was shown, so the audit can name the exact content."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum


def _plain(value: object) -> object:
    # Aware datetimes hash as UTC, so a value reloaded from the database hashes the same.
    if isinstance(value, datetime) and value.utcoffset() is not None:
        return value.astimezone(UTC).isoformat()
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    return value


def canonical_json(data: Mapping[str, object]) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), default=_plain)


def content_hash(data: Mapping[str, object]) -> str:
    return hashlib.sha256(canonical_json(data).encode()).hexdigest()
