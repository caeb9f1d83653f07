"""What words, button presses and submitted forms mean, read from the flows' tables."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from workflow.domain.commands import Command, PersonRef
from workflow.domain.errors import Refused
from workflow.domain.people import Identity
from workflow.domain.permissions import may
from workflow.domain.projects import Project
from workflow.flows import ALIASES, FORMS, ITEMS, TEXT_LABELS, WORDS
from workflow.flows.common import allowed_in
from workflow.flows.flow import FormEntry, Opening
from workflow.ports import UnitOfWork
from workflow.presentation.forms import Context, Form, FormKind, Values, Who
from workflow.presentation.presses import NeedText, OpenForm, Outcome, Press, Show, ShowWhat
from workflow.presentation.words import Here, split


def interpret_words(
    text: str, project_id: int | None, actor: PersonRef, at: datetime, event_id: str | None = None
) -> Outcome:
    """What the words ask for. Unknown words show the help (with a note), never an error."""
    word, rest = split(text, ALIASES)
    entry = WORDS.get(word)
    if entry is None:
        return Show(ShowWhat.HELP, project_id, note=f"I don't know '{word}'.")
    if entry.needs_project and project_id is None:
        return Show(ShowWhat.HELP, None, note="This channel has no project yet.")
    return entry.start(rest, Here(project_id, actor, at, event_id))


def help_lines(project: Project | None, person_id: int | None, prefix: str) -> list[str]:
    """The words this person may use here, as `prefix word` lines (help first)."""
    lines = [f"`{prefix} help` {WORDS['help'].does}"]
    for word in WORDS.values():
        if word.act is None:
            shown = word.word != "help" and project is None and not word.needs_project
        else:
            shown = (
                project is not None and person_id is not None and may(project, person_id, word.act)
            )
        if shown:
            lines.append(f"`{prefix} {word.usage}` {word.does}")
    return lines


def interpret_press(press: Press) -> Outcome:
    """The outcome of a press; unknown buttons are refused in words."""
    label = TEXT_LABELS.get((press.kind, press.base_verb))
    if label is not None and not (press.text or "").strip():
        context: Context = {"verb": press.verb, "item": press.item, "version": press.version}
        return NeedText(label[0], label[1], context)
    item = ITEMS.get(press.kind)
    outcome = item.press(press) if item else None
    if outcome is None:
        raise Refused(
            "That button is not one clientloop knows any more; please use a newer message."
        )
    return outcome


def command_from_form(
    kind: FormKind, values: Values, context: Context, actor: PersonRef, at: datetime, zone: ZoneInfo
) -> Command:
    """The command a submitted form asks for; FieldErrors when a value can't be used.

    TEXT forms are not handled here: they finish a button press (`interpret_press`).
    """
    return _entry(kind).parse(values, context, Who(actor, at, zone), {})


def main_field(kind: FormKind) -> str:
    """Where a refusal of a whole submission is shown."""
    if kind is FormKind.TEXT:
        return "text"
    entry = FORMS.get(kind)
    return entry.main_field if entry is not None else ""


async def build_form(uow: UnitOfWork, wanted: OpenForm, identity: Identity) -> Form:
    """The form to show, after checking the person may use it; refusals say why."""
    entry = _entry(wanted.kind)
    if entry.opener is not None:
        return await entry.opener(uow, wanted, identity)
    ctx = dict(wanted.context)
    project = None
    if entry.act is not None:
        project = await allowed_in(uow, identity, int(ctx["project_id"] or 0), entry.act)
    assert entry.build is not None
    return entry.build(Opening(ctx, wanted.prefill, project))


def _entry(kind: FormKind) -> FormEntry:
    """The flow's entry for a form kind; a kind no flow declares is refused in words."""
    entry = FORMS.get(kind)
    if entry is None:
        raise Refused("This form is not one clientloop knows any more; please start again.")
    return entry
