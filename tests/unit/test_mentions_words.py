"""Mentions and the words after a command word: what each adapter reads, what the core fills."""

from __future__ import annotations

from datetime import UTC, date, datetime

from microsoft_teams.api.activities.message.message import MessageActivity

from handlers.slack.payloads import Mentioned, typed_pieces
from handlers.teams.activities import origin_of, words_in
from tests.e2e.teams_client import channel, mention
from tests.unit.conftest import PM
from workflow.domain.commands import PersonRef
from workflow.domain.people import Identity, Platform
from workflow.flows.checkins.use_cases import in_words
from workflow.interpreter import interpret_words
from workflow.presentation.answers import Words
from workflow.presentation.forms import TICKED, FieldType, FormField, chosen
from workflow.presentation.presses import OpenForm

AT = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
ELI = PersonRef(Identity(Platform.SLACK, "T1", "UELI"), "Eli")
MO = PersonRef(Identity(Platform.SLACK, "T1", "UMO"), "Mo")


def test_slack_escaped_text_reads_as_typed_with_its_user_mentions_apart() -> None:
    text = "a <@UELI|eli> <@W9> &amp; &lt;b&gt; <!here> <#C1|web> <https://x.io/?a=1&amp;b=2|x>"
    assert typed_pieces(text) == [
        "a ", Mentioned("UELI", "eli"), " ", Mentioned("W9"), " & <b> ", "@here", " ", "#web",
        " ", "https://x.io/?a=1&b=2", "",
    ]  # fmt: skip


def test_invite_chooses_the_first_mentioned_and_keeps_the_rest_in_the_topic() -> None:
    said = Words("invite @Eli @Mo Budget review", (ELI, MO))
    opened = interpret_words(said, 1, PM, AT)
    assert isinstance(opened, OpenForm)
    assert opened.people == {"invitee": (ELI,)}
    assert opened.prefill == {"what": "@Mo Budget review"}


def test_people_chooses_everyone_mentioned_with_the_role_and_removal_named() -> None:
    opened = interpret_words(Words("people remove @Eli, @Mo external", (ELI, MO)), 1, PM, AT)
    assert isinstance(opened, OpenForm)
    assert opened.people == {"users": (ELI, MO)}
    assert opened.prefill == {"role": "customer_external", "remove": TICKED}


def test_a_user_field_takes_the_chosen_ids_and_names() -> None:
    one = chosen(FormField("invitee", "Customer", FieldType.USER), (ELI, MO))
    many = chosen(FormField("users", "People", FieldType.USERS), (ELI, MO, ELI))
    assert (one.initial, one.options) == ("UELI", (("UELI", "Eli"),))
    assert (many.initial, many.options) == ("UELI,UMO", (("UELI", "Eli"), ("UMO", "Mo")))


def test_a_date_in_words_has_its_year_only_a_year_or_more_ahead() -> None:
    assert in_words(date(2027, 1, 4), AT) == "4 January"
    assert in_words(date(2027, 12, 5), AT) == "5 December 2027"


def test_a_teams_mention_names_a_person_by_aad_id_and_without_one_is_only_a_name() -> None:
    json = mention(channel("https://smba.example"), "invite <at>Bob</at> <at>Eli</at> Review")
    json["entities"] += [
        {
            "type": "mention",
            "text": "<at>Bob</at>",
            "mentioned": {"id": "29:opaque", "name": "Bob"},
        },
        {"type": "mention", "text": "<at>Eli</at>", "mentioned": {"id": "aad-eli", "name": "Eli"}},
    ]
    activity = MessageActivity.model_validate(json)
    said = words_in(activity, origin_of(activity))
    assert said.text == "invite @Bob @Eli Review"
    assert [p.identity.user_id for p in said.mentions] == ["aad-eli"]
