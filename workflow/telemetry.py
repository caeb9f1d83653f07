"""The metrics port: what the core tells the operator's counters (bot/ plugs in the real ones)."""

from __future__ import annotations

from typing import Protocol

from workflow.domain.errors import Conflict, NotFound, Refused, Unavailable
from workflow.domain.people import Platform
from workflow.ports import Receipt

# What a refusal can be, as `refusal_kind` names it (a label value: keep the set small).
REFUSAL_KINDS = ("not_allowed", "not_found", "bad_input", "conflict", "unavailable")


class Telemetry(Protocol):
    """Told as things happen; it only counts, so it must be cheap and never raise."""

    def refused(self, kind: str) -> None:
        """A person's request changed nothing; `kind` is one of REFUSAL_KINDS."""
        ...

    def delivered(self, platform: Platform, receipt: Receipt) -> None:
        """A platform answered one post or update of an outbox row (taken, or why not)."""
        ...

    def late(self, seconds: float) -> None:
        """The scheduler worked a due project this long after it fell due."""
        ...


class Unwatched:
    """No metrics: what the core runs with unless the composition root gives some."""

    def refused(self, kind: str) -> None:
        pass

    def delivered(self, platform: Platform, receipt: Receipt) -> None:
        pass

    def late(self, seconds: float) -> None:
        pass


UNWATCHED = Unwatched()


def refusal_kind(failure: Exception) -> str:
    """The kind of a failure the dispatcher turns into a sentence.

    Anything but the domain's own errors is a form's values that could not be used
    (`FieldErrors`, which lives in presentation: delivery, below it, imports this module).
    """
    if isinstance(failure, NotFound):
        return "not_found"
    if isinstance(failure, Refused):
        return "not_allowed"
    if isinstance(failure, Conflict):
        return "conflict"
    if isinstance(failure, Unavailable):
        return "unavailable"
    return "bad_input"
