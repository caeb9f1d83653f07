"""Names from an open set: kinds of forms and views that any flow may declare its own of.

An enum would make every new flow edit one central list. A `Kind` is a string; the ones a
module declares (`FormKind.declare("risk")`) are shared instances, so `kind is
FormKind.CHANGE` holds for a kind read back from a payload, and `declared()` lists them
for the tests. Reading an unknown name gives a plain, unregistered kind: the caller decides
whether it means anything.
"""

from __future__ import annotations

from typing import ClassVar, Self


class Kind(str):
    _declared: ClassVar[dict[str, Kind]]

    def __init_subclass__(cls) -> None:
        cls._declared = {}

    def __new__(cls, value: str) -> Self:
        known = cls._declared.get(value)
        if isinstance(known, cls):
            return known
        return super().__new__(cls, value)

    @classmethod
    def declare(cls, value: str) -> Self:
        """The shared instance for `value`, declared once by the module that owns it."""
        kind = cls(value)
        cls._declared[value] = kind
        return kind

    @classmethod
    def declared(cls) -> frozenset[Self]:
        return frozenset(k for k in cls._declared.values() if isinstance(k, cls))

    @property
    def value(self) -> str:
        return str(self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"
