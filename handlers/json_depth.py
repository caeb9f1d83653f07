"""How deep a parsed JSON body nests, found without recursing: both chat adapters refuse a
signed body nested past their limit before any parser or SDK walks it."""

from __future__ import annotations

from collections.abc import Mapping


def nests_deeper_than(value: object, max_depth: int) -> bool:
    """Whether JSON `value` nests over `max_depth` levels, looked at level by level (it may
    be far too deep for a recursive walk)."""
    level: list[object] = [value]
    for _ in range(max_depth + 1):
        level = [
            child
            for item in level
            if isinstance(item, Mapping | list)
            for child in (item.values() if isinstance(item, Mapping) else item)
        ]
        if not level:
            return False
    return True
