"""Fixtures for unit tests: the real bus over the in-memory unit of work."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.fakes import FakeUnitOfWork, Store
from workflow.domain import commands as c
from workflow.domain.commands import PersonRef
from workflow.domain.people import Identity, Platform
from workflow.domain.projects import CustomerKind
from workflow.flows import make_bus
from workflow.flows.projects.messages import CreateProject
from workflow.messagebus import MessageBus

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # a Monday


def ref(user: str, org: str = "T1", name: str = "", tz: str | None = None) -> PersonRef:
    return PersonRef(Identity(Platform.SLACK, org, user), name or user, tz)


PM, ALICE, BOB, CAROL, SPONSOR, MEMBER, STRANGER = (
    ref("UPM", name="Pam"),
    ref("UALICE", "TCUST", "Alice"),
    ref("UBOB", "TCUST", "Bob"),
    ref("UCAROL", name="Carol"),
    ref("USPONSOR", name="Sam"),
    ref("UMEMBER", name="Mo"),
    ref("USTRANGER", name="Stan"),
)


@dataclass
class World:
    """The bus over a store, with a clock that moves only when a test moves it."""

    store: Store
    bus: MessageBus
    now: datetime = T0
    project_id: int = 0
    ids: dict[str, int] = field(default_factory=dict)

    def tick(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    async def do(
        self, command_type: type[c.Command], actor: PersonRef | None, **kw: Any
    ) -> c.Reply:
        kw.setdefault("at", self.now)
        return await self.bus.handle(command_type(actor=actor, **kw))

    async def person_id(self, who: PersonRef) -> int:
        people = self.store.items["people"]
        return next(p.id for p in people if p.identity == who.identity)

    def sent_to(self, person_id: int) -> list[Any]:
        return [m for m in self.store.sent() if m.to and m.to.person_id == person_id]

    def item(self, kind: str, item_id: int) -> Any:
        """An item by its repository's old name ("changes") or its class name."""
        name = STORED_AS.get(kind, kind)
        return next(i for i in self.store.items[name] if i.id == item_id)


# Flow items are kept under their class name (see tests/fakes.py).
STORED_AS = {
    "changes": "ChangeRequest",
    "signoffs": "SignoffRequest",
    "reports": "StatusReport",
    "checkins": "CheckIn",
    "requests": "CustomerRequest",
    "notices": "Notice",
    "invitations": "Invitation",
    "closings": "Closing",
}


@pytest.fixture
def world() -> World:
    store = Store()
    return World(store, make_bus(lambda: FakeUnitOfWork(store)))


async def setup_project(world: World, *, external: bool = True, **kw: Any) -> int:
    customers = (
        (ALICE, CustomerKind.EXTERNAL if external else CustomerKind.INTERNAL),
        (CAROL, CustomerKind.INTERNAL),
    )
    kw.setdefault("customers", customers)
    kw.setdefault("sponsor", SPONSOR)
    kw.setdefault("members", (MEMBER,))
    reply = await world.do(
        CreateProject,
        PM,
        platform=Platform.SLACK,
        workspace_id="T1",
        channel_id=kw.pop("channel_id", "C1"),
        name="Website",
        key=kw.pop("key", "WEB"),
        **kw,
    )
    assert reply.subject_id is not None
    world.project_id = reply.subject_id
    return reply.subject_id


@pytest.fixture
async def project(world: World) -> int:
    return await setup_project(world)
