"""Editing a change request: `change edit CR-2`, the form filled in with the current version.

The Edit button (on the channel card and the PMs' own messages) and the words both open the
change form with `change_id` in its context; submitting it makes a new version
(`EditChangeRequest`), which voids earlier decisions and asks the approvers again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from workflow.domain.approvals import Approvers
from workflow.domain.changes import MACHINE, ChangeRequest, CRAction, CRState
from workflow.domain.errors import NotFound, Refused
from workflow.domain.people import Identity
from workflow.domain.permissions import Act
from workflow.domain.projects import Project
from workflow.domain.views import View
from workflow.flows.change_requests.cards import change_card
from workflow.flows.common import allowed_in, person_with
from workflow.flows.views import views_of
from workflow.ports import AnyOf, UnitOfWork
from workflow.presentation.forms import Context, FormKind
from workflow.presentation.presses import BIGGEST_ID, OpenForm, Outcome, Show, ShowWhat
from workflow.presentation.words import Here

_REF = re.compile(r"^(?:cr\s*[-#]?\s*|#)?(\d{1,18})$", re.IGNORECASE)
HOW = "Say which change request to edit, e.g. `change edit CR-2`."
EDITABLE = tuple(s for s in CRState if MACHINE.allows(s, CRAction.EDIT))  # open, rejected
ON_HOME = 10  # a PM's Home lists the newest ten change requests they can still edit


def start_change(rest: str, here: Here) -> Outcome:
    """`change` opens a new change form in the project here; `change edit CR-2` (or `edit 2`)
    the filled-in one, also where there is no project (a personal chat of a PM of several
    projects: the change request names its own)."""
    verb, _, ref = rest.strip().partition(" ")
    if verb.lower() == "edit":
        return OpenForm(FormKind.CHANGE, {"change_id": change_ref(ref), **here.context})
    if here.project_id is None:
        return Show(ShowWhat.HELP, None, note="This channel has no project yet.")
    return OpenForm(FormKind.CHANGE, here.context)


def change_ref(text: str) -> int:
    """The id in "CR-2", "cr2", "#2" or "2"; refused in words for anything else."""
    found = _REF.match(text.strip())
    if found is None:
        raise Refused(HOW if not text.strip() else f"'{text.strip()[:40]}' names no change "
                      f"request. {HOW}")  # fmt: skip
    return int(found[1])


async def edit_values(
    uow: UnitOfWork, identity: Identity, context: Context
) -> tuple[Context, dict[str, str]]:
    """The edit form's context and its values (the current version's); refused, in words,
    unless the change request is this project's (when typed in one), the person is its PM,
    and it can still change (open or rejected)."""
    change_id, here = int(context["change_id"] or 0), context.get("project_id")
    change = await uow.repo(ChangeRequest).get(change_id) if 0 < change_id <= BIGGEST_ID else None
    if change is None or (here is not None and change.project_id != here):
        where = " in this project" if here is not None else ""
        raise NotFound(f"There is no change request CR-{change_id}{where}. `pending` lists them.")
    project = await allowed_in(uow, identity, change.project_id, Act.CHANGE)
    if not MACHINE.allows(change.state, CRAction.EDIT):
        raise Refused(
            f"CR-{change_id} is {change.state.value}, so it can't be edited any more; "
            f"propose a new change request with `change` in {project.key}."
        )
    person = await person_with(uow, identity)
    v = change.current
    shown = due_shown(v.due_at, person.zone if person else ZoneInfo("UTC"))
    values = {
        "title": v.title,
        "description": v.description,
        "scope": v.scope,
        "schedule_days": str(v.schedule_days),
        "cost": format(v.cost.normalize(), "f"),
        "reason": v.reason,
        "due": shown,
    }
    due_at = v.due_at.isoformat() if v.due_at else ""
    return {"change_id": change_id, "due_shown": shown, "due_at": due_at}, values


def due_shown(due_at: datetime | None, zone: ZoneInfo) -> str:
    """The day a due time was set as: it is stored as the end of that day (midnight after)."""
    if due_at is None:
        return ""
    return f"{due_at.astimezone(zone) - timedelta(microseconds=1):%Y-%m-%d}"


def due_kept(typed: str, context: Context, parsed: datetime | None) -> datetime | None:
    """The due time an edit saves: the stored one when the day shown was left as it was
    (whoever edits, in whatever zone), else the end of the day typed."""
    stored = str(context.get("due_at") or "")
    if context.get("change_id") is None or not stored or typed != context.get("due_shown"):
        return parsed
    try:
        kept = datetime.fromisoformat(stored)
    except ValueError:
        return parsed
    return kept if kept.tzinfo is not None else parsed


async def editable_cards(
    uow: UnitOfWork, projects: Sequence[Project], person_id: int, names: Mapping[int, str]
) -> list[View]:
    """The cards of the change requests `person_id` can still edit as a PM (open or
    rejected) in `projects`, newest first: one read for all of them."""
    mine = {p.id: p for p in projects if p.id is not None and person_id in p.pms}
    if not mine:
        return []
    where = {"project_id": AnyOf(*mine), "state": AnyOf(*EDITABLE)}
    found = await views_of(uow).find(ChangeRequest, **where)
    newest = sorted(found, key=lambda c: c.id or 0, reverse=True)[:ON_HOME]
    cards = []
    for change in newest:
        project = mine[change.project_id]
        turn = change.turn(Approvers.of(project)) if change.is_open else []
        cards.append(change_card(change, turn, names, editors=project.pms))
    return cards
