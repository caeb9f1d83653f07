"""The sandbox workspace's state: people, conversations, messages, modals, Home tabs and files."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

Json = dict[str, Any]
TEAM_ID = "T0SANDBOX"
TEAM_NAME = "Sandbox"
PARTNER_TEAM_ID = "T0PARTNER"  # the external customer's organisation (Slack Connect)
BOT_USER_ID = "U0SANDBOT"
BOT_ID = "B0SANDBOT"
PROJECT_CHANNEL = "C0PROJECT"


@dataclass(frozen=True)
class Person:
    """A member of the workspace (or, with another team id, of a connected organisation)."""

    user_id: str
    name: str
    real_name: str
    tz: str
    team_id: str = TEAM_ID
    role: str = ""

    def as_user(self) -> Json:
        """The person as users.info answers."""
        profile = {"display_name": self.real_name, "real_name": self.real_name, "title": self.role}
        return {
            "id": self.user_id, "team_id": self.team_id, "name": self.name,
            "real_name": self.real_name, "tz": self.tz, "is_bot": False,
            "deleted": False, "is_stranger": self.team_id != TEAM_ID, "profile": profile,
        }  # fmt: skip


@dataclass
class Message:
    """A message in a conversation; `ephemeral_for` names the only person who sees it."""

    ts: str
    text: str = ""
    blocks: list[Json] = field(default_factory=list)
    user: str | None = None
    bot_id: str | None = None
    ephemeral_for: str | None = None
    files: list[str] = field(default_factory=list)

    def as_json(self) -> Json:
        body: Json = {"type": "message", "ts": self.ts, "text": self.text, "blocks": self.blocks}
        if self.user:
            body["user"] = self.user
        if self.bot_id:
            body |= {"bot_id": self.bot_id, "user": BOT_USER_ID}
        return body


@dataclass
class Conversation:
    """A channel (C…) or a direct message with the app (D + user id)."""

    id: str
    name: str
    is_im: bool = False
    members: list[str] = field(default_factory=list)
    ext_shared: bool = False
    messages: list[Message] = field(default_factory=list)

    def visible_to(self, user_id: str) -> list[Message]:
        return [m for m in self.messages if m.ephemeral_for in (None, user_id)]

    def find(self, ts: str) -> Message | None:
        return next((m for m in self.messages if m.ts == ts), None)

    def as_json(self) -> Json:
        body: Json = {"id": self.id, "is_im": self.is_im, "is_channel": not self.is_im}
        if self.is_im:
            return body | {"user": self.members[0] if self.members else None}
        return body | {"name": self.name, "is_ext_shared": self.ext_shared, "is_member": True}


@dataclass
class Modal:
    """One open modal view: its id, the view as the app sent it, and its hash."""

    view_id: str
    user_id: str
    view: Json
    hash: str

    def as_json(self) -> Json:
        return {**self.view, "id": self.view_id, "hash": self.hash, "team_id": TEAM_ID}


@dataclass
class UploadedFile:
    """A file uploaded in Slack's two steps (URL, then bytes, then completion)."""

    id: str
    filename: str
    data: bytes = b""
    title: str = ""
    channel_id: str | None = None


@dataclass(frozen=True)
class ResponseTarget:
    """Where a response_url answers: the person, their conversation, the message pressed."""

    user_id: str
    channel_id: str
    message_ts: str | None = None


@dataclass
class Workspace:
    """Everything the sandbox knows; the Web API and the page read and change it."""

    team_id: str = TEAM_ID
    people: dict[str, Person] = field(default_factory=dict)
    conversations: dict[str, Conversation] = field(default_factory=dict)
    modals: dict[str, list[Modal]] = field(default_factory=dict)  # user id: stack of modals
    homes: dict[str, Modal] = field(default_factory=dict)
    files: dict[str, UploadedFile] = field(default_factory=dict)
    triggers: dict[str, str] = field(default_factory=dict)  # trigger id: user id
    responses: dict[str, ResponseTarget] = field(default_factory=dict)
    calls: list[tuple[str, Json]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def next_ts(self) -> str:
        return f"1700000000.{next(self._ids) * 100:06d}"

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08d}"

    def add_person(self, person: Person) -> None:
        self.people[person.user_id] = person

    def channel(self, channel_id: str, name: str, members: list[str]) -> Conversation:
        shared = any(
            p.team_id != self.team_id for p in self.people.values() if p.user_id in members
        )
        self.conversations[channel_id] = Conversation(
            channel_id, name, False, list(members), shared
        )
        return self.conversations[channel_id]

    def dm(self, user_id: str) -> Conversation:
        """The person's direct message with the app, opened on first use."""
        dm_id = "D" + user_id
        if dm_id not in self.conversations:
            self.conversations[dm_id] = Conversation(dm_id, user_id, True, [user_id])
        return self.conversations[dm_id]

    def conversation(self, channel: str) -> Conversation | None:
        """A conversation by id; a user id means the app's DM with that person (as Slack)."""
        if channel in self.people:
            return self.dm(channel)
        return self.conversations.get(channel)

    def post(
        self, channel: str, text: str, blocks: list[Json] | None = None, *,
        user: str | None = None, ephemeral_for: str | None = None,
    ) -> Message:  # fmt: skip
        """Adds a message from `user` (none: from the app) and returns it."""
        conversation = self.conversation(channel)
        if conversation is None:
            raise KeyError(channel)
        message = Message(self.next_ts(), text, list(blocks or []), user, None, ephemeral_for)
        if user is None:
            message.bot_id = BOT_ID
        conversation.messages.append(message)
        return message

    def issue_trigger(self, user_id: str) -> str:
        """A trigger id for a person's act, as Slack gives with each interaction."""
        trigger = f"{next(self._ids)}.{self.team_id}.sandbox"
        self.triggers[trigger] = user_id
        return trigger

    def issue_response(self, target: ResponseTarget) -> str:
        response_id = self.new_id("R")
        self.responses[response_id] = target
        return response_id

    def open_modals(self, user_id: str) -> list[Modal]:
        return self.modals.setdefault(user_id, [])

    def find_modal(self, view_id: str) -> Modal | None:
        for stack in self.modals.values():
            for modal in stack:
                if modal.view_id == view_id:
                    return modal
        return None

    def new_modal(self, user_id: str, view: Json) -> Modal:
        return Modal(self.new_id("V"), user_id, view, self.new_id("h"))


def seeded() -> Workspace:
    """The workspace a newcomer meets: five people, a project channel and their DMs."""
    ws = Workspace()
    for person in (
        Person("U0PM", "pat", "Pat Morgan", "Europe/Paris", role="Project manager"),
        Person("U0CUSTOMER", "casey", "Casey Quinn", "Europe/London", role="Customer"),
        Person(
            "U0EXTCUSTOMER", "erin", "Erin Okafor", "America/New_York", PARTNER_TEAM_ID,
            role="Customer (Partner Co)",
        ),
        Person("U0SPONSOR", "sam", "Sam Lindqvist", "Europe/Stockholm", role="Sponsor"),
        Person("U0MEMBER", "mo", "Mo Tanaka", "Asia/Tokyo", role="Team member"),
    ):  # fmt: skip
        ws.add_person(person)
    ws.channel(PROJECT_CHANNEL, "project-apollo", [*ws.people, BOT_USER_ID])
    for user_id in ws.people:
        ws.dm(user_id)
    return ws
