"""A button press and what it can come to: a command, a form to open, or something to show.

Each flow says what its buttons mean (`Item.press`); `workflow.interpreter` looks them up,
so a click means the same on Slack and on Teams. A press whose button needs typed text (a
reason, remarks, a question) first comes back as `NeedText`; the adapter asks for the text
and the press is made again with it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from workflow.domain import commands as c
from workflow.domain.commands import PersonRef
from workflow.domain.errors import Refused
from workflow.presentation.forms import Context, FormKind

GONE = "That button no longer points at anything; please use a newer message."
# Ids are the database's 64-bit integers: a larger number names no row (and would overflow
# a query), so card, form and button data holding one can only have been tampered with.
BIGGEST_ID = 2**63 - 1
# A project chosen for words typed in a personal chat ("choose_project:12"); the button's
# item carries the words (`words_item`), in at most this many bytes.
CHOOSE_PROJECT = "choose_project"
MAX_CHOICE_WORDS = 600
_WORDS_ITEM = re.compile(r"^words:(?P<letters>(?:[a-p]{2})+):(?P<tag>[0-9]{1,18})$")


class ShowWhat(StrEnum):
    HELP = "help"
    PENDING = "pending"
    DIGEST = "digest"
    EXPORT = "export"


@dataclass(frozen=True)
class OpenForm:
    """A form to open; `prefill` holds typed values, `people` those chosen in user fields."""

    kind: FormKind
    context: Context = field(default_factory=dict)
    prefill: dict[str, str] = field(default_factory=dict)
    people: dict[str, tuple[PersonRef, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Show:
    what: ShowWhat
    project_id: int | None = None
    note: str = ""
    formats: tuple[str, ...] = ()  # an export's formats ("csv", "json"); none named: all


@dataclass(frozen=True)
class NeedText:
    """A press that needs typed text first; `command` is what it makes without the text,
    which the flow's check asks of before the form opens (None: nothing to check)."""

    label: str
    required: bool
    context: Context
    command: c.Command | None = None


Outcome = c.Command | OpenForm | Show | NeedText


@dataclass(frozen=True)
class Press:
    """One button press: the verb, the item and version it was shown with, and who pressed."""

    verb: str
    item: str
    version: int | None
    actor: PersonRef
    at: datetime
    text: str | None = None
    event_id: str | None = None

    @property
    def kind(self) -> str:
        return self.item.split(":", 1)[0]

    @property
    def item_id(self) -> int:
        try:
            return int(self.item.split(":", 1)[1])
        except (IndexError, ValueError):
            raise Refused(GONE) from None

    @property
    def verb_id(self) -> int:
        """The id a verb carries after its name ("answer_question:7" -> 7)."""
        try:
            return int(self.verb.split(":", 1)[1])
        except (IndexError, ValueError):
            raise Refused(GONE) from None

    @property
    def base_verb(self) -> str:
        return self.verb.split(":", 1)[0]


def words_item(text: str, event_id: str | None = None) -> str:
    """The item of a choice button: the words, as letters a-p (a Slack button's value holds
    only letters, digits and colons), and a number naming the message they were typed in,
    so that pressing twice (or a second project) does them once."""
    letters = "".join(chr(97 + (b >> 4)) + chr(97 + (b & 15)) for b in text.encode())
    digest = hashlib.sha256(f"{event_id or ''}\n{text}".encode()).digest()
    return f"words:{letters}:{int.from_bytes(digest[:7], 'big')}"


def typed_words(item: str) -> tuple[str, str]:
    """The words a choice button carries, and the tag of the message they were typed in."""
    found = _WORDS_ITEM.match(item)
    if found is None:
        raise Refused(GONE)
    letters = found["letters"]
    pairs = (letters[i : i + 2] for i in range(0, len(letters), 2))
    try:
        return bytes((ord(p[0]) - 97) * 16 + ord(p[1]) - 97 for p in pairs).decode(), found["tag"]
    except UnicodeDecodeError:
        raise Refused(GONE) from None
