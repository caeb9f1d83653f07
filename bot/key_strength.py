"""How strong a secret key looks: a cautious estimate of its entropy, and the refusal of weak ones.

Nobody can measure the entropy of one string; this estimate only catches keys a person made
up or a script filled with one character. It takes the shortest unit the key repeats
("password" of "passwordpassword…"), then the lower of two per-character figures over that
unit: the Shannon entropy of its characters, and that of the steps between neighbouring
characters (so "abcdef…" and "0123…" count as the runs they are). Times the unit's length,
that must reach MIN_BITS. Output of `secrets.token_urlsafe(32)` scores about 180 or more.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Sequence
from typing import TypeVar

MIN_BITS = 128
MAKE_A_KEY = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'
Symbol = TypeVar("Symbol")


def estimated_bits(key: str) -> float:
    """A low estimate of the bits of entropy in `key` (0 for one repeated character)."""
    unit = _repeated_unit(key)
    steps = [ord(b) - ord(a) for a, b in itertools.pairwise(unit)]
    return len(unit) * min(_shannon(unit), _shannon(steps))


def weakness(key: str) -> str | None:
    """Why `key` is too weak to encrypt with, as the end of a sentence, or None when it is not."""
    bits = estimated_bits(key)
    if bits >= MIN_BITS:
        return None
    return (
        f"is too weak: about {bits:.0f} bits of randomness, at least {MIN_BITS} are needed "
        f"(make one with `{MAKE_A_KEY}`)"
    )


def _repeated_unit(key: str) -> str:
    """The shortest prefix whose repetition makes up `key` ("ab" for "ababa"), else `key`."""
    for period in range(1, len(key) // 2 + 1):
        if all(key[i] == key[i - period] for i in range(period, len(key))):
            return key[:period]
    return key


def _shannon(symbols: Sequence[Symbol]) -> float:
    """Bits per symbol of the symbols' own frequencies (0 for none or one kind)."""
    total = len(symbols)
    counts = Counter(symbols).values()
    return sum(n / total * math.log2(total / n) for n in counts) if total else 0.0
