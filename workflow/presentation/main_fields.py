"""Where each form shows a refusal of the whole submission: its main field, by form kind."""

from __future__ import annotations

from workflow.presentation.forms import FormKind

# One table on purpose: it will be derived from the per-flow registry later.
MAIN_FIELD: dict[FormKind, str] = {
    FormKind.NEW_PROJECT: "name",
    FormKind.PEOPLE: "users",
    FormKind.SETTINGS: "checkin_day",
    FormKind.CHANGE: "title",
    FormKind.SIGNOFF: "title",
    FormKind.REPORT: "summary",
    FormKind.CHECKIN: "rating",
    FormKind.REQUEST: "text",
    FormKind.NOTICE: "what",
    FormKind.FEEDBACK: "text",
    FormKind.INVITE: "invitee",
    FormKind.CLOSE: "deliverables",
    FormKind.EVALUATE: "process_rating",
    FormKind.TEXT: "text",
}
