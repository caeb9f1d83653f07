"""Renders one person's App Home tab: what waits on them, their projects, what they can start."""

from __future__ import annotations

from collections.abc import Sequence

from handlers.slack.blocks import (
    MAX_VIEW_BLOCKS,
    Block,
    actions,
    context,
    divider,
    fit,
    header,
    section,
)
from handlers.slack.render_message import compact_blocks, live_buttons, with_items
from workflow.domain.views import Button, View, card_key
from workflow.presentation.cards import CUSTOMER_STARTS

# Request, notice and feedback; "my pending items" is this very tab.
HOME_STARTS = tuple(b for b in CUSTOMER_STARTS if b.verb != "show_pending")
MAX_PROJECT_BLOCKS = 40
MAX_EDITABLE_BLOCKS = 21  # a header and five change requests
NO_STARTS = (
    "Once a PM adds you to a project as its customer, you can send the team requests, "
    "changes on your side and feedback from here."
)


def start_buttons(project_id: int) -> list[Button]:
    """The customer starts for one project: each button names it, as on the welcome."""
    item = card_key("project", project_id)
    return [Button(b.verb, b.label, item, None, b.style) for b in HOME_STARTS]


def project_blocks(
    projects: Sequence[tuple[str, str, int]], start_projects: Sequence[tuple[int, str]]
) -> list[Block]:
    """ "Your projects" for PMs, then a start section per project the person may start in."""
    blocks: list[Block] = []
    if projects:
        lines = [
            f"*{fit(key, 40)}* · {fit(name, 200)} · {count} open item{'s' * (count != 1)}"
            for key, name, count in projects
        ]
        blocks += [header("Your projects"), *_line_sections(lines)]
    groups = [
        [section(f"*{fit(label, 250)}*"), *actions(start_buttons(project_id))]
        for project_id, label in start_projects
    ]
    if not groups:  # a button naming no project would point at nothing
        return blocks or [section(NO_STARTS)]
    start = [header("Start something"), section("Send the team a request, a change, or feedback.")]
    return with_items(blocks + start, groups, MAX_PROJECT_BLOCKS, "ask me with /loop request")


def editable_blocks(editable: Sequence[View], viewer_person_id: int | None) -> list[Block]:
    """ "Your change requests" for a PM: each one still open or rejected, with the buttons
    meant for the viewer alone (Edit)."""
    items = [
        [divider(), *compact_blocks(v, [b for b in v.buttons if viewer_person_id in b.only_for])]
        for v in editable
    ]
    more = "type /loop change edit CR-… for any of them"
    return with_items([header("Your change requests")], items, MAX_EDITABLE_BLOCKS, more)


def _line_sections(lines: list[str]) -> list[Block]:
    """Lines packed into sections of up to 3,000 characters, at most ten sections."""
    chunks: list[str] = []
    for line in lines:
        if chunks and len(chunks[-1]) + len(line) + 1 <= 3000:
            chunks[-1] += "\n" + line
        else:
            chunks.append(line)
    shown = chunks[:10]
    left = sum(c.count("\n") + 1 for c in chunks[10:])
    return [section(c) for c in shown] + ([context(f"…and {left} more")] if left else [])


def home_view(
    person_name: str,
    pending: list[View],
    projects: list[tuple[str, str, int]],
    *,
    viewer_person_id: int | None = None,
    start_projects: Sequence[tuple[int, str]] = (),
    editable: Sequence[View] = (),
) -> Block:
    """The Home tab: pending cards with their buttons, a PM's `editable` change requests,
    projects (key, name, open items) for PMs, and the customer starts (per (project id,
    label) in `start_projects`).

    `pending` is already what waits on this person, so its buttons show unless
    `viewer_person_id` is given and the card names other actors (the DM rule)."""
    tail = project_blocks(projects, start_projects)
    if editable:
        tail = editable_blocks(editable, viewer_person_id) + tail
    top = [
        header("clientloop"),
        section(f"Hello {fit(person_name, 200)}! Here is what waits on you."),
        header("Waiting on you"),
    ]
    if not pending:
        top.append(section("Nothing is waiting on you. :tada:"))
    items = [[divider(), *compact_blocks(v, _buttons(v, viewer_person_id))] for v in pending]
    budget = MAX_VIEW_BLOCKS - len(tail)
    body = with_items(top, items, budget, "answer these first, or ask me with /loop pending")
    return {"type": "home", "blocks": body + tail}


def _buttons(view: View, viewer_person_id: int | None) -> list[Button]:
    if viewer_person_id is None:
        return list(view.buttons)
    return live_buttons(view, viewer_person_id, in_channel=False)
