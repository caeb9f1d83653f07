"""Refusals the core raises: each carries a sentence a person can act on."""


class Refused(Exception):
    """A rule said no; `reason` says why and what to do next, in plain words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NotFound(Refused):
    """The thing a command names does not exist (or is not visible to the caller)."""


class Conflict(Exception):
    """Another transaction changed the same aggregate first; the bus retries the command."""


class Unavailable(Exception):
    """The database could not be reached; nothing was written, the caller should try again."""

    reason = (
        "clientloop could not reach its database just now. Nothing was changed; please try again."
    )
