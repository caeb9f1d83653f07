"""A state machine is a table: TRANSITIONS[(state, action)] -> state, nothing else."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from workflow.domain.errors import Refused

S = TypeVar("S", bound=StrEnum)
A = TypeVar("A", bound=StrEnum)


@dataclass(frozen=True)
class Machine(Generic[S, A]):
    """Looks transitions up in `table`; anything missing is refused in words."""

    noun: str
    table: Mapping[tuple[S, A], S]

    def next(self, state: S, action: A) -> S:
        try:
            return self.table[(state, action)]
        except KeyError:
            raise Refused(
                f"This {self.noun} is {state.value.replace('_', ' ')}, "
                f"so it can't be {_past(action)} now."
            ) from None

    def allows(self, state: S, action: A) -> bool:
        return (state, action) in self.table


def _past(action: StrEnum) -> str:
    """A readable past participle for an action name ("approve" -> "approved")."""
    word = action.value.replace("_", " ")
    irregular = {"ask": "questioned", "withdraw": "withdrawn", "answer": "answered"}
    if word in irregular:
        return irregular[word]
    return word + "d" if word.endswith("e") else word + "ed"
