"""Use cases: the COMMAND_HANDLERS and EVENT_HANDLERS tables, and the bus built from them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from workflow.domain import commands as c
from workflow.domain import events as e
from workflow.messagebus import CommandHandler, EventHandler, MessageBus
from workflow.ports import UnitOfWork
from workflow.services import (
    audit,
    changes,
    checkins,
    closing,
    inbox,
    notify,
    notify_items,
    notify_schedule,
    projects,
    reports,
    scheduling,
    signoffs,
)

COMMAND_HANDLERS: dict[type[c.Command], CommandHandler] = {
    c.CreateProject: projects.create_project,
    c.ChangePeople: projects.change_people,
    c.SetApprovalPolicy: projects.set_policy,
    c.SetCheckInSchedule: projects.set_checkin_schedule,
    c.ConfigureProject: projects.configure_project,
    c.UpdateProfile: projects.update_profile,
    c.SetAway: projects.set_away,
    c.SendRequest: inbox.send_request,
    c.HandleRequest: inbox.handle_request,
    c.SendNotice: inbox.send_notice,
    c.NoteNotice: inbox.note_notice,
    c.SendFeedback: inbox.send_feedback,
    c.Invite: inbox.invite,
    c.AnswerInvitation: inbox.answer_invitation,
    c.RequestSignoff: signoffs.request_signoff,
    c.DecideSignoff: signoffs.decide_signoff,
    c.WithdrawSignoff: signoffs.withdraw_signoff,
    c.CreateChangeRequest: changes.create_change,
    c.EditChangeRequest: changes.edit_change,
    c.DecideChange: changes.decide_change,
    c.AskAboutChange: changes.ask_about_change,
    c.AnswerQuestion: changes.answer_question,
    c.WithdrawChange: changes.withdraw_change,
    c.ExpireOverdue: changes.expire_overdue,
    c.RunSchedule: scheduling.run_schedule,
    c.PostReport: reports.post_report,
    c.ReviewReport: reports.review_report,
    c.SendCheckIns: checkins.send_checkins,
    c.AnswerCheckIn: checkins.answer_checkin,
    c.StartClosing: closing.start_closing,
    c.SubmitEvaluation: closing.submit_evaluation,
    c.CloseProject: closing.close_project,
}

EVENT_HANDLERS: dict[type[e.Event], Sequence[EventHandler]] = {
    e.ProjectCreated: [notify.project_created],
    e.PeopleChanged: [notify.people_changed],
    e.ChangeRequested: [notify.change_requested],
    e.ApprovalAsked: [notify.approval_asked],
    e.ChangeDecided: [notify.change_updated],
    e.ChangeEdited: [notify.change_updated],
    e.QuestionAsked: [notify.question_asked],
    e.QuestionAnswered: [notify.question_answered],
    e.ChangeSettled: [notify.change_settled],
    e.SignoffRequested: [notify.signoff_requested],
    e.SignoffAnswered: [notify.signoff_answered],
    e.SignoffSettled: [notify.signoff_settled],
    e.ReportPosted: [notify_items.report_posted],
    e.ReportReviewed: [notify_items.report_reviewed],
    e.CheckInSent: [notify_items.checkin_sent],
    e.CheckInAnswered: [notify_items.checkin_answered],
    e.RequestReceived: [notify_items.request_received],
    e.RequestHandled: [notify_items.request_handled],
    e.NoticeReceived: [notify_items.notice_received],
    e.NoticeHandled: [notify_items.notice_handled],
    e.FeedbackReceived: [notify_items.feedback_received],
    e.InvitationSent: [notify_items.invitation_sent],
    e.InvitationAnswered: [notify_items.invitation_answered],
    e.CheckInReminded: [notify_schedule.checkin_reminded],
    e.CheckInMissed: [notify_schedule.checkin_missed],
    e.DecisionReminded: [notify_schedule.decision_reminded],
    e.DecisionEscalated: [notify_schedule.decision_escalated],
    e.DigestSent: [notify_schedule.digest_sent],
    e.ClosingStarted: [notify_items.closing_started],
    e.ProjectClosed: [notify_items.project_closed],
}


def make_bus(
    uow_factory: Callable[[], UnitOfWork],
    after_commit: Callable[[], Awaitable[None]] | None = None,
) -> MessageBus:
    """The bus with every use case; every event is also written to the audit trail first."""
    return MessageBus(
        uow_factory,
        COMMAND_HANDLERS,
        EVENT_HANDLERS,
        every_event=[audit.record],
        after_commit=after_commit,
    )
