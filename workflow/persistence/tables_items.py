"""The tables behind reports, check-ins, the inbox and the closing (mapped in orm.py)."""

from sqlalchemy import JSON, Boolean, Column, Date, Integer, String, Table, UniqueConstraint, text

from workflow.domain.checkins import CheckInState
from workflow.domain.closing import DeliverableVerdict
from workflow.domain.inbox import InvitationState, NoticeState, RequestState
from workflow.domain.reports import Rag, ReportState, ReviewKind
from workflow.persistence.columns import EnumText, metadata
from workflow.persistence.tables import (
    HASH,
    id_col,
    open_items_index,
    person_col,
    project_col,
    ref_col,
    state_col,
    text_col,
    time_col,
    version_col,
)

status_reports = Table(
    "status_reports",
    metadata,
    id_col(),
    project_col(),
    text_col("period"),
    Column("rag", EnumText(Rag, 10), nullable=False),
    text_col("summary"),
    text_col("risks"),
    text_col("next_steps"),
    person_col("posted_by"),
    time_col("posted_at"),
    Column("reviewer_ids", JSON, nullable=False),
    state_col(ReportState, 15),
    version_col(),
    open_items_index("status_reports"),
)

reviews = Table(
    "reviews",
    metadata,
    id_col(),
    ref_col("report_id", "status_reports.id", ondelete="CASCADE", index=True),
    person_col("reviewer_id"),
    Column("kind", EnumText(ReviewKind, 15), nullable=False),
    text_col("text"),
    time_col("at"),
    Column("shown_hash", HASH, nullable=False),
)

checkins = Table(
    "checkins",
    metadata,
    id_col(),
    ref_col("project_id", "projects.id", ondelete="CASCADE"),
    person_col("person_id"),
    Column("week", Date, nullable=False),
    time_col("sent_at"),
    state_col(CheckInState, 10),
    Column("rating", Integer),
    text_col("text"),
    Column("environment_changed", Boolean, nullable=False),
    time_col("reminded_at", nullable=True),
    time_col("answered_at", nullable=True),
    # The decisions shown in it (item card keys): its copy is updated when one settles.
    Column("carried", JSON, nullable=False, server_default=text("'[]'")),
    version_col(),
    open_items_index("checkins"),
    # One check-in per participant and week, however often the scheduler ticks.
    UniqueConstraint("project_id", "person_id", "week"),
)

customer_requests = Table(
    "customer_requests",
    metadata,
    id_col(),
    project_col(),
    person_col("author_id"),
    text_col("text"),
    time_col("created_at"),
    state_col(RequestState, 10),
    person_col("handled_by", nullable=True),
    time_col("handled_at", nullable=True),
    text_col("reason"),
    ref_col("change_request_id", "change_requests.id", nullable=True),
    version_col(),
    open_items_index("customer_requests"),
)

notices = Table(
    "notices",
    metadata,
    id_col(),
    project_col(),
    person_col("author_id"),
    text_col("what"),
    text_col("affects"),
    time_col("created_at"),
    Column("since", Date),
    state_col(NoticeState, 10),
    ref_col("change_request_id", "change_requests.id", nullable=True),
    ref_col("checkin_id", "checkins.id", nullable=True),
    version_col(),
    open_items_index("notices"),
)

feedback = Table(
    "feedback",
    metadata,
    id_col(),
    project_col(),
    person_col("author_id"),
    text_col("text"),
    time_col("created_at"),
)

invitations = Table(
    "invitations",
    metadata,
    id_col(),
    project_col(),
    person_col("invitee_id"),
    person_col("inviter_id"),
    text_col("what"),
    time_col("created_at"),
    time_col("when", nullable=True),
    state_col(InvitationState, 10),
    text_col("proposal"),
    time_col("answered_at", nullable=True),
    version_col(),
    open_items_index("invitations"),
)

closings = Table(
    "closings",
    metadata,
    id_col(),
    ref_col("project_id", "projects.id", ondelete="CASCADE", unique=True),
    Column("deliverables", JSON, nullable=False),
    Column("anonymous", Boolean, nullable=False),
    person_col("started_by"),
    time_col("started_at"),
    Column("evaluator_ids", JSON, nullable=False),
    ref_col("final_signoff_id", "signoff_requests.id", nullable=True),
    time_col("closed_at", nullable=True),
    version_col(),
)

evaluations = Table(
    "evaluations",
    metadata,
    id_col(),
    ref_col("closing_id", "closings.id", ondelete="CASCADE"),
    person_col("person_id"),
    Column("process_rating", Integer, nullable=False),
    text_col("comment"),
    time_col("at"),
    UniqueConstraint("closing_id", "person_id"),
)

deliverable_ratings = Table(
    "deliverable_ratings",
    metadata,
    id_col(),
    ref_col("evaluation_id", "evaluations.id", ondelete="CASCADE", index=True),
    text_col("deliverable"),
    Column("verdict", EnumText(DeliverableVerdict, 25), nullable=False),
    text_col("remarks"),
)

chases = Table(
    "chases",
    metadata,
    id_col(),
    project_col(),
    Column("kind", String(20), nullable=False),
    Column("item_id", Integer, nullable=False),
    person_col("person_id"),
    Column("version", Integer, nullable=False),
    time_col("asked_at"),
    Column("reminders", Integer, nullable=False),
    time_col("last_reminded_at", nullable=True),
    time_col("escalated_at", nullable=True),
    # Whom the escalation has reached: each in their own working hours (person ids).
    Column("escalated_to", JSON, nullable=False, server_default=text("'[]'")),
    version_col(),
    UniqueConstraint("kind", "item_id", "person_id", "version"),
)

digest_runs = Table(
    "digest_runs",
    metadata,
    id_col(),
    project_col(),
    Column("week", Date, nullable=False),
    time_col("sent_at"),
    # The PM it went to, at their own check-in time (NULL: a run from before migration 0013).
    Column("person_id", Integer),
    UniqueConstraint("project_id", "person_id", "week"),
)

# Alerts raised to a project's PMs: each (kind, subject, period) once, however often the
# scheduler ticks (see workflow/domain/alerts.py).
alerts = Table(
    "alerts",
    metadata,
    id_col(),
    project_col(),
    Column("kind", String(20), nullable=False),
    Column("subject", String(60), nullable=False),
    Column("period", String(20), nullable=False),
    time_col("raised_at"),
    UniqueConstraint("project_id", "kind", "subject", "period"),
)
