"""Item ids in card and form data, checked against the origin the platform signed.

A project channel's cards and forms are about that channel's projects (the open one, and
any closed one before it): an id of another project's item sent from there is refused
before anything is written. A direct message or personal chat is about no project; there
the use case's own check of the person's permission on the item's project decides.
"""

from __future__ import annotations

from collections.abc import Iterable

from workflow.domain.errors import Refused
from workflow.flows import ITEMS
from workflow.flows.views import views_of
from workflow.ports import UnitOfWork
from workflow.presentation.answers import Origin
from workflow.presentation.forms import Context, FormKind
from workflow.presentation.presses import BIGGEST_ID

ANOTHER_PROJECT = "That item belongs to another project."
NO_PLACE = "A project belongs to a channel: type `new` in the channel the project is for."
# The form context keys that name an item, and the item kind (in `ITEMS`) each one names.
CONTEXT_ITEMS = {
    "project_id": "project",
    "change_id": "change_request",
    "request_id": "request",
    "notice_id": "notice",
    "checkin_id": "checkin",
}
Ref = tuple[str, object]  # an item kind and its id, as the payload gave it


def place_of(origin: Origin) -> Context:
    """Where a new project's form is about: the origin's place, never the form data's (a
    place the platform did not vouch for, as a Slack modal whose sealed metadata was
    changed on the way, is no place)."""
    if not origin.channel_id:
        raise Refused(NO_PLACE)
    return {
        "platform": origin.platform.value,
        "workspace_id": origin.workspace_id,
        "channel_id": origin.channel_id,
        "workspace_name": origin.workspace_name,
    }


def press_refs(item: str) -> list[Ref]:
    """The item a button names ("change_request:12")."""
    kind, _, raw = item.partition(":")
    return [(kind, raw)]


def form_refs(kind: FormKind, context: Context) -> list[Ref]:
    """The items a submitted form names; a text form finishes a press on its `item`.
    A new project's form names none: its place is taken from the origin."""
    if kind is FormKind.NEW_PROJECT:
        return []
    if kind is FormKind.TEXT:
        return press_refs(str(context.get("item") or ""))
    return [(named, context[key]) for key, named in CONTEXT_ITEMS.items() if key in context]


async def require_here(uow: UnitOfWork, origin: Origin, refs: Iterable[Ref]) -> None:
    """Refuse when the origin is a project channel and an item named belongs elsewhere."""
    named = [(kind, item_id) for kind, raw in refs if (item_id := _as_id(raw)) is not None]
    if not named:
        return
    mine = await channel_projects(uow, origin)
    if not mine:
        return
    for kind, item_id in named:
        owner = await owner_of(uow, kind, item_id)
        if owner is not None and owner not in mine:
            raise Refused(ANOTHER_PROJECT)


async def require_seen(uow: UnitOfWork, origin: Origin, viewer: int | None, item: str) -> None:
    """A card is shown in its project's channel, or privately to someone taking part in its
    project (the item in a refresh request is the client's word, not the platform's)."""
    kind, _, raw = item.partition(":")
    item_id = _as_id(raw)
    owner = await owner_of(uow, kind, item_id) if item_id is not None else None
    if owner is None:
        return
    mine = await channel_projects(uow, origin)
    if mine and owner not in mine:
        raise Refused(ANOTHER_PROJECT)
    project = None if mine else await uow.projects.get(owner)
    if project is not None and (viewer is None or not project.roles_of(viewer)):
        raise Refused(f"You are not part of {project.key}, so its cards are not shown to you.")


async def channel_projects(uow: UnitOfWork, origin: Origin) -> set[int]:
    """The projects bound to the origin's channel; none for a DM or a personal chat (one
    indexed read of ids: every press asks it)."""
    if origin.personal or not origin.channel_id:
        return set()
    where = (origin.platform, origin.workspace_id, origin.channel_id)
    return await views_of(uow).channel_projects(*where)


async def owner_of(uow: UnitOfWork, kind: str, item_id: int) -> int | None:
    """The project an item belongs to; None when it names nothing known (the use case
    then says so in its own words)."""
    if kind == "project":
        return item_id
    item = ITEMS.get(kind)
    if item is None or item.aggregate is None:
        return None
    return await views_of(uow).owner_of(item.aggregate, item_id)


def _as_id(raw: object) -> int | None:
    """An id as the parsers would read it (an int, or digits in a button's value)."""
    if isinstance(raw, int):
        item_id = int(raw)
    else:
        try:
            item_id = int(str(raw))
        except ValueError:
            return None
    return item_id if 0 < item_id <= BIGGEST_ID else None
