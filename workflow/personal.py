"""Words typed in a personal chat (a Teams personal chat, the bot's Slack DM): their project.

Such a chat belongs to no project, so the project comes from the person: the key written
after the command word (`request WEB …`), else their one open project, else they choose on
a card whose buttons (`choose_project:<id>`) carry the words, made again for that project
(`workflow.interpreter`). A press of one is checked here like any other: where it was
pressed, and that the person takes part in the project.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime

from workflow.domain.errors import Refused
from workflow.domain.projects import KEY_PATTERN, Project, ProjectState
from workflow.domain.views import Button, View, ViewKind
from workflow.flows import ALIASES, WORDS
from workflow.flows.views import views_of
from workflow.help import Style, help_lines
from workflow.origins import require_here
from workflow.ports import Here, UnitOfWork
from workflow.presentation.answers import Answer, Origin, Pressed, Words
from workflow.presentation.presses import (
    CHOOSE_PROJECT,
    MAX_CHOICE_WORDS,
    Show,
    ShowWhat,
    words_item,
)
from workflow.presentation.words import Here as WordsHere
from workflow.presentation.words import split

MAX_CHOICES = 6  # Teams shows at most six buttons in one set; more projects: type the key


def key_of(text: str) -> tuple[str | None, str]:
    """The project key written as the first word after the command word, and the words
    without it; (None, text) when that word can't be a key. A key is written in capitals
    (`request WEB Add SSO`), or in any case when nothing follows it (`pending web`), so
    that `request app crashes` stays a request about an app."""
    parts = text.strip().split(maxsplit=2)
    if len(parts) < 2 or not KEY_PATTERN.match(parts[1].upper()):
        return None, text
    if len(parts) == 3 and not parts[1].isupper():
        return None, text
    return parts[1].upper(), " ".join((parts[0], *parts[2:]))


async def pick(
    uow: UnitOfWork, origin: Origin, here: Here, words: Words, now: datetime, style: Style
) -> tuple[Here, Words] | Answer:
    """Where words typed in a personal chat are about: the project named by its key, or
    the person's one open project (the key taken out of the words); else, when the words
    need a project, the question which one (or, for a key not theirs, a sentence saying
    which are theirs). Help there lists the words of all their projects."""
    if here.viewer is None:
        return here, words
    projects, names = await views_of(uow).open_projects_of(here.viewer)
    key, rest = key_of(words.text)
    if key is not None and (named := [p for p in projects if p.key == key]):
        projects, words = named, dataclasses.replace(words, text=rest)
    elif key is not None and await _known_key(uow, origin, key):
        return Answer(not_yours(key, projects, split(words.text, ALIASES)[0]), refused=True)
    if len(projects) == 1:
        return Here(here.viewer, projects[0], names), words
    if not projects:
        return here, words
    shown = _needs_project(words, origin, now)
    if shown is None:
        return here, words
    word = split(words.text, ALIASES)[0]
    if word not in WORDS or word == "help":
        return Answer(several_help(projects, here.viewer, style, shown.note))
    return choice(words.text, projects, origin.event_id)


def _needs_project(words: Words, origin: Origin, now: datetime) -> Show | None:
    """The help the words come to without a project (the words need one), else None."""
    word, rest = split(words.text, ALIASES)
    entry = WORDS.get(word)
    if entry is None:
        return Show(ShowWhat.HELP, None, note=f"I don't know '{word}'.")
    if entry.needs_project:
        return Show(ShowWhat.HELP, None)
    try:
        outcome = entry.start(rest, WordsHere(None, origin.actor, now, None, words.mentions))
    except Refused:
        return None  # the words say what is wrong themselves, when they are carried out
    return outcome if isinstance(outcome, Show) and outcome.project_id is None else None


async def _known_key(uow: UnitOfWork, origin: Origin, key: str) -> bool:
    """Whether a project of the origin's workspace has this key (a capitalised word that
    names none is only a word: `request SSO for all`)."""
    found = await uow.workspaces.find(platform=origin.platform, external_id=origin.workspace_id)
    return bool(found) and bool(await uow.projects.find(workspace_id=found[0].id, key=key))


def named(projects: Sequence[Project]) -> str:
    return ", ".join(f"{p.key} ({p.name})" for p in projects)


def not_yours(key: str, projects: Sequence[Project], word: str) -> str:
    """The refusal of a key of a project the person takes no part in (or that is closed),
    naming theirs."""
    if not projects:
        return f"{key} is not one of your projects, and you take part in no open project."
    example = f"`{word} {projects[0].key} …`"
    return f"{key} is not one of your open projects. Yours: {named(projects)}; write {example}."


def choice(text: str, projects: Sequence[Project], event_id: str | None = None) -> Answer:
    """Which project the words are for: a button per project, each making the words again
    for it; words too long for a button's data are asked to be typed with the key."""
    word = split(text, ALIASES)[0]
    how = f"or type the key after the word: `{word} {projects[0].key} …`"
    if len(text.encode()) > MAX_CHOICE_WORDS:
        return Answer(f"Which project is this for? Your projects: {named(projects)}; {how}.")
    item = words_item(text, event_id)
    buttons = tuple(
        Button(f"{CHOOSE_PROJECT}:{p.id}", f"{p.key} — {p.name}", item)
        for p in projects[:MAX_CHOICES]
    )
    more = f" Your projects: {named(projects)}." if len(projects) > MAX_CHOICES else ""
    said = f"“{text}” is for which of your projects? Choose one, {how}.{more}"
    return Answer(view=View(ViewKind.INFO, "Which project?", said, buttons=buttons))


def several_help(projects: Sequence[Project], viewer: int, style: Style, note: str = "") -> str:
    """Help in the personal chat of someone in several projects: the words of them all."""
    lines = [line for p in projects for line in help_lines(p, viewer, "")]
    last = help_lines(None, viewer, "")[-1]  # `help`, last
    unique = [line for line in dict.fromkeys(lines) if line != last] + [last]
    lead = f"{note} Here is what you can do here, in your projects {named(projects)}:"
    tip = (
        f"Write the project's key after the word (`request {projects[0].key} …`), or the word "
        "alone and choose the project."
    )
    return style.between.join([lead.lstrip(), *unique, tip])


async def check_choice(uow: UnitOfWork, origin: Origin, pressed: Pressed) -> None:
    """A project chosen on the choice card is checked as any press: where it was pressed
    (never another project's channel), and that the person takes part in that project."""
    verb, _, raw = pressed.verb.partition(":")
    if verb != CHOOSE_PROJECT:
        return
    project_id = int(raw) if raw.isdigit() and len(raw) <= 18 else 0
    await require_here(uow, origin, [("project", project_id)])
    project = await uow.projects.get(project_id) if project_id else None
    viewer = await views_of(uow).person_id(origin.identity)
    if project is None or project.state is ProjectState.CLOSED:
        raise Refused("That project is closed or gone; nothing was sent.")
    if viewer is None or not project.roles_of(viewer):
        raise Refused(f"You are not part of {project.key}, so nothing was sent there.")
