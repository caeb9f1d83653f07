"""Slack users as the core knows people: identity, name and IANA zone, from users.info."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from slack_sdk.errors import SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from handlers.slack.payloads import Mentioned, typed_pieces
from workflow.domain.commands import PersonRef
from workflow.domain.people import Identity, Platform
from workflow.presentation.answers import Words, written

log = logging.getLogger(__name__)
FRESH_FOR = timedelta(hours=6)


@dataclass(frozen=True)
class _Known:
    ref: PersonRef
    at: datetime


class Directory:
    """Looks people up with users.info and keeps answers for a few hours (per process)."""

    def __init__(self) -> None:
        self._known: dict[tuple[str, str], _Known] = {}

    async def ref(
        self, client: AsyncWebClient, user_id: str, org_hint: str, now: datetime
    ) -> PersonRef:
        """The person for `user_id`; their own team from Slack, or `org_hint` if it can't say."""
        known = self._known.get((org_hint, user_id))
        if known is not None and now - known.at < FRESH_FOR:
            return known.ref
        ref = await self._lookup(client, user_id, org_hint)
        self._known[(org_hint, user_id)] = _Known(ref, now)
        return ref

    async def _lookup(self, client: AsyncWebClient, user_id: str, org_hint: str) -> PersonRef:
        try:
            response = await client.users_info(user=user_id)
        except SlackClientError as exc:
            log.warning("users.info failed for %s: %s", user_id, exc)
            return PersonRef(Identity(Platform.SLACK, org_hint, user_id))
        user = response.get("user") or {}
        profile = user.get("profile") or {}
        name = profile.get("display_name") or user.get("real_name") or user.get("name") or ""
        org = user.get("team_id") or org_hint
        return PersonRef(
            Identity(Platform.SLACK, str(org), user_id), str(name), user.get("tz") or None
        )

    async def words(self, client: AsyncWebClient, text: str, org_hint: str, now: datetime) -> Words:
        """Typed text for the core: each user mention looked up and written `@name`."""
        typed, mentions = [], []
        for piece in typed_pieces(text):
            if isinstance(piece, Mentioned):
                ref = await self.ref(client, piece.user_id, org_hint, now)
                ref = ref if ref.display_name else replace(ref, display_name=piece.name)
                mentions.append(ref)
                piece = written(ref)
            typed.append(piece)
        return Words("".join(typed), tuple(mentions))

    async def actor(self, client: AsyncWebClient, identity: Identity, now: datetime) -> PersonRef:
        """The person acting: their identity comes from the payload, name and zone from Slack."""
        ref = await self.ref(client, identity.user_id, identity.org_id, now)
        return PersonRef(identity, ref.display_name, ref.timezone)
