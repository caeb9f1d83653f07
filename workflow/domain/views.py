"""Platform-neutral outbound messages: what to show, to whom, with which actions.

Adapters render a `View` as Block Kit or an Adaptive Card; the core never knows how.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from workflow.domain.kinds import Kind
from workflow.domain.trend import TrendChart, chart_from_dict, chart_to_dict


class ViewKind(Kind):
    """What a view shows (a card of an item kind, a welcome, an info card)."""

    WELCOME: ClassVar[ViewKind]
    PROJECT: ClassVar[ViewKind]
    CHANGE_REQUEST: ClassVar[ViewKind]
    SIGNOFF: ClassVar[ViewKind]
    REPORT: ClassVar[ViewKind]
    CHECKIN: ClassVar[ViewKind]
    REQUEST: ClassVar[ViewKind]
    NOTICE: ClassVar[ViewKind]
    FEEDBACK: ClassVar[ViewKind]
    INVITATION: ClassVar[ViewKind]
    EVALUATION: ClassVar[ViewKind]
    QUESTION: ClassVar[ViewKind]
    INFO: ClassVar[ViewKind]


ViewKind.WELCOME = ViewKind.declare("welcome")
ViewKind.PROJECT = ViewKind.declare("project")
ViewKind.CHANGE_REQUEST = ViewKind.declare("change_request")
ViewKind.SIGNOFF = ViewKind.declare("signoff")
ViewKind.REPORT = ViewKind.declare("report")
ViewKind.CHECKIN = ViewKind.declare("checkin")
ViewKind.REQUEST = ViewKind.declare("request")
ViewKind.NOTICE = ViewKind.declare("notice")
ViewKind.FEEDBACK = ViewKind.declare("feedback")
ViewKind.INVITATION = ViewKind.declare("invitation")
ViewKind.EVALUATION = ViewKind.declare("evaluation")
ViewKind.QUESTION = ViewKind.declare("question")
ViewKind.INFO = ViewKind.declare("info")


class Style(StrEnum):
    PRIMARY = "primary"
    DANGER = "danger"
    DEFAULT = "default"


# What a customer can start is open to anyone who sees a card, even on someone else's copy.
START_VERBS = frozenset({"start_request", "start_notice", "start_feedback", "show_pending"})


class Op(StrEnum):
    POST = "post"
    UPDATE = "update"


@dataclass(frozen=True)
class Button:
    """An action on an item. `needs_text` names the text a person must type first.

    `only_for` names the people for whom the button is live on a private copy (a PM's Edit
    on a card the approvers also get); a channel copy shows it to all, the core refuses
    the rest. Empty: the view's `actors` rule.
    """

    verb: str
    label: str
    item: str
    version: int | None = None
    style: Style = Style.DEFAULT
    needs_text: str = ""
    optional_text: str = ""
    only_for: tuple[int, ...] = ()

    def live_for(self, person_id: int | None, actor: bool) -> bool:
        """Whether a private copy shown to `person_id` (`actor`: one the view names, or a
        view naming nobody) shows this button."""
        if self.only_for:
            return person_id in self.only_for
        return actor or self.verb in START_VERBS


@dataclass(frozen=True)
class View:
    """One card: plain user text (renderers escape it), fields, status and buttons.

    `actors` are the people for whom the buttons are live; everyone else sees the status.
    `items` nests other views (a check-in lists the decisions still waiting on someone).
    """

    kind: ViewKind
    title: str
    text: str = ""
    fields: tuple[tuple[str, str], ...] = ()
    status: str = ""
    buttons: tuple[Button, ...] = ()
    actors: tuple[int, ...] = ()
    items: tuple[View, ...] = ()
    footer: str = ""
    link: str = ""
    # A channel copy for one person who could not be messaged privately: (their platform
    # user id, name), for adapters to @mention them so they can act in the channel.
    mention: tuple[str, str] | None = None
    # Platform user ids of the actors (here and in items), filled in at delivery time for
    # platforms that address buttons by user (Teams' refresh.userIds); never stored.
    actor_users: tuple[tuple[int, str], ...] = ()
    # A picture of the figures (the digest's satisfaction trend), for adapters that can show
    # one; the fields keep the same figures in words.
    chart: TrendChart | None = None

    def all_actors(self) -> set[int]:
        return set(self.actors).union(*(item.all_actors() for item in self.items))


@dataclass(frozen=True)
class Recipient:
    """A person (direct message), or a project's channel."""

    person_id: int | None = None
    project_id: int | None = None

    def __post_init__(self) -> None:
        if (self.person_id is None) == (self.project_id is None):
            raise ValueError("a recipient is either one person or one project's channel")


@dataclass(frozen=True)
class Outgoing:
    """A message to post, or (op UPDATE) new content for every copy of `card_key`."""

    to: Recipient | None
    view: View
    card_key: str | None = None
    op: Op = Op.POST
    project_id: int | None = None


def card_key(kind: str, item_id: int) -> str:
    return f"{kind}:{item_id}"


def view_to_dict(view: View) -> dict[str, object]:
    """A JSON-ready form of a view (the outbox stores it so delivery can happen later)."""
    return {
        "kind": view.kind.value,
        "title": view.title,
        "text": view.text,
        "fields": [list(f) for f in view.fields],
        "status": view.status,
        "buttons": [button_to_dict(b) for b in view.buttons],
        "actors": list(view.actors),
        "items": [view_to_dict(v) for v in view.items],
        "footer": view.footer,
        "link": view.link,
        **({"mention": list(view.mention)} if view.mention else {}),
        **({"chart": chart_to_dict(view.chart)} if view.chart else {}),
    }


def button_to_dict(button: Button) -> dict[str, object]:
    return {
        "verb": button.verb,
        "label": button.label,
        "item": button.item,
        "version": button.version,
        "style": button.style.value,
        "needs_text": button.needs_text,
        "optional_text": button.optional_text,
        "only_for": list(button.only_for),
    }


def view_from_dict(data: dict[str, Any]) -> View:
    return View(
        kind=ViewKind(data["kind"]),
        title=data["title"],
        text=data.get("text", ""),
        fields=tuple((str(k), str(v)) for k, v in data.get("fields", [])),
        status=data.get("status", ""),
        buttons=tuple(
            Button(
                b["verb"],
                b["label"],
                b["item"],
                b.get("version"),
                Style(b["style"]),
                b.get("needs_text", ""),
                b.get("optional_text", ""),
                tuple(int(p) for p in b.get("only_for", [])),
            )
            for b in data.get("buttons", [])
        ),
        actors=tuple(int(a) for a in data.get("actors", [])),
        items=tuple(view_from_dict(v) for v in data.get("items", [])),
        footer=data.get("footer", ""),
        link=data.get("link", ""),
        mention=_mention(data.get("mention")),
        chart=chart_from_dict(data["chart"]) if data.get("chart") else None,
    )


def _mention(value: Any) -> tuple[str, str] | None:
    return (str(value[0]), str(value[1])) if isinstance(value, list) and len(value) == 2 else None
