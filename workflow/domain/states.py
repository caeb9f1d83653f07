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


# The past participle of every action a machine takes, as refusals say it ("it can't be
# approved now"); tests/unit/test_said.py checks every machine's actions are here.
PAST = {
    "accept": "accepted",
    "acknowledge": "acknowledged",
    "answer": "answered",
    "approve": "approved",
    "ask": "questioned",
    "cancel": "cancelled",
    "close": "closed",
    "comment": "commented on",
    "complete": "completed",
    "convert": "turned into a change request",
    "decline": "declined",
    "dispute": "disputed",
    "draft": "drafted",
    "edit": "edited",
    "expire": "expired",
    "miss": "missed",
    "no": "declined",
    "note": "noted",
    "propose": "answered with another time",
    "reject": "rejected",
    "remind": "reminded",
    "reopen": "reopened",
    "settle": "settled",
    "start_closing": "put into closing",
    "supersede": "superseded",
    "withdraw": "withdrawn",
    "yes": "accepted",
}


def _past(action: StrEnum) -> str:
    """A readable past participle for an action name ("approve" -> "approved")."""
    word = action.value.replace("_", " ")
    return PAST.get(action.value) or (word + "d" if word.endswith("e") else word + "ed")
