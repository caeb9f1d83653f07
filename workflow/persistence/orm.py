"""Imperative mapping of the domain dataclasses onto the tables (the domain never imports this)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, event, type_coerce
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import (
    ONETOMANY,
    Mapper,
    Session,
    UOWTransaction,
    column_property,
    composite,
    joinedload,
    relationship,
)
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.interfaces import ORMOption
from sqlalchemy.orm.util import identity_key

import workflow.persistence.tables_slack
import workflow.persistence.tables_teams  # noqa: F401  (their tables join `metadata` for Alembic)
from workflow.domain.alerts import Alert
from workflow.domain.change_versions import CRDecision, CRQuestion, CRVersion
from workflow.domain.changes import ChangeRequest
from workflow.domain.chases import Chase, DigestRun
from workflow.domain.checkins import CheckIn
from workflow.domain.closing import Closing, DeliverableRating, Evaluation
from workflow.domain.inbox import CustomerRequest, Feedback, Invitation, Notice
from workflow.domain.people import Identity, Person, Workspace
from workflow.domain.projects import Participant, Project
from workflow.domain.reports import Review, StatusReport
from workflow.domain.signoffs import SignoffApprover, SignoffRequest
from workflow.persistence import tables as t
from workflow.persistence import tables_delivery  # noqa: F401  (its tables join `metadata` for Alembic)
from workflow.persistence import tables_items as ti
from workflow.persistence.columns import Base, EnumText, UTCDateTime, metadata

__all__ = ["Base", "EnumText", "UTCDateTime", "metadata", "start_mappers"]

# A child row's parent: (parent class, the child's foreign-key attribute), read off the
# one-to-many relationships `start_mappers` declares, so a new child needs no entry here.
PARENTS: dict[type, tuple[type, str]] = {}
# Loader options of `Repository.get`, by class: child lists joined to the root's row.
GET_OPTIONS: dict[type, tuple[ORMOption, ...]] = {}


def _children(cls: type, table: Table, order: str = "id") -> Any:
    """A child list that loads with its parent (async code must never lazy-load)."""
    return relationship(
        cls,
        order_by=table.c[order],
        lazy="selectin",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


def _map(cls: type, table: Table, exclude: Sequence[str] = (), **properties: Any) -> None:
    options: dict[str, Any] = {"exclude_properties": list(exclude)} if exclude else {}
    if "row_version" in table.c:
        options["version_id_col"] = table.c.row_version
    Base.registry.map_imperatively(cls, table, properties=properties, **options)


def start_mappers() -> None:
    """Map every domain class; calling it again does nothing."""
    if sa_inspect(Person, raiseerr=False) is not None:
        return
    identity = composite(Identity, t.people.c.platform, t.people.c.org_id, t.people.c.user_id)
    _map(Person, t.people, identity=identity)
    _map(Workspace, t.workspaces)
    _map(Participant, t.participants)
    _map(
        Project,
        t.projects,
        exclude=["next_due_at"],  # the Agenda port's, so a tick never bumps row_version
        participants=_children(Participant, t.participants),
        # Read along with the row, never written by the ORM (an expression, not the column):
        # `SqlAgenda.wake` skips its UPDATE when the loaded moment is already soon enough.
        _next_due_at=column_property(type_coerce(t.projects.c.next_due_at, UTCDateTime)),
    )
    _map(CRVersion, t.change_request_versions)
    _map(CRDecision, t.change_request_decisions)
    _map(CRQuestion, t.change_request_questions)
    _map(
        ChangeRequest,
        t.change_requests,
        versions=_children(CRVersion, t.change_request_versions, "number"),
        decisions=_children(CRDecision, t.change_request_decisions),
        questions=_children(CRQuestion, t.change_request_questions),
    )
    _map(SignoffApprover, t.signoff_approvers)
    _map(
        SignoffRequest,
        t.signoff_requests,
        approvers=_children(SignoffApprover, t.signoff_approvers),
    )
    _map(Review, ti.reviews)
    _map(StatusReport, ti.status_reports, reviews=_children(Review, ti.reviews))
    _map(CheckIn, ti.checkins)
    _map(CustomerRequest, ti.customer_requests)
    _map(Notice, ti.notices)
    _map(Feedback, ti.feedback)
    _map(Invitation, ti.invitations)
    _map(DeliverableRating, ti.deliverable_ratings)
    _map(Evaluation, ti.evaluations, ratings=_children(DeliverableRating, ti.deliverable_ratings))
    _map(Closing, ti.closings, evaluations=_children(Evaluation, ti.evaluations))
    _map(Chase, ti.chases)
    _map(DigestRun, ti.digest_runs)
    _map(Alert, ti.alerts)
    PARENTS.update(_parents())
    GET_OPTIONS.update(
        {
            Project: (joinedload(Project.participants),),  # type: ignore[arg-type]
            ChangeRequest: (
                joinedload(ChangeRequest.versions),  # type: ignore[arg-type]
                joinedload(ChangeRequest.questions),  # type: ignore[arg-type]
            ),
        }
    )
    if not event.contains(Session, "before_flush", _touch_changed_roots):
        event.listen(Session, "before_flush", _touch_changed_roots)


def _parents() -> dict[type, tuple[type, str]]:
    found: dict[type, tuple[type, str]] = {}
    for mapper in Base.registry.mappers:
        for rel in mapper.relationships:
            if rel.direction is ONETOMANY:
                (column,) = rel.remote_side
                child = rel.mapper
                found[child.class_] = (mapper.class_, child.get_property_by_column(column).key)
    return found


def _touch_changed_roots(session: Session, _flush: UOWTransaction, _instances: object) -> None:
    """Bump the version of an aggregate whose children alone changed.

    SQLAlchemy only increments `row_version` when the root's own row is updated; a new
    decision or an answered question would otherwise slip past optimistic locking.
    """
    for obj in list(session.dirty):
        if not session.is_modified(obj):
            continue
        root = _root_of(session, obj)
        if root is None or not sa_inspect(root).persistent:
            continue
        mapper: Mapper[Any] = sa_inspect(type(root))
        if mapper.version_id_col is not None:
            flag_modified(root, _touch_column(mapper))


def _root_of(session: Session, obj: object) -> object | None:
    while type(obj) in PARENTS:
        parent_class, foreign_key = PARENTS[type(obj)]
        parent_id = getattr(obj, foreign_key, None)
        if parent_id is None:
            return None
        obj = session.identity_map.get(identity_key(parent_class, parent_id))
        if obj is None:
            return None
    return obj


def _touch_column(mapper: Mapper[Any]) -> str:
    """Any plain column of the root: naming it changed makes the flush update the row."""
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        if not column.primary_key and column is not mapper.version_id_col:
            return prop.key
    raise AssertionError(f"{mapper.class_.__name__} has no column to touch")
