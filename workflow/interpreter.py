"""What words, button presses and submitted forms mean, read from the flows' tables."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from workflow.domain.commands import Command, PersonRef
from workflow.domain.errors import Refused
from workflow.domain.people import Identity
from workflow.flows import ALIASES, CHECKS, FORMS, ITEMS, TEXT_LABELS, WORDS
from workflow.flows.common import allowed_in
from workflow.flows.flow import FormEntry, Opening
from workflow.ports import UnitOfWork
from workflow.presentation.answers import Origin, Pressed, Submitted, Words
from workflow.presentation.forms import (
    Context,
    FieldErrors,
    Form,
    FormKind,
    Values,
    Who,
    chosen,
)
from workflow.presentation.presses import (
    CHOOSE_PROJECT,
    NeedText,
    OpenForm,
    Outcome,
    Press,
    Show,
    ShowWhat,
    typed_words,
)
from workflow.presentation.words import Here, split


def interpret_words(
    words: Words | str,
    project_id: int | None,
    actor: PersonRef,
    at: datetime,
    event_id: str | None = None,
) -> Outcome:
    """What the words ask for. Unknown words show the help (with a note), never an error.
    The people @mentioned in them (`Words.mentions`) are the word's to use."""
    typed = words if isinstance(words, Words) else Words(words)
    word, rest = split(typed.text, ALIASES)
    entry = WORDS.get(word)
    if entry is None:
        return Show(ShowWhat.HELP, project_id, note=f"I don't know '{word}'.")
    if entry.needs_project and project_id is None:
        return Show(ShowWhat.HELP, None, note="This channel has no project yet.")
    return entry.start(rest, Here(project_id, actor, at, event_id, typed.mentions))


def interpret_press(press: Press) -> Outcome:
    """The outcome of a press; unknown buttons are refused in words. A press whose text is
    still to be typed comes back as `NeedText`, carrying the command it makes without it."""
    if press.base_verb == CHOOSE_PROJECT:
        return chosen_project(press)
    item = ITEMS.get(press.kind)
    outcome = item.press(press) if item else None
    if outcome is None:
        raise Refused(
            "That button is not one clientloop knows any more; please use a newer message."
        )
    label = TEXT_LABELS.get((press.kind, press.base_verb))
    if label is not None and not (press.text or "").strip():
        context: Context = {"verb": press.verb, "item": press.item, "version": press.version}
        command = outcome if isinstance(outcome, Command) else None
        return NeedText(label[0], label[1], context, command)
    return outcome


def chosen_project(press: Press) -> Outcome:
    """A project chosen for words typed in a personal chat (`workflow.personal`): the words
    again, about it. What they start is done once, however often a choice is pressed."""
    text, tag = typed_words(press.item)
    return interpret_words(text, press.verb_id, press.actor, press.at, f"choice:{tag}")


async def check_press(uow: UnitOfWork, need: NeedText) -> None:
    """Refuse now what submitting the text would refuse (the flow's check of the command),
    so nobody types a reason into a form that can only be refused."""
    if need.command is None:
        return
    check = CHECKS.get(type(need.command))
    if check is not None:
        await check(need.command, uow)


def command_from_form(
    kind: FormKind, values: Values, context: Context, actor: PersonRef, at: datetime, zone: ZoneInfo
) -> Command:
    """The command a submitted form asks for; FieldErrors when a value can't be used.

    TEXT forms are not handled here: they finish a button press (`interpret_press`).
    """
    return _entry(kind).parse(values, context, Who(actor, at, zone), {})


async def check_form(reads: Callable[[], UnitOfWork], kind: FormKind, command: Command) -> None:
    """What the use case would refuse about a submitted form's command, asked before the
    submission is acknowledged; only a form that declares a check opens a transaction."""
    entry = FORMS.get(kind)
    if entry is not None and entry.check is not None:
        async with reads() as uow:
            await entry.check(command, uow)


def main_field(kind: FormKind) -> str:
    """Where a refusal of a whole submission is shown."""
    if kind is FormKind.TEXT:
        return "text"
    entry = FORMS.get(kind)
    return entry.main_field if entry is not None else ""


async def build_form(uow: UnitOfWork, wanted: OpenForm, identity: Identity) -> Form:
    """The form to show, after checking the person may use it; refusals say why. People
    the words named (`wanted.people`) are chosen in the user fields they were meant for."""
    entry = _entry(wanted.kind)
    if entry.opener is not None:
        form = await entry.opener(uow, wanted, identity)
    else:
        ctx = dict(wanted.context)
        project = None
        if entry.act is not None:
            project = await allowed_in(uow, identity, int(ctx["project_id"] or 0), entry.act)
        assert entry.build is not None
        form = entry.build(Opening(ctx, wanted.prefill, project))
    people = wanted.people
    fields = tuple(chosen(f, people[f.name]) if f.name in people else f for f in form.fields)
    return dataclasses.replace(form, fields=fields)


def _entry(kind: FormKind) -> FormEntry:
    """The flow's entry for a form kind; a kind no flow declares is refused in words."""
    entry = FORMS.get(kind)
    if entry is None:
        raise Refused("This form is not one clientloop knows any more; please start again.")
    return entry


def press_of(origin: Origin, pressed: Pressed, now: datetime) -> Press:
    """A press as the flows read it: what was pressed, by the origin's person, now."""
    return Press(
        pressed.verb,
        pressed.item,
        pressed.version,
        origin.actor,
        now,
        text=pressed.text,
        event_id=origin.event_id,
    )


def finish_press(origin: Origin, sent: Submitted, now: datetime) -> Command:
    """The small text form finishes a press that needed a reason, remarks or a question."""
    ctx, text = sent.context, str(sent.values.get("text") or "")
    version = ctx.get("version")
    pressed = Pressed(
        str(ctx.get("verb") or ""),
        str(ctx.get("item") or ""),
        version if isinstance(version, int) else None,
        text,
    )
    outcome = interpret_press(press_of(origin, pressed, now))
    if isinstance(outcome, NeedText):
        raise FieldErrors({"text": f"Please type the {outcome.label.lower()} first."})
    if not isinstance(outcome, Command):
        raise FieldErrors({"text": "This form has expired; please use the button again."})
    return outcome
