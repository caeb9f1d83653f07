"""Hypothesis strategies for what anyone can post to /slack/events (test_slack_fuzz sends them).

A request is what a person in the workspace (or an attacker who has the signing secret) can
send: `/loop` with any words, a click with any action id and value, a modal submission
with any callback id, private_metadata and state, an event (App Home, a DM to the bot),
or signed JSON that is no Slack request at all; `must_write_nothing` says which of them
only a refusal answers rightly.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from tests.e2e.slack_world import ALICE, CAROL, MO, PM, SAM
from workflow.flows import ITEMS, WORDS
from workflow.presentation.forms import FormKind

Json = dict[str, Any]
STRANGER = "UMALLORY"  # in the workspace, part of no project
HUGE = 2**63
HUGE_ID = re.compile(r"[0-9]{19,}")
USERS = [PM, CAROL, ALICE, SAM, MO, STRANGER]
CHANNELS = ["C0001", "C0002", "DUPM", "G0001"]
FORMS = sorted(k.value for k in FormKind.declared())
VERBS = ["approve", "reject", "ask", "edit", "withdraw", "answer", "evaluate", "yes", "no",
         "accept", "decline", "acknowledge", "dispute", "comment", "approve_with_remarks", "draft",
         "convert", "propose", "note", "start_request", "start_notice", "start_feedback",
         "show_pending", "answer_question:1", "nope"]  # fmt: skip
DATES = ["2027-13-45", "0000-00-00", "someday", "Mars/Base", "2027-01-04", "9999-12-31",
         "2027-02-30", "-1", "tomorrow", "1e400", "99999999999999999999"]  # fmt: skip
ELEMENTS = ["plain_text_input", "number_input", "datepicker", "timepicker", "static_select",
            "users_select", "multi_users_select", "checkboxes", "nonsense"]  # fmt: skip
FIELDS = ["title", "description", "schedule_days", "cost", "reason", "name", "key", "text",
          "rating", "period", "rag", "summary", "date", "checkin_day", "checkin_time",
          "customers_internal", "customers_external", "sponsor", "members", "changed"]  # fmt: skip

numbers = st.one_of(
    st.integers(0, 4),  # the rows there are: project 1, change request 1, ...
    st.integers(-(2**70), 2**70),
    st.sampled_from([HUGE, HUGE - 1, -HUGE, 10**19, 10**30]),
)
text = st.one_of(
    st.text(max_size=30), st.sampled_from(["", " ", "é", "💥", "\u202e", "<!channel>"])
)
junk = st.one_of(
    st.none(),
    st.booleans(),
    numbers,
    st.floats(allow_nan=False),
    text,
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)
words = st.one_of(
    st.sampled_from(sorted(WORDS)),
    st.builds(
        "{} {}".format,
        st.sampled_from(["away until", "away", "checkin", "pending"]),
        st.one_of(st.sampled_from(DATES), numbers.map(str)),
    ),
    st.builds("{} {}".format, st.sampled_from(sorted(WORDS)), text),
    text,
)
items = st.one_of(
    st.builds("{}:{}".format, st.sampled_from([*ITEMS, "x", ""]), numbers),
    st.builds("{}:{}".format, st.sampled_from(list(ITEMS)), st.integers(1, 2)),
    text,
)
values = st.one_of(st.builds("{}:{}".format, items, st.one_of(st.just(""), numbers)), text)
action_ids = st.one_of(
    st.sampled_from(VERBS).map("cl.{}".format),
    numbers.map("cl.answer_question:{}".format),
    text,
)
metadata = st.one_of(
    st.builds(
        lambda ctx, ch: json.dumps({"ctx": ctx, "channel": ch}),
        st.dictionaries(
            st.sampled_from(
                ["project_id", "item", "version", "verb", "platform", "workspace_id", "channel_id"]
            ),
            st.one_of(numbers, text, junk),
            max_size=4,
        ),
        st.one_of(st.sampled_from(CHANNELS), junk),
    ),
    text,
)
TYPED = ["", "1", "3", "1200", "-5", "2027-01-05", "2027-13-45", "09:30", "25:99", "amber",
         "yes", "WEB", PM, CAROL, "UNOBODY"]  # fmt: skip
typed = st.one_of(st.sampled_from(TYPED), text, numbers.map(str))
element = st.builds(
    lambda kind, value: {
        "type": kind,
        "value": value,
        "selected_date": value,
        "selected_time": value,
        "selected_option": {"value": value},
        "selected_user": value,
        "selected_users": [value],
        "selected_options": [{"value": value}],
    },
    st.sampled_from(ELEMENTS),
    typed,
)
state = st.dictionaries(st.sampled_from(FIELDS), element.map(lambda e: {"a": e}), max_size=6)
json_values = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8)
    ),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=16,
)


@dataclass(frozen=True)
class Loop:
    who: str
    text: str
    channel: str


@dataclass(frozen=True)
class Click:
    who: str
    action_id: str
    value: str
    channel: str


@dataclass(frozen=True)
class Submit:
    who: str
    callback_id: str
    metadata: str
    state: Json
    view_id: str


@dataclass(frozen=True)
class Event:
    who: str
    kind: str  # "home", "dm", or a subtype of a DM message
    text: str
    event_id: str


@dataclass(frozen=True)
class Shortcut:
    who: str
    callback_id: str
    text: str


@dataclass(frozen=True)
class Raw:
    body: Any
    as_payload: bool


people = st.sampled_from(USERS)
callbacks = st.one_of(
    st.sampled_from(FORMS).map("cl_form:{}".format), text.map("cl_form:{}".format)
)
requests = st.one_of(
    st.builds(Loop, people, words, st.sampled_from(CHANNELS)),
    st.builds(Click, people, action_ids, values, st.sampled_from(CHANNELS)),
    st.builds(Submit, people, callbacks, metadata, state, st.sampled_from(["V1", "V2", "VX"])),
    st.builds(
        Event,
        people,
        st.sampled_from(["home", "dm", "dm", "message_changed", "bot"]),
        words,
        # Mostly new events, sometimes Slack's retry of one already seen.
        st.one_of(st.integers(0, 10**9).map("Ev{}".format), st.sampled_from(["EvA", "EvB"])),
    ),
    st.builds(Shortcut, people, st.sampled_from(["send_as_request", "other"]), text),
    st.builds(Raw, json_values, st.booleans()),
)
Request = Loop | Click | Submit | Event | Shortcut | Raw


def must_write_nothing(request: Request) -> bool:
    """Whether only a refusal is right: no Slack request at all, a click or a submission by
    someone in no project (but setting up a project of their own), or one naming a form or
    an id clientloop never made. Words may set a person's own things (away)."""
    if isinstance(request, Raw):
        return True
    if isinstance(request, Event):
        return request.kind != "dm"
    if isinstance(request, Shortcut):
        return True  # it opens a form at most
    if isinstance(request, Click):
        return request.who == STRANGER or bool(HUGE_ID.search(request.value))
    if isinstance(request, Submit):
        kind = request.callback_id.removeprefix("cl_form:")
        if kind == FormKind.NEW_PROJECT.value:
            return False
        return request.who == STRANGER or kind not in FORMS or _names_a_huge_id(request.metadata)
    return False


def _names_a_huge_id(metadata: str) -> bool:
    """Whether the form's context names an item, version or project no row can have."""
    try:
        data = json.loads(metadata)
    except ValueError:
        return False
    ctx = data.get("ctx") if isinstance(data, dict) else None
    named = [ctx.get(k) for k in ("project_id", "item", "version")] if isinstance(ctx, dict) else []
    return any(
        (isinstance(v, int) and abs(v) >= HUGE) or (isinstance(v, str) and HUGE_ID.search(v))
        for v in named
    )
