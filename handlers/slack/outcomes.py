"""Showing the core's Answer on Slack: a modal, a private reply, an export, or field errors."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from handlers.slack import forms as slack_forms
from handlers.slack.blocks import escape
from handlers.slack.charts import share_chart
from handlers.slack.payloads import Source
from handlers.slack.render_home import home_view
from handlers.slack.replies import Replier, private_text, private_view
from handlers.slack.sealed import Seal
from workflow.dispatcher import HomeData
from workflow.presentation.answers import Answer
from workflow.presentation.forms import Form

log = logging.getLogger(__name__)
Ack = Callable[..., Awaitable[Any]]
NO_TRIGGER = "Slack gave no way to open a form here; please use the button again."
UPLOAD_FAILED = "Slack did not take the export file just now; please try again."
EXPORT_SENT = "I sent you the export in a direct message. {summary}"
NOT_SAVED = "Your form was not saved:"
FORM_IN_DM = (
    "That needs a form, and Slack opens forms only from a button or a slash command: use the "
    "buttons on my messages, or `/loop {words}` in the project's channel."
)


@dataclass
class Situation:
    """Where to answer: the workspace's client, the request, and the person's private reply."""

    client: AsyncWebClient
    source: Source
    reply: Replier
    seal: Seal  # what a modal's private_metadata is sealed with


async def render(answer: Answer, situation: Situation, words: str | None = None) -> None:
    """The answer to a command word, a button or a shortcut, shown privately. `words`: typed
    in the bot's DM, where no trigger can open a modal."""
    if answer.form is not None and words is not None:
        await situation.reply.text(FORM_IN_DM.format(words=words))
    elif answer.form is not None:
        await _open(situation, answer.form)
    elif answer.files:
        await _upload(situation, answer.files, answer.text)
    elif answer.view is not None:
        await situation.reply.view(answer.view, answer.viewer)
        await _chart(situation, answer)
    else:
        await situation.reply.text(answer.text)


def in_acknowledgement(answer: Answer) -> dict[str, Any] | None:
    """A slash command's private answer carried in its acknowledgement, Slack's "immediate
    response": no second request, and the person sees it as soon as Slack has the ack.
    None for what needs its own call after the ack (a modal, a file upload)."""
    if answer.form is not None or answer.files or _charted(answer):
        return None
    if answer.view is not None:
        text, blocks = private_view(answer.view, answer.viewer)
    else:
        text, blocks = private_text(answer.text)
    return {"text": text, "blocks": blocks, "response_type": "ephemeral"}


async def acknowledge_submission(
    ack: Ack, errors: dict[str, str], fields: Collection[str], reply: Replier
) -> bool:
    """Acknowledge a submitted modal; True when it is to be carried out now.

    Errors go back in the acknowledgement, under the fields they name, and the modal stays
    open; Slack refuses an acknowledgement naming a field the modal lacks (then it closes
    and the person is told privately).
    """
    if not errors:
        await ack()
        return True
    if set(errors) <= set(fields):
        await ack(response_action="errors", errors=errors)
    else:
        await ack()
        await reply.text(not_saved(errors))
    return False


async def render_submission(
    answer: Answer, reply: Replier, typed: Mapping[str, object] | None = None
) -> None:
    """What a carried-out modal did; a refusal after the acknowledgement is said privately,
    with what the person typed (the modal has closed: nothing they wrote is lost)."""
    await reply.text(not_saved(answer.errors, typed) if answer.errors else answer.text)


def not_saved(errors: dict[str, str], typed: Mapping[str, object] | None = None) -> str:
    said = f"{NOT_SAVED} {' '.join(errors.values())}"
    kept = [f"*{escape(name)}*: {_typed(value)}" for name, value in (typed or {}).items()
            if value not in (None, "", [], ())]  # fmt: skip
    return "\n".join([said, "What you typed, to use again:", *kept]) if kept else said


def _typed(value: object) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(escape(str(v)) for v in value)
    return escape(str(value))


async def publish_home(client: AsyncWebClient, user_id: str, data: HomeData) -> None:
    view = home_view(
        data.name or "there",
        data.pending,
        data.pm_projects,
        viewer_person_id=data.person_id,
        start_projects=data.customer_projects,
        editable=data.editable,
    )
    await client.views_publish(user_id=user_id, view=view)


async def _open(situation: Situation, form: Form) -> None:
    """A modal needs the trigger of this very request (it dies after 3 s)."""
    trigger = situation.source.trigger_id
    if not trigger:
        await situation.reply.text(NO_TRIGGER)
        return
    channel = situation.reply.channel_id
    await situation.client.views_open(
        trigger_id=trigger, view=slack_forms.modal(form, channel, situation.seal)
    )


def _charted(answer: Answer) -> bool:
    chart = answer.view.chart if answer.view is not None else None
    return chart is not None and chart.has_data()


async def _chart(situation: Situation, answer: Answer) -> None:
    """A private answer's chart (the digest's) goes to the person's DM: a file shared in a
    channel would show it to everyone there, and a private reply cannot carry a file."""
    chart = answer.view.chart if answer.view is not None else None
    if answer.view is None or chart is None or not chart.has_data():
        return
    try:
        opened = await situation.client.conversations_open(users=situation.source.identity.user_id)
    except SlackClientError as exc:
        log.warning("no DM for the chart: %s", exc)
        return
    channel = str((opened.get("channel") or {}).get("id") or "")
    if channel:
        comment = f"{answer.view.title}: the chart, with the digest you asked for."
        await share_chart(situation.client, chart, channel, comment)


async def _upload(situation: Situation, files: dict[str, str], summary: str) -> None:
    """Exports go to the person's DM through Slack's file-upload methods, one file each
    (CSV, JSON, the audit checkpoint), with the sentence that says what they are."""
    user = situation.source.identity.user_id
    client = situation.client
    try:
        opened = await client.conversations_open(users=user)
        channel = str((opened.get("channel") or {}).get("id") or user)
        uploads = [
            {"content": text, "filename": name, "title": name} for name, text in files.items()
        ]
        await client.files_upload_v2(
            file_uploads=uploads, channel=channel, initial_comment=summary or "Your export."
        )
    except SlackClientError as exc:
        log.warning("export upload failed: %s", exc)
        await situation.reply.text(UPLOAD_FAILED)
        return
    await situation.reply.text(EXPORT_SENT.format(summary=summary).strip())
