"""The rows bench/floor_app.py decides on, written with Core inserts at its start-up.

SEED is JSON: the Slack team, the project's channel, its PM and approvers (user ids), and the
ids of the change requests to make, each pending at version 1 with every approver a customer
(the ids of the Approve buttons the bench clicks, so the payloads are the same ones).
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from workflow.domain.changes import CRState
from workflow.domain.people import Platform
from workflow.domain.projects import ApprovalOrder, ApprovalRule, CustomerKind, ProjectState, Role
from workflow.persistence.tables import (
    change_request_versions,
    change_requests,
    participants,
    people,
    projects,
    workspaces,
)

PROJECT = WORKSPACE = PM_ID = 1


def seed_spec(team: str, channel: str, pm: str, buttons: list[tuple[dict[str, Any], str, str]]
              ) -> dict[str, Any]:  # fmt: skip
    """What to seed so each of `buttons` (element, clicker, ts) names a change request there."""
    changes = {int(element["value"].split(":")[1]) for element, _, _ in buttons}
    approvers = sorted({user for _, user, _ in buttons})
    return {"team": team, "channel": channel, "pm": pm, "approvers": approvers,
            "changes": sorted(changes)}  # fmt: skip


async def seed(engine: AsyncEngine, spec: dict[str, Any]) -> None:
    now = datetime.now(UTC)
    users = [spec["pm"], *spec["approvers"]]
    async with engine.begin() as connection:
        await connection.execute(insert(workspaces), [{
            "id": WORKSPACE, "platform": Platform.SLACK, "external_id": spec["team"],
            "name": "Bench"}])  # fmt: skip
        await connection.execute(insert(people), [
            {"id": n, "platform": Platform.SLACK, "org_id": spec["team"], "user_id": user,
             "display_name": user.lower(), "timezone": "UTC"}
            for n, user in enumerate(users, start=PM_ID)])  # fmt: skip
        await connection.execute(insert(projects), [{
            "id": PROJECT, "workspace_id": WORKSPACE, "key": "BEN", "name": "Bench",
            "channel_id": spec["channel"], "created_at": now, "checkin_day": 2,
            "checkin_time": time(9, 30), "approval_rule": ApprovalRule.ALL, "quorum": None,
            "approval_order": ApprovalOrder.PARALLEL, "state": ProjectState.ACTIVE,
            "row_version": 1}])  # fmt: skip
        await connection.execute(insert(participants), [
            {"project_id": PROJECT, "person_id": n, "role": role,
             "customer_kind": CustomerKind.EXTERNAL if role is Role.CUSTOMER else None}
            for n, role in ((n, Role.CUSTOMER if n > PM_ID else Role.PM)
                            for n in range(PM_ID, PM_ID + len(users)))])  # fmt: skip
        await connection.execute(insert(change_requests), [
            {"id": cr, "project_id": PROJECT, "requested_by": PM_ID, "created_at": now,
             "state": CRState.PENDING, "source": "bench", "row_version": 1}
            for cr in spec["changes"]])  # fmt: skip
        await connection.execute(insert(change_request_versions), [
            {"change_request_id": cr, "number": 1, "title": f"Change {cr}",
             "description": "Bench change", "scope": "", "schedule_days": 1,
             "cost": Decimal("100"), "reason": "Bench", "author_id": PM_ID, "created_at": now,
             "due_at": None}
            for cr in spec["changes"]])  # fmt: skip
