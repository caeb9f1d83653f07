"""The read model names missed check-ins as the domain does, on SQLite and PostgreSQL.

A PM's `pending` asks one indexed statement for who missed which check-in of the last four
weeks; random histories of check-ins on a real SQLite database must give exactly what
`missed_checkins` computes from the domain objects, in the same order.
"""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.bootstrap import Runtime, bootstrap
from tests.integration.statement_helpers import ALICE, AT, BOB, PM, website
from workflow.domain.checkins import CheckIn, CheckInState
from workflow.domain.commands import PersonRef
from workflow.domain.insight import Missed, missed_checkins
from workflow.domain.people import Identity, Platform
from workflow.domain.projects import CustomerKind
from workflow.flows.projects.messages import CreateProject
from workflow.flows.views import views_of
from workflow.persistence.db import upgrade_async
from workflow.persistence.views import SqlViews
from workflow.presentation.answers import Origin, Words

WEEK = date(2026, 11, 30)  # the Monday of AT's week
SINCE = WEEK - timedelta(weeks=3)
MISSED_TITLE = "Missed check-ins (last 4 weeks)"


class Clock:
    def now(self) -> datetime:
        return AT


def weeks_ago(n: int) -> date:
    return WEEK - timedelta(weeks=n)


async def person_id(runtime: Runtime, who: PersonRef) -> int:
    async with runtime.read_uow() as uow:
        found = await views_of(uow).person_id(who.identity)
    assert found is not None
    return found


async def add(runtime: Runtime, checkins: list[CheckIn]) -> None:
    async with runtime.uow() as uow:
        for checkin in checkins:
            await uow.repo(CheckIn).add(checkin)
        await uow.commit()


def checkin(project: int, person: int, week: date, state: CheckInState) -> CheckIn:
    sent = datetime.combine(week, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
    return CheckIn(project, person, week, sent, state=state)


async def test_a_pms_pending_names_who_missed_which_week_and_a_customers_does_not(
    db_url: str,
) -> None:
    await upgrade_async(db_url)
    runtime = bootstrap(db_url, clock=Clock(), deliver_after_commit=False)
    try:
        project = await website(runtime)
        a, b, pm = [await person_id(runtime, who) for who in (ALICE, BOB, PM)]
        M = CheckInState.MISSED
        await add(runtime, [
            checkin(project, a, weeks_ago(0), M), checkin(project, a, weeks_ago(2), M),
            checkin(project, b, weeks_ago(0), CheckInState.ANSWERED),
            checkin(project, b, weeks_ago(4), M),  # older than four weeks
            checkin(project, pm, weeks_ago(1), M),  # not a customer
        ])  # fmt: skip
        origin = Origin(Platform.SLACK, "T1", "C1", PM)
        whole = await runtime.dispatcher.handle(origin, Words("pending"))
        mine = await runtime.dispatcher.handle(
            Origin(Platform.SLACK, "T1", "C1", ALICE), Words("pending")
        )
        async with runtime.read_uow() as uow:
            views = uow.views
            assert isinstance(views, SqlViews)
            first = await views.missed_checkins(project, SINCE, 1)
            none = await views.missed_checkins(project, WEEK + timedelta(weeks=1), 10)
    finally:
        await runtime.close()

    assert dict(whole.view.fields)[MISSED_TITLE] == "UA — weeks of 16 November and 30 November"
    assert mine.view.fields == ()
    assert first == ([Missed(a, weeks_ago(0))], 2)
    assert none == ([], 0)


def person(name: str) -> PersonRef:
    return PersonRef(Identity(Platform.SLACK, "T1", name), name)


# Each check-in: who (an index into the customers, then two people who are not customers),
# which week (weeks ago), and its state.
CHECKINS = st.dictionaries(
    st.tuples(st.integers(0, 5), st.integers(0, 6)),
    st.sampled_from(list(CheckInState)),
    max_size=24,
)


async def play(runtime: Runtime, n: int, customers: int, plan: dict[Any, CheckInState]) -> None:
    people = [person(f"U{n}C{i}") for i in range(customers)]
    made = await runtime.bus.handle(
        CreateProject(
            actor=PM, at=AT, platform=Platform.SLACK, workspace_id="T1", channel_id=f"C{n}",
            name=f"P{n}", key=f"P{n}",
            customers=tuple((p, CustomerKind.INTERNAL) for p in people),
            members=(person(f"U{n}M"),),
        )
    )  # fmt: skip
    project = made.subject_id
    assert project is not None
    ids = [await person_id(runtime, p) for p in people]
    others = [await person_id(runtime, p) for p in (person(f"U{n}M"), PM)]
    await add(runtime, [
        checkin(project, ids[who] if who < customers else others[who - 4], weeks_ago(ago), state)
        for (who, ago), state in plan.items() if who < customers or who >= 4
    ])  # fmt: skip
    async with runtime.read_uow() as uow:
        views = uow.views
        assert isinstance(views, SqlViews)
        every = await views_of(uow).find(CheckIn, project_id=project)
        domain = missed_checkins(every, ids, SINCE)
        for limit in (1, 3, 100):
            assert await views.missed_checkins(project, SINCE, limit) == (
                list(domain[:limit]),
                len(domain),
            )


def test_missed_checkins_from_sql_are_what_the_domain_counts_as_missed(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'missed.db'}"
    numbers = itertools.count(1)
    with asyncio.Runner() as runner:
        runner.run(upgrade_async(url))
        runtime = bootstrap(url, clock=Clock(), deliver_after_commit=False)

        @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
        @given(st.integers(1, 4), CHECKINS)
        def check(customers: int, plan: dict[Any, CheckInState]) -> None:
            runner.run(play(runtime, next(numbers), customers, plan))

        try:
            check()
        finally:
            runner.run(runtime.close())
