"""How the Teams adapter shows the dispatcher's answers: texts, cards, and forms again."""

from __future__ import annotations

from typing import Any

from handlers.teams.outcomes import after_submit, reply_for
from workflow.flows.change_requests.forms import change_form
from workflow.presentation.answers import Answer

FORM = change_form({"project_id": 1})


def texts_before_inputs(card: dict[str, Any]) -> list[str]:
    body = card["body"]
    first_input = next(i for i, b in enumerate(body) if str(b.get("type")).startswith("Input."))
    return [b.get("text", "") for b in body[:first_input]]


def test_a_press_that_needs_text_asks_for_it_in_the_card() -> None:
    reply = reply_for(Answer(form=FORM, need_text="Reason"))
    assert reply == type(reply)("Please type the reason in the card first.")


def test_a_refusal_of_the_whole_form_shows_above_its_fields() -> None:
    refused = Answer(
        form=FORM, errors={"title": "WEB is closed."}, refused=True, main_field="title"
    )
    reply = after_submit(refused)
    assert reply.card is not None and "WEB is closed." in texts_before_inputs(reply.card)


def test_a_field_error_shows_under_its_field() -> None:
    reply = after_submit(Answer(form=FORM, errors={"title": "A title, please."}))
    assert reply.card is not None and "A title, please." not in texts_before_inputs(reply.card)
    assert "A title, please." in str(reply.card["body"])


def test_a_done_submission_answers_in_a_small_card() -> None:
    reply = after_submit(Answer("Sent for approval.", done=True))
    assert reply.card is not None and "Sent for approval." in str(reply.card)
