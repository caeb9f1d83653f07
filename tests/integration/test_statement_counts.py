"""What one stored decision costs the database, counted statement by statement.

Not a timing: a count that only grows when a change loads or writes more than it needs.
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal

from bot.bootstrap import bootstrap
from tests.integration.statement_helpers import ALICE, AT, PM, recorded, website
from workflow.domain.changes import Verdict
from workflow.flows.change_requests.messages import CreateChangeRequest, DecideChange
from workflow.persistence.db import upgrade_async

# BEGIN (SQLite only), the inbound id, the actor, the change request with its versions and
# questions joined, its decisions, the project with its people joined, the update and the
# decision, the project's next-due moment brought forward for the scheduler (PostgreSQL
# only: SQLite's write transaction knows the loaded row is current, and the project is
# already due), the names on the card, the outbox row (one INSERT for all of a command's),
# the project's open check-ins (those that carry the decided card get their copy updated:
# flows/checkins keep_current), and the audit head's move from where this process last left
# it and its entries (once per command, just before commit): 13. PostgreSQL also takes the
# change request's row lock in a statement of its own before reading it: 14.
MOST = {"sqlite": 13, "postgresql": 14}


def counted(statements: list[str]) -> Counter[str]:
    kinds: Counter[str] = Counter()
    for statement in statements:
        found = re.search(r"\bFROM (\w+)", statement)
        if statement.lstrip().upper().startswith("SELECT") and found:
            kinds[f"SELECT {found.group(1)}"] += 1
    return kinds


async def test_a_decision_loads_each_thing_once_and_costs_at_most_13_or_14_statements(
    db_url: str,
) -> None:
    await upgrade_async(db_url)
    runtime = bootstrap(db_url, deliver_after_commit=False)
    try:
        project_id = await website(runtime)
        change = await runtime.bus.handle(
            CreateChangeRequest(
                actor=PM, at=AT, project_id=project_id, title="Dark mode", cost=Decimal(1)
            )
        )
        assert change.subject_id is not None
        decide = DecideChange(
            actor=ALICE, at=AT, event_id="slack:action:1", change_id=change.subject_id,
            version=1, verdict=Verdict.APPROVE,
        )  # fmt: skip
        with recorded(runtime.engine.sync_engine) as statements:
            reply = await runtime.bus.handle(decide)
    finally:
        await runtime.close()

    assert "recorded" in reply.text
    selects = counted(statements)
    # PostgreSQL takes the change request's row lock first and reads it after, so a decision
    # that waited sees what the writer before it committed (SqlRepository.get).
    locked = 2 if db_url.startswith("postgresql") else 1
    assert selects["SELECT change_requests"] == locked and selects["SELECT projects"] == 1
    # Versions and questions come joined to the change request, participants to the project.
    assert selects["SELECT change_request_decisions"] == 1
    assert not (selects["SELECT change_request_versions"] or selects["SELECT participants"])
    assert len(statements) <= MOST[db_url.partition("+")[0]], "\n".join(statements)
