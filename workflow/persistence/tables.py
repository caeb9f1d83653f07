"""The tables behind the domain's aggregates and their children (mapped in orm.py)."""

from typing import Any

from sqlalchemy import (
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
)

from workflow.domain.change_versions import Verdict
from workflow.domain.changes import CRState
from workflow.domain.people import Platform
from workflow.domain.projects import ApprovalOrder, ApprovalRule, CustomerKind, ProjectState, Role
from workflow.domain.signoffs import Audience, SignoffKind, SignoffState, SignoffVerdict
from workflow.persistence.columns import EnumText, UTCDateTime, metadata

HASH = String(64)  # a sha256 hex digest
EXTERNAL_ID = String(255)  # an id a chat platform gave


def id_col() -> Column[int]:
    return Column("id", Integer, primary_key=True)


def version_col() -> Column[int]:
    """The optimistic-locking counter (the mappers' version_id_col)."""
    return Column("row_version", Integer, nullable=False)


def ref_col(name: str, target: str, *, nullable: bool = False, **kw: Any) -> Column[int]:
    """A foreign key; children die with their parent, links to optional items are cleared."""
    ondelete = kw.pop("ondelete", "SET NULL" if nullable else None)
    return Column(name, ForeignKey(target, ondelete=ondelete), nullable=nullable, **kw)


def project_col(**kw: Any) -> Column[int]:
    return ref_col("project_id", "projects.id", ondelete="CASCADE", index=True, **kw)


def person_col(name: str, *, nullable: bool = False) -> Column[int]:
    return ref_col(name, "people.id", nullable=nullable, ondelete=None)


def time_col(name: str, *, nullable: bool = False) -> Column[Any]:
    return Column(name, UTCDateTime, nullable=nullable)


def text_col(name: str) -> Column[str]:
    return Column(name, Text, nullable=False)


def state_col(enum_class: Any, length: int) -> Column[Any]:
    return Column("state", EnumText(enum_class, length), nullable=False, index=True)


def open_items_index(table: str) -> Index:
    """What a flow's `waiting` asks: one project's items in the states still open."""
    return Index(f"ix_{table}_project_state", "project_id", "state")


def _due_when_created(context: Any) -> Any:
    """A new project is due at once: its first tick works out its schedule."""
    return context.get_current_parameters()["created_at"]


people = Table(
    "people",
    metadata,
    id_col(),
    Column("platform", EnumText(Platform, 10), nullable=False),
    Column("org_id", EXTERNAL_ID, nullable=False),
    Column("user_id", EXTERNAL_ID, nullable=False),
    text_col("display_name"),
    Column("timezone", String(64), nullable=False),
    UniqueConstraint("platform", "org_id", "user_id"),
)

workspaces = Table(
    "workspaces",
    metadata,
    id_col(),
    Column("platform", EnumText(Platform, 10), nullable=False),
    Column("external_id", EXTERNAL_ID, nullable=False),
    text_col("name"),
    UniqueConstraint("platform", "external_id"),
)

projects = Table(
    "projects",
    metadata,
    id_col(),
    ref_col("workspace_id", "workspaces.id", ondelete="CASCADE"),
    Column("key", String(10), nullable=False),
    text_col("name"),
    Column("channel_id", EXTERNAL_ID, nullable=False, index=True),
    time_col("created_at"),
    Column("checkin_day", Integer, nullable=False),
    Column("checkin_time", Time, nullable=False),
    Column("approval_rule", EnumText(ApprovalRule, 10), nullable=False),
    Column("quorum", Integer),
    Column("approval_order", EnumText(ApprovalOrder, 20), nullable=False),
    # Days a decision may wait before the PMs are alerted (migration 0011).
    Column("decision_alert_days", Integer, nullable=False, server_default="5"),
    state_col(ProjectState, 10),
    version_col(),
    # When the scheduler next has work here (NULL: never, the project is closed). Not
    # mapped onto Project: the scheduler's Agenda port reads and writes it.
    Column("next_due_at", UTCDateTime, nullable=True, default=_due_when_created),
    UniqueConstraint("workspace_id", "key"),
    Index("ix_projects_next_due_at", "next_due_at", "id"),
    # The channel's project (every request in a channel): see migration 0007.
    Index("ix_projects_channel_workspace", "channel_id", "workspace_id"),
)

participants = Table(
    "participants",
    metadata,
    id_col(),
    ref_col("project_id", "projects.id", ondelete="CASCADE"),
    ref_col("person_id", "people.id", index=True),
    Column("role", EnumText(Role, 10), nullable=False),
    Column("customer_kind", EnumText(CustomerKind, 10)),
    Column("away_until", Date),
    # When they joined the project (migration 0013): nothing is asked of a week before it.
    time_col("joined_at", nullable=True),
    UniqueConstraint("project_id", "person_id", "role"),
)

change_requests = Table(
    "change_requests",
    metadata,
    id_col(),
    project_col(),
    person_col("requested_by"),
    time_col("created_at"),
    state_col(CRState, 10),
    Column("source", String(100), nullable=False),
    version_col(),
    open_items_index("change_requests"),
)

change_request_versions = Table(
    "change_request_versions",
    metadata,
    id_col(),
    ref_col("change_request_id", "change_requests.id", ondelete="CASCADE"),
    Column("number", Integer, nullable=False),
    text_col("title"),
    text_col("description"),
    text_col("scope"),
    Column("schedule_days", Integer, nullable=False),
    Column("cost", Numeric(14, 2), nullable=False),
    text_col("reason"),
    person_col("author_id"),
    time_col("created_at"),
    time_col("due_at", nullable=True),
    UniqueConstraint("change_request_id", "number"),
)

change_request_decisions = Table(
    "change_request_decisions",
    metadata,
    id_col(),
    ref_col("change_request_id", "change_requests.id", ondelete="CASCADE"),
    Column("version", Integer, nullable=False),
    person_col("approver_id"),
    Column("verdict", EnumText(Verdict, 10), nullable=False),
    text_col("reason"),
    time_col("at"),
    Column("shown_hash", HASH, nullable=False),
    # One decision per version and approver: a double click can never count twice.
    UniqueConstraint("change_request_id", "version", "approver_id"),
)

change_request_questions = Table(
    "change_request_questions",
    metadata,
    id_col(),
    ref_col("change_request_id", "change_requests.id", ondelete="CASCADE", index=True),
    Column("version", Integer, nullable=False),
    person_col("asker_id"),
    text_col("text"),
    time_col("asked_at"),
    Column("answer", Text),
    person_col("answered_by", nullable=True),
    time_col("answered_at", nullable=True),
)

signoff_requests = Table(
    "signoff_requests",
    metadata,
    id_col(),
    project_col(),
    Column("kind", EnumText(SignoffKind, 10), nullable=False),
    text_col("title"),
    text_col("link"),
    text_col("summary"),
    text_col("doc_version"),
    person_col("requested_by"),
    time_col("created_at"),
    time_col("due_at", nullable=True),
    state_col(SignoffState, 12),
    version_col(),
    open_items_index("signoff_requests"),
)

signoff_approvers = Table(
    "signoff_approvers",
    metadata,
    id_col(),
    ref_col("signoff_id", "signoff_requests.id", ondelete="CASCADE"),
    person_col("person_id"),
    Column("audience", EnumText(Audience, 20), nullable=False),
    Column("verdict", EnumText(SignoffVerdict, 25)),
    text_col("remarks"),
    time_col("decided_at", nullable=True),
    Column("shown_hash", HASH, nullable=False),
    UniqueConstraint("signoff_id", "person_id"),
)
