"""Words typed in a personal chat: the project key after the command word, and the choice
buttons that carry the words and make them again for the project chosen."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.unit.conftest import PM
from workflow.domain.errors import Refused
from workflow.domain.projects import Project
from workflow.flows.requests import SendRequest
from workflow.interpreter import interpret_press
from workflow.personal import MAX_CHOICES, choice, key_of
from workflow.presentation.presses import Press, Show, ShowWhat, typed_words, words_item

AT = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "key", "rest"),
    [
        ("request WEB Please add SSO", "WEB", "request Please add SSO"),
        ("request APP2 Add\nSSO  now", "APP2", "request Add\nSSO  now"),
        ("pending WEB", "WEB", "pending"),
        ("pending web", "WEB", "pending"),  # alone, in any case
        ("request app crashes on login", None, "request app crashes on login"),
        ("request Please add SSO", None, "request Please add SSO"),
        ("request W Add SSO", None, "request W Add SSO"),  # too short for a key
        ("request 2FA please", None, "request 2FA please"),  # a key starts with a letter
        ("request TOOLONGKEY1 x", None, "request TOOLONGKEY1 x"),
        ("request", None, "request"),
        ("", None, ""),
    ],
)
def test_a_key_is_the_word_after_the_command_written_as_keys_are(
    typed: str, key: str | None, rest: str
) -> None:
    assert key_of(typed) == (key, rest)


@pytest.mark.parametrize(
    "text", ["request Add SSO", "notice Café «ouvert» 🎉", "request a:b:1:2 <@U1>", "x" * 600]
)
def test_a_choice_button_carries_the_words_as_typed(text: str) -> None:
    item = words_item(text, "teams:activity-1")
    assert typed_words(item)[0] == text
    assert item.replace(":", "").replace("words", "").isalnum()


def test_the_same_words_typed_twice_make_two_choices_and_one_message_one() -> None:
    one, again = words_item("request Add SSO", "ev1"), words_item("request Add SSO", "ev2")
    assert typed_words(one)[1] != typed_words(again)[1]
    assert words_item("request Add SSO", "ev1") == one


@pytest.mark.parametrize(
    "item",
    [
        "words:",
        "words:q:1",
        "words:abc:1",
        "words:ab",
        "words:ab:x",
        "project:ab:1",
        "words:ab:1:2",
    ],
)
def test_a_choice_button_whose_item_we_never_wrote_is_refused_in_words(item: str) -> None:
    with pytest.raises(Refused, match="no longer points"):
        typed_words(item)


def test_pressing_a_project_makes_the_words_again_about_it_done_once_per_message() -> None:
    item = words_item("request Add SSO", "ev1")
    first = interpret_press(Press("choose_project:7", item, None, PM, AT, event_id="click-1"))
    other = interpret_press(Press("choose_project:8", item, None, PM, AT, event_id="click-2"))
    assert isinstance(first, SendRequest) and isinstance(other, SendRequest)
    assert (first.project_id, first.text, other.project_id) == (7, "Add SSO", 8)
    assert first.event_id == other.event_id and first.event_id != "click-1"


def test_pressing_a_project_for_pending_shows_that_projects_pending_items() -> None:
    shown = interpret_press(Press("choose_project:7", words_item("pending"), None, PM, AT))
    assert shown == Show(ShowWhat.PENDING, 7)


def test_a_choice_naming_no_project_is_refused() -> None:
    with pytest.raises(Refused):
        interpret_press(Press("choose_project:x", words_item("pending"), None, PM, AT))


def projects(*keys: str) -> list[Project]:
    return [Project(1, k, f"Project {k}", "C1", AT, id=n) for n, k in enumerate(keys, 1)]


def test_the_choice_has_a_button_per_project_each_carrying_the_words() -> None:
    view = choice("request Add SSO", projects("WEB", "APP"), "ev1").view
    assert view is not None and view.title == "Which project?"
    assert [(b.verb, b.label) for b in view.buttons] == [
        ("choose_project:1", "WEB — Project WEB"),
        ("choose_project:2", "APP — Project APP"),
    ]
    assert {typed_words(b.item)[0] for b in view.buttons} == {"request Add SSO"}
    assert "`request WEB …`" in view.text


def test_more_projects_than_buttons_are_named_in_the_text() -> None:
    keys = [f"P{n}X" for n in range(MAX_CHOICES + 2)]
    view = choice("pending", projects(*keys)).view
    assert view is not None and len(view.buttons) == MAX_CHOICES
    assert keys[-1] in view.text


def test_words_too_long_for_a_button_are_asked_to_be_typed_with_the_key() -> None:
    answer = choice("request " + "é" * 400, projects("WEB", "APP"))
    assert answer.view is None
    assert (
        "WEB (Project WEB), APP (Project APP)" in answer.text and "`request WEB …`" in answer.text
    )
