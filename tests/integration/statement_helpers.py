"""What the statement-count tests share: the project they count in, and a recorder of every
statement the engines send."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, event

from bot.bootstrap import Runtime
from workflow.domain.commands import PersonRef
from workflow.domain.people import Identity, Platform
from workflow.domain.projects import CustomerKind
from workflow.flows.projects.messages import CreateProject

AT = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def ref(user: str) -> PersonRef:
    return PersonRef(Identity(Platform.SLACK, "T1", user), user)


PM, ALICE, BOB = ref("UPM"), ref("UA"), ref("UB")


async def website(runtime: Runtime) -> int:
    """Project WEB in channel C1: PM UPM, internal customers UA and UB; its id."""
    customers = ((ALICE, CustomerKind.INTERNAL), (BOB, CustomerKind.INTERNAL))
    made = await runtime.bus.handle(
        CreateProject(
            actor=PM, at=AT, platform=Platform.SLACK, workspace_id="T1", channel_id="C1",
            name="Website", key="WEB", customers=customers,
        )
    )  # fmt: skip
    assert made.subject_id is not None
    return made.subject_id


@contextmanager
def recorded(*engines: Engine) -> Iterator[list[str]]:
    """Every statement sent on `engines` while the block runs (each engine counted once)."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    unique = set(engines)
    for engine in unique:
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        for engine in unique:
            event.remove(engine, "before_cursor_execute", record)
