"""The floor of a durable decision: bare Bolt plus the decision's writes, as its own process.

`python -m bench.floor_app PORT API_URL SECRET TOKEN DATABASE_URL SEED`: the stack of
bench/bare_app.py (FastAPI + uvicorn + Bolt AsyncApp), but an Approve click is acked and
then stored in one transaction of SQLAlchemy Core on the real schema: the inbound event id,
the change request and its current version's decisions read by id, the decision, the change
request's row_version moved by compare-and-set, one outbox row and one audit entry chained
to the head. Then `respond` says thank you. At start-up it migrates DATABASE_URL (fresh) and
seeds what SEED (JSON, see bench/floor_seed.py) names. No ORM, card, sender or settling.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import CursorResult, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker

from bench.bare_app import on_fastapi
from bench.floor_seed import seed
from workflow.domain.audit import GENESIS, AuditEntry
from workflow.domain.change_versions import EDITABLE_FIELDS, Verdict
from workflow.domain.changes import CRState
from workflow.domain.content import canonical_json, content_hash
from workflow.domain.people import Platform
from workflow.domain.projects import Role
from workflow.persistence.db import make_engine, upgrade_async, write_turn
from workflow.persistence.dialects import insert_for
from workflow.persistence.tables import (
    change_request_decisions as decisions,
)
from workflow.persistence.tables import (
    change_request_versions as versions,
)
from workflow.persistence.tables import (
    change_requests,
    participants,
    people,
)
from workflow.persistence.tables_delivery import audit_entries, audit_head, inbound_events, outbox

log = logging.getLogger("bench.floor_app")
ATTEMPTS = 3  # a transaction that lost a race is tried again, as the message bus does
SORRY = "Something went wrong; please click again in a minute."
HEAD_ID = 1

FIRST_TIME = {
    name: insert_for(name, inbound_events)
    .values(key=bindparam("key"), received_at=bindparam("at"))
    .on_conflict_do_nothing(index_elements=[inbound_events.c.key])
    for name in ("postgresql", "sqlite")
}
_newer = versions.alias("newer")
_latest = select(func.max(_newer.c.number)).where(
    _newer.c.change_request_id == change_requests.c.id
)
# The change request at the clicked (current) version, and the clicker if an approver of it;
# the row lock (PostgreSQL; SQLite's writer holds the database) serialises its deciders.
CHANGE = (
    select(
        change_requests.c.project_id,
        change_requests.c.row_version,
        change_requests.c.state,
        people.c.id.label("person_id"),
        people.c.display_name,
        *(versions.c[name] for name in ("number", *EDITABLE_FIELDS)),
    )
    .join(versions, versions.c.change_request_id == change_requests.c.id)
    .join(participants, participants.c.project_id == change_requests.c.project_id)
    .join(people, people.c.id == participants.c.person_id)
    .where(
        change_requests.c.id == bindparam("change_id"),
        versions.c.number == bindparam("version"),
        versions.c.number == _latest.scalar_subquery(),
        participants.c.role.in_([Role.CUSTOMER, Role.SPONSOR]),
        people.c.platform == Platform.SLACK,
        people.c.org_id == bindparam("team"),
        people.c.user_id == bindparam("user"),
    )
    .with_for_update(key_share=True, of=change_requests)
)
DECIDED = select(decisions.c.approver_id, decisions.c.verdict).where(
    decisions.c.change_request_id == bindparam("change_id"),
    decisions.c.version == bindparam("version"),
)
BUMP = (
    update(change_requests)
    .where(
        change_requests.c.id == bindparam("change_id"),
        change_requests.c.row_version == bindparam("seen"),
    )
    .values(row_version=change_requests.c.row_version + 1)
)
HEAD = (
    select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == HEAD_ID).with_for_update()
)
MOVE_HEAD = update(audit_head).where(audit_head.c.id == HEAD_ID)


class Conflict(Exception):
    """Another transaction moved the change request between our read and our write."""


@dataclass(frozen=True)
class Click:
    key: str  # the inbound event id, as handlers/slack/payloads.action_event_id makes it
    team: str
    user: str
    change_id: int
    version: int


def parse(body: dict[str, Any], action: dict[str, Any]) -> Click | None:
    kind, _, rest = str(action.get("value", "")).partition(":")
    change, _, version = rest.partition(":")
    if kind != "change_request" or not change.isdigit() or not version.isdigit():
        return None
    user, team = body["user"]["id"], body["team"]["id"]
    key = f"slack:action:{user}:{action.get('action_id', '')}:{action.get('action_ts', '')}"
    return Click(key, team, user, int(change), int(version))


@dataclass(frozen=True)
class Floor:
    engine: AsyncEngine
    turn: contextlib.AbstractAsyncContextManager[object]  # SQLite's writers in arrival order

    async def decide(self, click: Click) -> str:
        for _ in range(ATTEMPTS):
            try:
                async with self.turn, self.engine.begin() as connection:
                    return await decide(connection, click, datetime.now(UTC))
            except (Conflict, IntegrityError):
                # Lost a race (a unique key, or the compare-and-set): the next try reads
                # what the winner wrote, and a twin click is then answered as a duplicate.
                continue
            except SQLAlchemyError:
                log.exception("decision on CR-%s failed", click.change_id)
                return SORRY
        return SORRY


def already(click: Click) -> str:
    return f"You have already decided on CR-{click.change_id}; nothing changed."


async def decide(connection: AsyncConnection, click: Click, now: datetime) -> str:
    """Store one approval in the caller's transaction; the words to answer with."""
    first = FIRST_TIME[connection.dialect.name]
    if _rows(await connection.execute(first, {"key": click.key, "at": now})) == 0:
        return already(click)
    where = {"change_id": click.change_id, "version": click.version}
    row = (await connection.execute(CHANGE, {**where, "team": click.team,
                                             "user": click.user})).first()  # fmt: skip
    if row is None or row.state is not CRState.PENDING:
        return f"CR-{click.change_id} version {click.version} is not waiting for your decision."
    if any(d.approver_id == row.person_id for d in await connection.execute(DECIDED, where)):
        return already(click)
    shown = content_hash({name: getattr(row, name) for name in ("number", *EDITABLE_FIELDS)})
    await connection.execute(insert(decisions), {
        "change_request_id": click.change_id, "version": click.version,
        "approver_id": row.person_id, "verdict": Verdict.APPROVE, "reason": "", "at": now,
        "shown_hash": shown})  # fmt: skip
    if _rows(await connection.execute(BUMP, {"change_id": click.change_id,
                                             "seen": row.row_version})) != 1:  # fmt: skip
        raise Conflict
    await connection.execute(insert(outbox), {
        "created_at": now, "project_id": row.project_id, "card_key":
        f"change_request:{click.change_id}", "op": "update", "view": {"decided": row.person_id},
        "state": "pending", "attempts": 0, "available_at": now})  # fmt: skip
    actor = f"{Platform.SLACK}:{click.team}:{click.user} {row.display_name}"
    await chain(connection, actor, click, row.project_id, shown, now)
    return f"Thank you, your decision on CR-{click.change_id} is recorded."


async def chain(connection: AsyncConnection, actor: str, click: Click, project_id: int,
                shown: str, now: datetime) -> None:  # fmt: skip
    """Append the decision to the audit chain, as workflow/audit.py does: head locked last."""
    head = (await connection.execute(HEAD)).first()
    seq, prev = (head.seq, head.hash) if head else (0, GENESIS)
    entry = AuditEntry(
        seq=seq + 1, at=now, actor=actor, action="ChangeDecided",
        subject_kind="change_request", subject_id=click.change_id, project_id=project_id,
        version=click.version, shown_hash=shown, comment="",
        details=canonical_json({"verdict": Verdict.APPROVE.value}), prev_hash=prev,
    ).seal()  # fmt: skip
    sealed = {"seq": entry.seq, "hash": entry.hash}
    await connection.execute(
        insert(audit_entries), {**entry.content(), **sealed, "scheme": entry.scheme}
    )
    if _rows(await connection.execute(MOVE_HEAD, sealed)) == 0:
        # The first entry ever; a concurrent first writer fails on the unique seq.
        await connection.execute(insert(audit_head), {"id": HEAD_ID, **sealed})


def _rows(result: Any) -> int:
    return int(result.rowcount) if isinstance(result, CursorResult) else 0


def build(api_url: str, secret: str, token: str, url: str, spec: dict[str, Any]) -> FastAPI:
    client = AsyncWebClient(base_url=api_url, token=token)
    bolt = AsyncApp(signing_secret=secret, client=client)
    floors: list[Floor] = []

    @bolt.action("cl.approve")
    async def approve(ack: Any, body: dict[str, Any], action: dict[str, Any],
                      respond: Any) -> None:  # fmt: skip
        await ack()
        click = parse(body, action)
        await respond(await floors[0].decide(click) if click else "Not a change request.")

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await upgrade_async(url)
        engine = make_engine(url)
        await seed(engine, spec)
        floors.append(Floor(engine, write_turn(async_sessionmaker(engine))))
        yield
        await engine.dispose()

    return on_fastapi(bolt, lifespan)


def main() -> None:
    port, api_url, secret, token, url, seed_file = sys.argv[1:7]
    app = build(api_url, secret, token, url, json.loads(Path(seed_file).read_text()))
    uvicorn.run(app, host="127.0.0.1", port=int(port), log_level="info")


if __name__ == "__main__":
    main()
