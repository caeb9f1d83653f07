"""The read model's SQL for what waits on whom says what the domain says.

Random projects (customers internal and external, a sponsor or none, every approval rule,
quorum and order) and random histories of change requests (decisions, questions and their
answers, edits, withdrawals), made through the real use cases on a real SQLite database;
then pending's rows, from SQL, must be exactly what the flows' `waiting_in` computes from
the domain objects: the same items, people, titles and times, in the same order.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.bootstrap import Runtime, bootstrap
from workflow.domain.change_versions import Verdict
from workflow.domain.changes import ChangeRequest
from workflow.domain.commands import PersonRef
from workflow.domain.errors import Refused
from workflow.domain.people import Identity, Platform
from workflow.domain.projects import ApprovalOrder, ApprovalRule, CustomerKind
from workflow.flows.change_requests import messages as m
from workflow.flows.projects.messages import CreateProject, SetApprovalPolicy
from workflow.flows.views import views_of
from workflow.flows.waiting import shown_waiting, waiting_in
from workflow.persistence.db import upgrade_async

AT = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
PM = PersonRef(Identity(Platform.SLACK, "T1", "UPM"), "PM")


class Clock:
    def now(self) -> datetime:
        return AT


def person(name: str) -> PersonRef:
    return PersonRef(Identity(Platform.SLACK, "T1", name), name)


STEP = st.tuples(
    # Mostly approvals, so that policies get to their later turns before anything settles.
    st.sampled_from(["approve"] * 6 + ["reject", "ask", "answer", "edit", "withdraw"]),
    st.integers(0, 3),  # which change request
    st.integers(0, 4),  # who acts (an index into the customers, the sponsor and the PM)
    st.integers(0, 2),  # minutes after the previous step (0: the same moment, a tie)
)
PLAN = st.fixed_dictionaries(
    {
        "kinds": st.lists(st.sampled_from(list(CustomerKind)), min_size=1, max_size=4),
        "sponsor": st.sampled_from(["none", "own", "a customer"]),
        "rule": st.sampled_from(list(ApprovalRule)),
        "quorum": st.integers(1, 4),
        "order": st.sampled_from(list(ApprovalOrder)),
        "changes": st.integers(1, 4),
        "steps": st.lists(STEP, min_size=6, max_size=24),
    }
)


async def act(runtime: Runtime, command: Any) -> None:
    # A step the domain refuses (not your turn, already decided) changes nothing.
    with contextlib.suppress(Refused):
        await runtime.bus.handle(command)


async def build(runtime: Runtime, n: int, plan: dict[str, Any]) -> int | None:
    """A project made as `plan` says (None when the domain refuses it as planned)."""
    customers = tuple((person(f"U{n}C{i}"), k) for i, k in enumerate(plan["kinds"]))
    internal = [c for c, k in customers if k is CustomerKind.INTERNAL]
    sponsor = {"none": None, "own": person(f"U{n}S"), "a customer": None}[plan["sponsor"]]
    if plan["sponsor"] == "a customer" and internal:
        sponsor = internal[0]
    if sponsor is None and any(k is CustomerKind.EXTERNAL for _, k in customers):
        sponsor = person(f"U{n}S")
    create = CreateProject(
        actor=PM, at=AT, platform=Platform.SLACK, workspace_id="T1", channel_id=f"C{n}",
        name=f"P{n}", key=f"P{n}", customers=customers, sponsor=sponsor,
    )  # fmt: skip
    made = await runtime.bus.handle(create)
    project_id = made.subject_id
    assert project_id is not None
    quorum = plan["quorum"] if plan["rule"] is ApprovalRule.QUORUM else None
    policy = SetApprovalPolicy(
        actor=PM, at=AT, project_id=project_id, rule=plan["rule"], quorum=quorum,
        order=plan["order"],
    )  # fmt: skip
    await act(runtime, policy)
    return project_id


async def play(runtime: Runtime, n: int, plan: dict[str, Any]) -> int | None:
    project_id = await build(runtime, n, plan)
    assert project_id is not None
    people = [*(person(f"U{n}C{i}") for i in range(len(plan["kinds"]))), person(f"U{n}S"), PM]
    at, changes = AT, []
    for c in range(plan["changes"]):
        at += timedelta(minutes=c % 2)
        new = m.CreateChangeRequest(actor=PM, at=at, project_id=project_id, title=f"C{c}")
        made = await runtime.bus.handle(new)
        changes.append(made.subject_id)
    for verb, which, who, later in plan["steps"]:
        at += timedelta(minutes=later)
        change_id, actor = changes[which % len(changes)], people[who % len(people)]
        await act(runtime, await step(runtime, verb, change_id, actor, at))
    return project_id


async def step(runtime: Runtime, verb: str, change_id: int, actor: PersonRef, at: datetime) -> Any:
    async with runtime.read_uow() as uow:
        (change,) = await views_of(uow).find(ChangeRequest, id=change_id)
    stamp: dict[str, Any] = {"actor": actor, "at": at, "change_id": change_id}
    by_pm = {**stamp, "actor": PM}
    if verb in ("approve", "reject"):
        verdict = Verdict.APPROVE if verb == "approve" else Verdict.REJECT
        return m.DecideChange(**stamp, version=change.current.number, verdict=verdict, reason="r")
    if verb == "ask":
        return m.AskAboutChange(**stamp, text="why?")
    if verb == "answer":
        open_ = change.open_questions()
        question = open_[0].id if open_ else 0
        return m.AnswerQuestion(**by_pm, question_id=question or 0, text="because")
    if verb == "edit":
        return m.EditChangeRequest(**by_pm, changes={"cost": Decimal(at.minute + 1)})
    return m.WithdrawChange(**by_pm)


async def compare(runtime: Runtime, project_id: int) -> None:
    async with runtime.read_uow() as uow:
        project, _ = await views_of(uow).project(project_id)
        assert project is not None
        domain = sorted((w.pending for w in await waiting_in(uow, project)), key=lambda i: i.since)
        assert await shown_waiting(uow, [project], None, 1000) == domain
        assert await shown_waiting(uow, [project], None, 3) == domain[:3]
        for who in {p.person_id for p in project.participants}:
            mine = [i for i in domain if i.waiting_on == who]
            assert await shown_waiting(uow, [project], who, 1000) == mine


def test_pending_rows_from_sql_are_what_the_domain_waits_on(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'waiting.db'}"
    numbers = itertools.count(1)
    with asyncio.Runner() as runner:
        runner.run(upgrade_async(url))
        runtime = bootstrap(url, clock=Clock(), deliver_after_commit=False)

        @settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
        @given(PLAN)
        def check(plan: dict[str, Any]) -> None:
            n = next(numbers)
            try:
                project_id = runner.run(play(runtime, n, plan))
            except Refused:
                return  # a team the domain refuses to make (a sponsor who is external)
            assert project_id is not None
            runner.run(compare(runtime, project_id))

        try:
            check()
        finally:
            runner.run(runtime.close())
