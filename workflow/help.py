"""The help text: the words a person may use here first, then, to a newcomer, what clientloop
does and what each role can do once a project exists.

Words and who may use them come from the flows' tables (`WORDS`), so a new word shows up
here by itself; only the few sentences about clientloop and its roles are written by hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from workflow.domain.permissions import may
from workflow.domain.projects import Project, Role
from workflow.flows import WORDS
from workflow.flows.flow import Word

ABOUT = (
    "clientloop keeps a project's customer in the loop, in chat. The PM asks for decisions "
    "(change requests, sign-offs, status reports) and customers answer with the buttons on "
    "the messages they get; every week each customer gets a short check-in, and whatever is "
    "still open is chased until it is decided. Every answer is recorded: who said what, when, "
    "about which version."
)
# Each role: how help names it, who holds it, and what it does beyond its words.
ROLES = (
    (Role.PM, "PM", "whoever sets the project up, and the PMs they add", "runs the project"),
    (
        Role.CUSTOMER,
        "Customer",
        "internal or external",
        "approves or rejects what is addressed to them, reviews status reports, answers "
        "the weekly check-in and evaluates the project at the end, with the buttons on "
        "clientloop's messages",
    ),
    (
        Role.SPONSOR,
        "Sponsor",
        "internal; needed when a customer is external",
        "decides on change requests too, balancing the customer's demands with the company's",
    ),
    (Role.MEMBER, "Team member", "the project team", "follows the project and decides nothing"),
)
NAMES = {role: name if role is Role.PM else name.lower() for role, name, _, _ in ROLES}


@dataclass(frozen=True)
class Style:
    """How a platform writes help: the command prefix ("/loop ", "@clientloop "), what
    separates lines, and whether it is a personal chat (words there take no prefix)."""

    prefix: str
    between: str = "\n"
    personal: bool = False

    @property
    def shown(self) -> str:
        return "" if self.personal else self.prefix


def may_use(word: Word, project: Project | None, person_id: int | None) -> bool:
    """Whether `word` does something for this person here now."""
    if word.act is not None:
        return project is not None and person_id is not None and may(project, person_id, word.act)
    if word.needs_project:  # anyone taking part in the project
        return project is not None and person_id is not None and bool(project.roles_of(person_id))
    return project is None and word.word != "help"  # `new`: only where there is no project


def help_lines(project: Project | None, person_id: int | None, prefix: str) -> list[str]:
    """The words this person may use here, as `prefix word` lines, `help` last."""
    words = [w for w in WORDS.values() if may_use(w, project, person_id)] + [WORDS["help"]]
    return [f"`{prefix}{w.usage}` {w.does}" for w in words]


def help_text(project: Project | None, person_id: int | None, style: Style, note: str = "") -> str:
    """The whole help: what the person may do here now, then, to a newcomer (someone not in
    this channel's project, or anyone where there is none), what clientloop is and does."""
    roles = project.roles_of(person_id) if project and person_id is not None else frozenset()
    if project is None and not style.personal:
        note = note or "This channel has no project yet."
    now = [_lead(note, project, roles), *_now(project, person_id, style)]
    if roles:
        return style.between.join(now)
    blocks = [now, [ABOUT], _roles(project, style)]
    return "\n\n".join(style.between.join(block) for block in blocks)


def _lead(note: str, project: Project | None, roles: Iterable[Role]) -> str:
    names = " and ".join(NAMES[r] for r, *_ in ROLES if r in set(roles))
    where = f", as {names} of {project.key} ({project.name})" if project and names else ""
    return f"{note} Here is what you can do here{where}:".lstrip()


def _now(project: Project | None, person_id: int | None, style: Style) -> list[str]:
    if style.personal and project is None:  # a project is set up in its own channel
        words = [w for w in help_lines(None, person_id, "") if not w.startswith("`new`")]
        return [*words, f"To set up a project, type `{style.prefix}new` in the channel it is for."]
    lines = help_lines(project, person_id, style.shown)
    if project is not None and not (person_id is not None and project.roles_of(person_id)):
        lines.append(
            f"You are not part of {project.key}; a PM can add you with `{style.shown}people`."
        )
    return lines


def _roles(project: Project | None, style: Style) -> list[str]:
    """What each role can do once the person is in a project, with the words of each."""
    if project is not None:
        head = f"What each role can do in {project.key}:"
    elif style.personal:
        head = "What each role can do in a project:"
    else:
        head = "Once a project exists here:"
    lines = [head]
    for role, name, who, does in ROLES:
        words = [w.word for w in WORDS.values() if w.act is not None and role in w.act.roles]
        listed = ", ".join(f"`{w}`" for w in words)
        lines.append(f"• {name} ({who}): {does}" + (f"; words: {listed}." if words else "."))
    return lines
