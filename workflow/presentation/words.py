"""The command words (`/loop change`, `@clientloop change`), their help, and what each means."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from workflow.domain import commands as c
from workflow.domain.commands import PersonRef
from workflow.domain.errors import Refused
from workflow.domain.permissions import Act, allowed_acts
from workflow.domain.projects import Project
from workflow.presentation.forms import Context, FormKind
from workflow.presentation.presses import OpenForm, Outcome, Show, ShowWhat


@dataclass(frozen=True)
class Word:
    word: str
    usage: str
    does: str
    act: Act | None  # None: anyone in the project (or anyone at all, for help and new)


WORDS = (
    Word("help", "help", "what you can do here", None),
    Word("new", "new", "set up a project in this channel", None),
    Word(
        "people", "people", "add or remove PMs, customers, the sponsor, members", Act.MANAGE_PEOPLE
    ),
    Word("change", "change", "propose a change request for approval", Act.CHANGE),
    Word("signoff", "signoff charter|scope|plan|final", "ask for a sign-off", Act.SIGNOFF),
    Word("report", "report", "post a status report for the customers to review", Act.REPORT),
    Word(
        "checkin",
        "checkin [now]",
        "check-in day, time and approval policy; or send now",
        Act.CHECKIN_SETTINGS,
    ),
    Word("pending", "pending", "what waits on whom, and for how long", Act.PENDING),
    Word("request", "request [text]", "send the team a request", Act.SEND_REQUEST),
    Word("notice", "notice [text]", "tell the team about a change on your side", Act.SEND_NOTICE),
    Word("feedback", "feedback [text]", "send the PMs feedback", Act.SEND_FEEDBACK),
    Word("invite", "invite", "ask a customer to join a meeting or review", Act.INVITE),
    Word("away", "away until 2027-01-04 | away off", "pause your check-ins while away", Act.AWAY),
    Word("digest", "digest", "the weekly PM digest, now", Act.DIGEST),
    Word("export", "export", "download feedback, decisions and the audit trail (CSV)", Act.EXPORT),
    Word("close", "close [now]", "ask for the final evaluation, or close now", Act.CLOSE),
)
BY_WORD = {w.word: w for w in WORDS}
ALIASES = {
    "?": "help",
    "cr": "change",
    "sign-off": "signoff",
    "sign": "signoff",
    "status": "report",
    "setup": "new",
    "settings": "checkin",
    "back": "away",
}


def split(text: str) -> tuple[str, str]:
    """The command word (lower case, aliases resolved) and the rest of the text."""
    parts = text.strip().split(maxsplit=1)
    if not parts:
        return "help", ""
    word = ALIASES.get(parts[0].lower(), parts[0].lower())
    rest = parts[1].strip() if len(parts) > 1 else ""
    if parts[0].lower() == "back":
        rest = "off"
    return word, rest


def help_lines(project: Project | None, person_id: int | None, prefix: str) -> list[str]:
    """The words this person may use here, as `prefix word` lines."""
    acts = set(allowed_acts(project, person_id))
    lines = [f"`{prefix} help` {BY_WORD['help'].does}"]
    if project is None:
        lines.append(f"`{prefix} new` {BY_WORD['new'].does}")
    for word in WORDS:
        if word.act is not None and word.act in acts:
            lines.append(f"`{prefix} {word.usage}` {word.does}")
    return lines


def interpret(
    text: str, project_id: int | None, actor: PersonRef, at: datetime, event_id: str | None = None
) -> Outcome:
    """What the words ask for. Unknown words show the help (with a note), never an error."""
    word, rest = split(text)
    if word not in BY_WORD:
        return Show(ShowWhat.HELP, project_id, note=f"I don't know '{word}'.")
    if word == "help":
        return Show(ShowWhat.HELP, project_id)
    if word == "new":
        return OpenForm(FormKind.NEW_PROJECT)
    if word == "away":
        return c.SetAway(
            actor=actor, at=at, event_id=event_id, project_id=project_id, until=_away_until(rest)
        )
    if project_id is None:
        return Show(ShowWhat.HELP, None, note="This channel has no project yet.")
    return _in_project(word, rest, project_id, actor, at, event_id)


def _in_project(
    word: str, rest: str, project_id: int, actor: PersonRef, at: datetime, event_id: str | None
) -> Outcome:
    ctx: Context = {"project_id": project_id}
    now = rest.lower() == "now"
    if word == "checkin" and now:
        return c.SendCheckIns(actor=actor, at=at, event_id=event_id, project_id=project_id)
    if word == "close" and now:
        return c.CloseProject(actor=actor, at=at, event_id=event_id, project_id=project_id)
    if word in ("pending", "digest", "export"):
        return Show(ShowWhat(word), project_id)
    if word in ("request", "notice", "feedback") and rest:
        return _quick_send(word, rest, project_id, actor, at, event_id)
    forms = {
        "people": FormKind.PEOPLE,
        "change": FormKind.CHANGE,
        "report": FormKind.REPORT,
        "checkin": FormKind.SETTINGS,
        "request": FormKind.REQUEST,
        "notice": FormKind.NOTICE,
        "feedback": FormKind.FEEDBACK,
        "invite": FormKind.INVITE,
        "close": FormKind.CLOSE,
        "signoff": FormKind.SIGNOFF,
    }
    prefill = {"kind": rest.lower()} if word == "signoff" and rest else {}
    return OpenForm(forms[word], ctx, prefill)


def _quick_send(
    word: str, text: str, project_id: int, actor: PersonRef, at: datetime, event_id: str | None
) -> c.Command:
    if word == "request":
        return c.SendRequest(
            actor=actor, at=at, event_id=event_id, project_id=project_id, text=text
        )
    if word == "notice":
        return c.SendNotice(actor=actor, at=at, event_id=event_id, project_id=project_id, what=text)
    return c.SendFeedback(actor=actor, at=at, event_id=event_id, project_id=project_id, text=text)


def _away_until(rest: str) -> date | None:
    words = rest.lower().split()
    if not words:
        raise Refused(
            "Write `away until 2027-01-04` to pause your check-ins, and "
            "`away off` when you are back."
        )
    if words in (["off"], ["back"], ["none"]):
        return None
    raw = words[-1]
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Refused(
            f"'{raw}' is not a date: write `away until 2027-01-04`, or "
            "`away off` when you are back."
        ) from None
