"""Hypothesis strategies for what anyone can post to /api/messages (test_teams_fuzz sends them).

A request is what a person (or an attacker with a channel) can send: words to the bot in a
personal chat or with an @mention, an `adaptiveCard/action` invoke with any verb and data
(ids of real items, huge or negative ids, wrong types, a forged `ctx`), an activity of
another kind or with odd fields, or JSON that is no activity at all; `must_write_nothing`
says which of them only a refusal can answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from tests.e2e.teams_client import TENANT
from tests.e2e.teams_world import PEOPLE
from workflow.flows import ITEMS, WORDS
from workflow.presentation.forms import FormKind

STRANGER = "mallory"  # in the tenant, part of no project
PERSONAL = "personal chat"
HUGE = 2**63

VERBS = ["approve", "reject", "ask", "edit", "withdraw", "answer", "evaluate", "yes", "no",
         "accept", "decline", "acknowledge", "dispute", "comment", "approve_with_remarks",
         "draft", "convert", "propose", "note", "noted", "start_request", "refresh",
         "submit_form", "answer_question:1", "answer_question:99999999999999999999"]  # fmt: skip
FORMS = [*sorted(FormKind.declared()), "", "nope", "new_project "]
CTX_KEYS = ["project_id", "item", "version", "verb", "platform", "workspace_id", "channel_id"]
FORGED = ["slack", "teams", "TVICTIM", "CVICTIM", "19:victim@thread.tacv2", TENANT,
          "0ther000-0000-4000-8000-00000000te02", "a:1personal-aad-pam"]  # fmt: skip
# Whole places a forged context may name: a Slack channel, another tenant's channel, ours.
PLACES = [
    {"platform": "slack", "workspace_id": "TVICTIM", "channel_id": "CVICTIM"},
    {"platform": "teams", "workspace_id": FORGED[6], "channel_id": FORGED[4]},
    {"platform": "teams", "workspace_id": TENANT, "channel_id": "19:web@thread.tacv2"},
]
DATES = ["2027-13-45", "0000-00-00", "someday", "Mars/Base", "2027-01-04", "9999-12-31",
         "2027-02-30", "-1", "99999999999999999999", "tomorrow", "next week"]  # fmt: skip


def mostly(common: st.SearchStrategy[Any], rare: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`common` three times in four, else `rare` (st.one_of flattens a one_of argument, so
    each of its branches would weigh as much as `common`)."""
    return st.integers(0, 3).flatmap(lambda n: rare if n == 0 else common)


floats = st.floats(allow_nan=False, allow_infinity=False)  # what JSON can carry
ids = mostly(
    st.integers(0, 4),  # the rows there are: project 1, change request 1, ...
    st.one_of(
        st.integers(-(2**70), 2**70),
        st.sampled_from([HUGE, HUGE - 1, -HUGE, 10**19, 12345678901234567890]),
    ),
)
junk = st.one_of(
    st.none(),
    st.booleans(),
    ids,
    floats,
    st.text(max_size=12),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)
items = mostly(
    st.builds(lambda kind, n: f"{kind}:{n}", st.sampled_from([*ITEMS, "x"]), ids),
    st.one_of(st.text(max_size=20), junk),
)
words = st.one_of(
    st.sampled_from(sorted(WORDS)),
    st.builds(
        lambda w, d: f"{w} {d}",
        st.sampled_from(["away until", "away", "checkin", "signoff", "request"]),
        st.sampled_from(DATES),
    ),
    st.builds(lambda w, t: f"{w} {t}", st.sampled_from(sorted(WORDS)), st.text(max_size=30)),
    st.text(max_size=60),
)
origin = st.sampled_from(FORGED)
ctx = mostly(
    st.one_of(
        st.fixed_dictionaries({"project_id": ids}),
        st.fixed_dictionaries({"project_id": ids}, optional=dict.fromkeys(CTX_KEYS[1:], ids)),
        st.fixed_dictionaries(dict.fromkeys(CTX_KEYS[4:], origin)),  # a forged origin
    ),
    st.one_of(st.dictionaries(st.sampled_from(CTX_KEYS), st.one_of(origin, junk)), junk),
)
# What a person types into a form: mostly plausible values, sometimes anything.
typed = mostly(
    st.sampled_from(["", "1", "3", "1200", "-5", "2027-01-05", "2027-13-45", "09:30", "25:99",
                     "amber", "accept", "true", "WEB", "aad-carol", "aad-alice,aad-nobody"]),
    st.one_of(st.text(max_size=30), junk),
)  # fmt: skip
FIELDS = ["title", "schedule_days", "cost", "reason", "name", "key", "text", "rating", "period",
          "rag", "summary", "invitee", "what", "date", "deliverables", "verdict_0",
          "process_rating", "checkin_day", "checkin_time", "customers_internal", "sponsor",
          "customers_external", "members", "users", "role", "remove", "changed"]  # fmt: skip
types = st.dictionaries(st.sampled_from(FIELDS), st.sampled_from(["user", "users", "checkbox"]))
submit_data = st.builds(
    lambda form, context, types, values: {"form": form, "ctx": context, "types": types, **values},
    mostly(st.sampled_from(FORMS), junk),
    ctx,
    mostly(types, junk),
    st.dictionaries(st.sampled_from(FIELDS), typed, max_size=6),
)
# A new-project form filled in well, its context naming another place (issue 10, finding 1).
hijack_data = st.builds(
    lambda place, key: {"form": "new_project", "ctx": place, "types": {}, "name": "Hijack",
                        "key": key, "checkin_day": "2", "checkin_time": "09:30"},
    st.one_of(st.sampled_from(PLACES), ctx),
    st.from_regex(r"[A-Z][A-Z0-9]{1,9}", fullmatch=True),
)  # fmt: skip
press_data = st.fixed_dictionaries(
    {"item": items},
    optional={
        "version": mostly(st.integers(1, 3), ids),
        "verb": mostly(st.sampled_from(VERBS), junk),
        "input": mostly(st.sampled_from(["text", "reason"]), junk),
        "text": typed,
        "reason": typed,
    },
)
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), floats, st.text(max_size=10)),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)
people = st.sampled_from([*PEOPLE, STRANGER])
verbs = st.sampled_from(VERBS)
where = st.sampled_from([PERSONAL, "web", "old"])


@dataclass(frozen=True)
class Say:
    """Words to the bot: in a personal chat, or with an @mention in a channel."""

    who: str
    text: str
    where: str  # PERSONAL or a channel's name


@dataclass(frozen=True)
class Press:
    """An `adaptiveCard/action` invoke: a button or a form card's submit."""

    who: str
    verb: Any
    data: Any
    where: str


@dataclass(frozen=True)
class Raw:
    """Any JSON, posted as the body."""

    body: Any


@dataclass(frozen=True)
class Odd:
    """An activity of some `kind` (a builder of teams_client) with fields replaced."""

    who: str
    kind: str
    changed: dict[str, Any]
    where: str


KINDS = ["message", "mention", "card_action", "installation_update", "bot_added", "bot_removed"]
# Fields of an activity as the Teams SDK reads them, each with what it might carry instead.
ODD_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "type": st.sampled_from(["message", "invoke", "conversationUpdate", "installationUpdate",
                             "messageReaction", "typing", "event", "endOfConversation"]),
    "name": st.sampled_from(["adaptiveCard/action", "task/fetch", "composeExtension/query",
                             "signin/verifyState", "config/fetch", ""]),
    "action": st.sampled_from(["add", "remove", "add-upgrade", "remove-upgrade", ""]),
    "text": st.one_of(words, st.sampled_from(["<at>clientloop</at>", "<at>x</at> <at>y</at>"])),
    "conversation": st.fixed_dictionaries(
        {"id": st.sampled_from(["19:web@thread.tacv2;messageid=17", "a:1personal-x", "", ";"])},
        optional={"conversationType": st.sampled_from(["personal", "channel", "groupChat", ""]),
                  "tenantId": st.sampled_from([TENANT, "", "other"])},
    ),
    "from": st.fixed_dictionaries(
        {"id": st.sampled_from(["29:x", ""])},
        optional={"aadObjectId": st.sampled_from(["aad-carol", "", "aad-nobody"]),
                  "name": st.text(max_size=10)},
    ),
    "channelData": st.sampled_from([{}, {"tenant": {}}, {"tenant": {"id": ""}},
                                    {"team": {"id": "t"}, "channel": {}}]),
    "entities": st.lists(st.sampled_from([
        {"type": "clientInfo", "timezone": "Mars/Base"},
        {"type": "clientInfo", "timezone": ""},
        {"type": "clientInfo", "timezone": "../../etc/passwd"},
        {"type": "mention", "text": "<at>x</at>", "mentioned": {"id": "28:other"}},
    ]), max_size=2),
    "serviceUrl": st.sampled_from([None, "", "http://127.0.0.1:9/", "not a url", "ftp://x"]),
    "membersAdded": st.lists(st.fixed_dictionaries({"id": st.sampled_from(["28:x", ""])})),
    "membersRemoved": st.lists(st.fixed_dictionaries({"id": st.sampled_from(["28:x", ""])})),
    "value": st.one_of(st.fixed_dictionaries({"action": st.fixed_dictionaries(
        {"type": st.sampled_from(["Action.Execute", "Action.Submit"])},
        optional={"verb": verbs, "data": press_data})}), json_values),
    "attachments": st.lists(st.fixed_dictionaries({"contentType": st.text(max_size=10)}),
                            max_size=2),
}  # fmt: skip
odd_changes = st.dictionaries(
    st.sampled_from(sorted(ODD_FIELDS)), st.just(None), min_size=1, max_size=3
).flatmap(lambda keys: st.fixed_dictionaries({k: ODD_FIELDS[k] for k in keys}))
requests = st.one_of(
    st.builds(Say, people, words, where),
    st.builds(Say, people, words, where),
    st.builds(Press, people, verbs, press_data, where),
    st.builds(Press, people, verbs, press_data, where),
    st.builds(Press, people, st.just("submit_form"), submit_data, where),
    st.builds(Press, people, st.just("submit_form"), submit_data, where),
    st.builds(Press, people, st.just("submit_form"), hijack_data, where),
    # Rarer: what the Teams SDK itself refuses (400), and JSON that is no activity.
    st.builds(Press, people, st.one_of(verbs, junk), st.one_of(press_data, junk), where),
    st.builds(Raw, json_values),
    st.builds(Odd, people, st.sampled_from(KINDS), odd_changes, where),
)


Request = Say | Press | Raw | Odd


def must_write_nothing(request: Request) -> bool:
    """Whether only a refusal is right: a stranger (but for setting up their own project),
    or a press naming an id no database row can have."""
    if isinstance(request, Raw):
        return True
    if not isinstance(request, Press):
        return False  # words may set the stranger's own things (away)
    form = request.data.get("form") if isinstance(request.data, dict) else None
    if str(form).strip() == FormKind.NEW_PROJECT.value:
        return False  # anyone may set up a project where they are
    return request.who == STRANGER or _names_a_huge_id(request.data)


def _names_a_huge_id(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    item = data.get("item")
    tail = item.partition(":")[2] if isinstance(item, str) else ""  # as the core reads it
    digits = tail.lstrip("-")
    big = digits.isascii() and digits.isdigit() and abs(int(tail)) >= HUGE
    project = data.get("ctx", {}).get("project_id") if isinstance(data.get("ctx"), dict) else 0
    return big or (isinstance(project, int) and abs(project) >= HUGE)
