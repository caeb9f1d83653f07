"""Records the bot's own Block Kit (cards, modals, Home) for the sandbox renderer's tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from handlers.slack import forms as slack_forms
from handlers.slack.render_home import home_view
from handlers.slack.render_message import message_blocks
from handlers.slack.sealed import Seal
from workflow.domain.views import Button, Style, View, ViewKind
from workflow.flows.change_requests.forms import change_form
from workflow.flows.checkins.forms import checkin_form
from workflow.flows.closing.forms import close_form, evaluate_form
from workflow.flows.feedback import feedback_form
from workflow.flows.invitations import invite_form
from workflow.flows.notices import notice_form
from workflow.flows.projects.forms import new_project_form, people_form
from workflow.flows.reports import report_form
from workflow.flows.requests import request_form
from workflow.flows.signoffs.forms import signoff_form

RECORDED = Path(__file__).parent / "recorded"
HOSTILE = "<script>alert(1)</script> & <@U0PM>"
SEAL = Seal("sandbox-recording-secret")


def change_card() -> View:
    decide = [
        Button("approve", "Approve", "change_request:7", 2, Style.PRIMARY),
        Button("reject", "Reject", "change_request:7", 2, Style.DANGER, needs_text="reason"),
        Button("ask", "Ask a question", "change_request:7", 2),
    ]
    waiting = View(
        ViewKind.SIGNOFF, "Sign off the design", "Please review *all* screens.",
        buttons=(Button("sign", "Sign off", "signoff:3", 1, Style.PRIMARY),),
    )  # fmt: skip
    return View(
        ViewKind.CHANGE_REQUEST, f"CR-7 {HOSTILE}", "Move the launch by a week.\nCost: 2 days.",
        fields=(("Cost", "2 days"), ("Asked by", "Casey <b>"), ("Impact", "schedule")),
        status="Waiting on the sponsor", buttons=tuple(decide), items=(waiting,),
        footer="Project APOLLO", link="https://example.com/cr?id=7&v=2",
    )  # fmt: skip


def records() -> dict[str, Any]:
    """Each recorded payload by file name: messages, modals of every form, a Home tab."""
    card = change_card()
    text, blocks = message_blocks(card, None, in_channel=True)
    ctx: dict[str, str | int | None] = {"project_id": 1}
    built = [
        new_project_form(ctx), people_form(ctx), change_form(ctx), checkin_form(ctx),
        close_form(ctx), evaluate_form(ctx, ["Design", "Build"]), feedback_form(ctx),
        invite_form(ctx), notice_form(ctx), report_form(ctx), request_form(ctx),
        signoff_form(ctx),
    ]  # fmt: skip
    result: dict[str, Any] = {"message_change_card": {"text": text, "blocks": blocks}}
    for form in built:
        result[f"modal_{form.kind.value}"] = slack_forms.modal(form, "C0PROJECT", SEAL)
    result["home_pm"] = home_view(
        HOSTILE, [card], [("APOLLO", "Apollo & co", 3)],
        start_projects=[(1, "Apollo")], editable=[card],
    )  # fmt: skip
    return result


def write() -> None:
    """Rewrites tests/sandbox/recorded/*.json (python -m tests.sandbox.recording)."""
    RECORDED.mkdir(exist_ok=True)
    for name, payload in records().items():
        text = json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        (RECORDED / f"{name}.json").write_text(text)


if __name__ == "__main__":
    write()
