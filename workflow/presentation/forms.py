"""Platform-neutral forms: what a modal or an input card asks, and helpers to parse answers.

Adapters render a `Form` (Slack modal, Adaptive Card inputs) and hand back the values as
plain Python (strings, bools, PersonRef for user pickers); each flow's parser (its
`FormEntry.parse`) turns them into a command. Bad values raise `FieldErrors`, which the
dispatcher returns and the adapters show on the fields themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import ClassVar
from zoneinfo import ZoneInfo

from workflow.domain.commands import PersonRef
from workflow.domain.kinds import Kind
from workflow.domain.people import UNNAMED
from workflow.domain.projects import WEEKDAYS
from workflow.domain.signoffs import SignoffKind

Context = dict[str, str | int | None]


class FormKind(Kind):
    """The kind of a form, as it travels in Slack callback ids and Teams card data."""

    NEW_PROJECT: ClassVar[FormKind]
    PEOPLE: ClassVar[FormKind]
    SETTINGS: ClassVar[FormKind]
    CHANGE: ClassVar[FormKind]
    SIGNOFF: ClassVar[FormKind]
    REPORT: ClassVar[FormKind]
    CHECKIN: ClassVar[FormKind]
    REQUEST: ClassVar[FormKind]
    NOTICE: ClassVar[FormKind]
    FEEDBACK: ClassVar[FormKind]
    INVITE: ClassVar[FormKind]
    CLOSE: ClassVar[FormKind]
    EVALUATE: ClassVar[FormKind]
    TEXT: ClassVar[FormKind]


FormKind.NEW_PROJECT = FormKind.declare("new_project")
FormKind.PEOPLE = FormKind.declare("people")
FormKind.SETTINGS = FormKind.declare("settings")
FormKind.CHANGE = FormKind.declare("change")
FormKind.SIGNOFF = FormKind.declare("signoff")
FormKind.REPORT = FormKind.declare("report")
FormKind.CHECKIN = FormKind.declare("checkin")
FormKind.REQUEST = FormKind.declare("request")
FormKind.NOTICE = FormKind.declare("notice")
FormKind.FEEDBACK = FormKind.declare("feedback")
FormKind.INVITE = FormKind.declare("invite")
FormKind.CLOSE = FormKind.declare("close")
FormKind.EVALUATE = FormKind.declare("evaluate")
FormKind.TEXT = FormKind.declare("text")


class FieldType(StrEnum):
    TEXT = "text"
    MULTILINE = "multiline"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    TIME = "time"
    SELECT = "select"
    USER = "user"
    USERS = "users"
    CHECKBOX = "checkbox"
    URL = "url"


# A checkbox's `initial` when it starts ticked.
TICKED = "true"


@dataclass(frozen=True)
class FormField:
    """One input. A user field's `initial` is the chosen people's platform user ids, comma
    separated, and its `options` are (id, name) of those people (see `chosen`)."""

    name: str
    label: str
    type: FieldType = FieldType.TEXT
    required: bool = True
    options: tuple[tuple[str, str], ...] = ()
    initial: str = ""
    max_length: int = 3000
    hint: str = ""


@dataclass(frozen=True)
class Form:
    """A form to fill in; `context` travels with it (private_metadata, card data)."""

    kind: FormKind
    title: str
    submit: str
    fields: tuple[FormField, ...]
    context: Context = field(default_factory=dict)
    intro: str = ""

    @property
    def main_field(self) -> str:
        """Where a refusal of the whole submission is shown."""
        return self.fields[0].name if self.fields else ""


class FieldErrors(Exception):
    """Values that could not be used, by field name, each with a sentence to fix it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


WEEKDAY_OPTIONS = tuple((str(i), name.title()) for i, name in enumerate(WEEKDAYS))
RATING_OPTIONS = tuple(
    (str(n), f"{n} - {w}")
    for n, w in enumerate(("poor", "fair", "good", "very good", "great"), start=1)
)
SIGNOFF_OPTIONS = tuple((k.value, k.value.title()) for k in SignoffKind)
RAG_OPTIONS = (("green", "Green"), ("amber", "Amber"), ("red", "Red"))
VERDICT_OPTIONS = (
    ("accept", "Accept"),
    ("accept_with_remarks", "Accept with remarks"),
    ("reject", "Reject"),
)
ROLE_OPTIONS = (
    ("customer_internal", "Customer (internal)"),
    ("customer_external", "Customer (external)"),
    ("sponsor", "Sponsor"),
    ("member", "Team member"),
    ("pm", "PM"),
)
RULE_OPTIONS = (
    ("all", "Every customer"),
    ("any", "Any one customer"),
    ("quorum", "A quorum of customers"),
)
ORDER_OPTIONS = (
    ("parallel", "In parallel"),
    ("sponsor_first", "Sponsor first"),
    ("customer_first", "Customers first"),
)


def text_value(values: dict[str, object], name: str) -> str:
    value = values.get(name)
    return value.strip() if isinstance(value, str) else ""


def parse_int(
    values: dict[str, object], name: str, errors: dict[str, str], default: int = 0
) -> int:
    raw = text_value(values, name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        errors[name] = "Please type a whole number, e.g. 3 or -2."
        return default


def parse_date(values: dict[str, object], name: str, errors: dict[str, str]) -> date | None:
    raw = text_value(values, name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = "Please give a date like 2027-01-31."
        return None


def parse_time(values: dict[str, object], name: str, errors: dict[str, str]) -> time | None:
    raw = text_value(values, name)
    try:
        parsed = time.fromisoformat(raw)
    except ValueError:
        errors[name] = "Please give a time like 09:30."
        return None
    return parsed.replace(second=0, microsecond=0)


def end_of_day(day: date | None, zone: ZoneInfo) -> datetime | None:
    """A due date means the end of that day where the person who set it lives."""
    if day is None:
        return None
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=zone)


Values = dict[str, object]


Errors = dict[str, str]


@dataclass(frozen=True)
class Who:
    """Who submitted the form, when, and the zone their dates and times mean."""

    actor: PersonRef
    at: datetime
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))


def people_of(values: Values, name: str) -> tuple[PersonRef, ...]:
    value = values.get(name)
    if isinstance(value, PersonRef):
        return (value,)
    if isinstance(value, tuple | list):
        return tuple(v for v in value if isinstance(v, PersonRef))
    return ()


def need_int(context: Context, key: str) -> int:
    value = context.get(key)
    if not isinstance(value, int):
        raise FieldErrors({"": f"the form lost its {key}; please start again"})
    return value


def opt_int(context: Context, key: str) -> int | None:
    value = context.get(key)
    return value if isinstance(value, int) else None


def raise_errors(errors: Errors) -> None:
    if errors:
        raise FieldErrors(errors)


F, T = FormField, FieldType


def chosen(user_field: FormField, people: tuple[PersonRef, ...]) -> FormField:
    """A user field with `people` already chosen; a single-user field takes the first."""
    if user_field.type not in (T.USER, T.USERS) or not people:
        return user_field
    picked = people[:1] if user_field.type is T.USER else tuple(dict.fromkeys(people))
    ids = tuple((p.identity.user_id, p.display_name or UNNAMED) for p in picked)
    return replace(user_field, initial=",".join(i for i, _ in ids), options=ids)


def text_form(context: Context, label: str, required: bool = True) -> Form:
    """The small form for a reason, remarks, question, comment or answer before a button acts."""
    return Form(
        FormKind.TEXT,
        label[:24],
        "Send",
        (F("text", label, T.MULTILINE, required=required),),
        context,
    )
