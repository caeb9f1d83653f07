"""People, their platform identities, workspaces and chat addresses."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from workflow.domain.errors import Refused

# Who a person is to others while we know no name for them: never their platform id.
UNNAMED = "someone"


class Platform(StrEnum):
    SLACK = "slack"
    TEAMS = "teams"


@dataclass(frozen=True)
class Identity:
    """Who a chat user is: a Slack (team or enterprise id, user id) or a Teams (tenant, AAD id)."""

    platform: Platform
    org_id: str
    user_id: str

    def __str__(self) -> str:
        return f"{self.platform}:{self.org_id}:{self.user_id}"


def valid_zone(name: str) -> str:
    """Return `name` if it is an IANA time zone, else refuse with a sentence saying so."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise Refused(f"'{name}' is not a time zone name like Europe/Berlin.") from exc
    return name


@dataclass
class Person:
    """One human on one platform; a Slack Connect guest has their own org_id."""

    identity: Identity
    display_name: str = ""
    timezone: str = "UTC"
    id: int | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def label(self) -> str:
        return self.display_name or UNNAMED


@dataclass
class Workspace:
    """A Slack workspace (team or enterprise) or a Teams tenant the bot is installed in."""

    platform: Platform
    external_id: str
    name: str = ""
    id: int | None = None
