"""What the reads a person makes cost the database, counted statement by statement: help,
pending (as the PM and as a customer) and the App Home, through the dispatcher.

Not a timing: a count that only grows when a read asks more than it shows. BEGIN counts;
the closing ROLLBACK is the driver's, not a statement.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from bot.bootstrap import Runtime, bootstrap
from tests.integration.statement_helpers import ALICE, AT, PM, recorded, website
from workflow.domain.commands import PersonRef
from workflow.domain.people import Platform
from workflow.flows.change_requests.messages import CreateChangeRequest
from workflow.persistence.db import upgrade_async
from workflow.presentation.answers import Origin, Words

# BEGIN and one statement: the person, the channel's project, its people and their names.
HELP = 2
# ... then the change requests' rows shown (one statement, cut at 60), and which of the
# other flows have open rows: however many change requests are open.
PENDING = 4
# ... and, to a PM or sponsor, who missed which check-in of the last four weeks (one more).
PM_PENDING = PENDING + 1
# BEGIN, the person with their open projects, their people and names; then as pending.
HOME = 7


class Clock:
    def now(self) -> datetime:
        return AT


def origin(who: PersonRef) -> Origin:
    return Origin(Platform.SLACK, "T1", "C1", who)


async def counted(runtime: Runtime, read: Callable[[], Awaitable[object]]) -> tuple[Any, int]:
    with recorded(runtime.engine.sync_engine, runtime.read_engine.sync_engine) as statements:
        answer = await read()
    return answer, len(statements)


async def test_help_pending_and_home_ask_the_database_a_fixed_few_statements(
    db_url: str,
) -> None:
    await upgrade_async(db_url)
    runtime = bootstrap(db_url, clock=Clock(), deliver_after_commit=False)
    pm, alice = PM, ALICE
    dispatcher = runtime.dispatcher
    pending: dict[int, tuple[Any, int, Any, int]] = {}
    try:
        project_id = await website(runtime)
        for n in range(60):
            title = "Dark mode" if n == 0 else f"Change {n + 1}"
            await runtime.bus.handle(
                CreateChangeRequest(
                    actor=pm, at=AT, project_id=project_id, title=title, cost=Decimal(1)
                )
            )
            if n + 1 not in (5, 60):
                continue
            whole, pm_count = await counted(
                runtime, lambda: dispatcher.handle(origin(pm), Words("pending"))
            )
            mine, customer_count = await counted(
                runtime, lambda: dispatcher.handle(origin(alice), Words("pending"))
            )
            pending[n + 1] = (whole, pm_count, mine, customer_count)
        helped, help_count = await counted(
            runtime, lambda: dispatcher.handle(origin(pm), Words("help"))
        )
        home, home_count = await counted(runtime, lambda: dispatcher.home(origin(alice)))
    finally:
        await runtime.close()

    assert "`/loop change`" in helped.text
    for changes, (whole, _, mine, _) in pending.items():
        assert whole.view.text.count("CR-1 Dark mode: waiting on") == 2
        assert whole.view.text.count("\n") + 1 == min(2 * changes, 60)
        assert mine.view.text.startswith("CR-1 Dark mode: waiting on UA for 0 h")
        assert mine.view.text.count("\n") + 1 == changes
    assert home.pending[0].title == "CR-1 · Dark mode (version 1)"
    assert help_count <= HELP
    # Pending asks as many statements of 60 open change requests as of 5.
    assert pending[5][1] == pending[60][1] <= PM_PENDING
    assert pending[5][3] == pending[60][3] <= PENDING + 1  # the customer's open projects
    assert home_count <= HOME
