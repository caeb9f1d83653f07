"""Tampering with the audit trail by someone who can write to the database but holds no key:
each way of cutting or rewriting the chain is caught by the key, by a checkpoint, or both."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from tests.fakes import FakeUnitOfWork, Store
from tests.unit.conftest import ALICE, PM, World, setup_project
from workflow import audit, queries
from workflow.audit import derive_keys, verify_trail
from workflow.domain.audit import (
    GENESIS,
    HMAC_V1,
    SHA256,
    UNKEYED,
    AuditEntry,
    AuditKeys,
    ChainHead,
)
from workflow.domain.checkpoints import Checkpoint, parse
from workflow.flows import make_bus
from workflow.flows.feedback import SendFeedback
from workflow.flows.insight import exports
from workflow.flows.requests import SendRequest

SECRET = "6f1c0b9e4a7d2f3851e6c09ab4d7f2e1938c5b0a7e6d4f21c3b8a9e0d5f7c2a1"
OTHER_SECRET = "0d9a3e7c51b2f8460ace93d17b5f2e08c6a4d1f97e3b50c2a8d6f41e9b7c3a05"
KEYS = derive_keys([SECRET])
AT = datetime(2026, 12, 5, 16, 0, tzinfo=UTC)


def keyed_world(keys: AuditKeys) -> World:
    store = Store()
    return World(store, make_bus(lambda: FakeUnitOfWork(store, keys)))


@pytest.fixture
def world() -> World:
    """The bus writing a keyed chain, as a deployment with CLIENTLOOP_SECRET_KEY does."""
    return keyed_world(KEYS)


async def busy(world: World, project: int) -> None:
    """A few more entries after the project's own."""
    await world.do(SendRequest, ALICE, project_id=project, text="More reports")
    await world.do(SendFeedback, ALICE, project_id=project, text="Thanks")
    await world.do(SendFeedback, ALICE, project_id=project, text="Great week")


async def problems(world: World, keys: AuditKeys = KEYS, *against: Checkpoint) -> list[str]:
    async with FakeUnitOfWork(world.store, keys) as uow:
        return await verify_trail(uow, against)


async def checkpoint_now(world: World, keys: AuditKeys = KEYS) -> Checkpoint:
    async with FakeUnitOfWork(world.store, keys) as uow:
        return await audit.checkpoint(uow, world.now)


def reseal_from(world: World, first: int, scheme: str | None = None) -> None:
    """What someone without the key can do: recompute every hash from entry `first` on with
    the project's own public hash function (optionally relabelling the scheme), and move
    the head along, so the chain links up again."""
    entries = world.store.audit
    prev = entries[first - 2].hash if first > 1 else GENESIS
    for entry in entries[first - 1 :]:
        entry.prev_hash, entry.scheme = prev, scheme or entry.scheme
        entry.hash = prev = entry.compute_hash()
    world.store.head = ChainHead(entries[-1].seq, prev)


def cut_tail(world: World, keep: int) -> None:
    """Delete every entry after `keep` and roll the head back onto the new last entry."""
    del world.store.audit[keep:]
    last = world.store.audit[-1] if world.store.audit else None
    world.store.head = ChainHead(last.seq, last.hash) if last else None


async def test_new_entries_are_sealed_with_hmac_under_the_derived_key(
    world: World, project: int
) -> None:
    await busy(world, project)
    entries = world.store.audit
    assert {e.scheme for e in entries} == {HMAC_V1}
    assert all(e.hash != e.compute_hash() for e in entries)  # not the public function
    assert await problems(world) == []


async def test_an_edit_resealed_with_the_public_hash_function_is_caught_by_the_key(
    world: World, project: int
) -> None:
    await busy(world, project)
    world.store.audit[1].comment = "nobody asked for reports"
    reseal_from(world, 2)

    found = await problems(world)
    assert "entry 2 was changed after it was written" in found
    assert await problems(world, UNKEYED) != []  # the keyed seals cannot even be checked


async def test_an_edit_resealed_as_plain_sha256_is_caught_as_a_fall_back_from_the_key(
    world: World, project: int
) -> None:
    await busy(world, project)
    world.store.audit[2].comment = "forged"
    reseal_from(world, 3, scheme=SHA256)

    found = await problems(world)
    assert any(
        "entry 3 is sealed without the key, after entries sealed with it" in p for p in found
    )


async def test_a_whole_chain_rewritten_as_plain_sha256_is_caught_by_a_checkpoint(
    world: World, project: int
) -> None:
    await busy(world, project)
    point = await checkpoint_now(world)
    world.store.audit[0].comment = "forged"
    reseal_from(world, 1, scheme=SHA256)

    found = await problems(world, KEYS, point)
    assert any("is not the one the checkpoint of" in p and "rewritten" in p for p in found)


async def test_deleting_the_last_entries_and_rolling_the_head_back_is_caught_by_a_checkpoint(
    world: World, project: int
) -> None:
    await busy(world, project)
    point = await checkpoint_now(world)
    cut_tail(world, keep=2)

    assert await problems(world) == []  # the chain alone cannot tell: this is the finding
    found = await problems(world, KEYS, point)
    assert found == [
        f"the checkpoint of {point.at.isoformat()} saw entry 4, which is no longer in the "
        "chain: entries were deleted"
    ]


async def test_deleting_every_entry_and_the_head_is_caught_by_a_checkpoint(
    world: World, project: int
) -> None:
    await busy(world, project)
    point = await checkpoint_now(world)
    world.store.audit.clear()
    world.store.head = None

    assert await problems(world) == []
    assert any("no longer in the chain" in p for p in await problems(world, KEYS, point))


async def test_a_checkpoint_still_holds_once_the_chain_grows(world: World, project: int) -> None:
    point = await checkpoint_now(world)
    await busy(world, project)
    assert await problems(world, KEYS, point) == []


async def test_a_checkpoint_edited_to_fit_a_cut_chain_fails_its_signature(
    world: World, project: int
) -> None:
    await busy(world, project)
    point = await checkpoint_now(world)
    cut_tail(world, keep=2)
    last = world.store.audit[-1]
    forged = dataclasses.replace(point, seq=last.seq, hash=last.hash)

    found = await problems(world, KEYS, forged)
    assert any("signature that does not match" in p for p in found)


async def test_an_unsigned_or_foreign_checkpoint_cannot_vouch_for_a_keyed_chain(
    world: World, project: int
) -> None:
    await busy(world, project)
    unsigned = await checkpoint_now(world, UNKEYED)
    foreign = await checkpoint_now(world, derive_keys([OTHER_SECRET]))

    assert any("is not signed" in p for p in await problems(world, KEYS, unsigned))
    assert any("does not match" in p for p in await problems(world, KEYS, foreign))


@pytest.mark.parametrize("keys", [KEYS, UNKEYED], ids=["keyed", "unkeyed"])
@pytest.mark.parametrize("tamper", ["edit", "insert", "delete first", "delete last", "no head"])
async def test_what_was_caught_before_is_still_caught(keys: AuditKeys, tamper: str) -> None:
    world = keyed_world(keys)
    project = await setup_project(world)
    await busy(world, project)
    entries = world.store.audit
    if tamper == "edit":
        entries[1].comment = "forged"
    elif tamper == "insert":
        entries.insert(1, dataclasses.replace(entries[1], comment="slipped in").seal(keys))
    elif tamper == "delete first":
        del entries[0]
    elif tamper == "delete last":
        del entries[-1]
    else:
        world.store.head = None
    assert await problems(world, keys) != []


async def test_entries_from_before_the_key_still_verify_and_later_ones_are_keyed() -> None:
    world = keyed_world(UNKEYED)  # an existing database: written before the key was set
    project = await setup_project(world)
    world.bus = make_bus(lambda: FakeUnitOfWork(world.store, KEYS))
    await busy(world, project)

    schemes = [e.scheme for e in world.store.audit]
    assert schemes[0] == SHA256 and schemes[-1] == HMAC_V1
    assert schemes == sorted(schemes, key=[SHA256, HMAC_V1].index)
    assert await problems(world) == []


async def test_a_rotated_key_still_verifies_what_the_old_one_sealed_and_never_goes_back(
    world: World, project: int
) -> None:
    rotated = derive_keys([OTHER_SECRET, SECRET])
    world.bus = make_bus(lambda: FakeUnitOfWork(world.store, rotated))
    await busy(world, project)

    assert await problems(world, rotated) == []
    assert await problems(world, derive_keys([OTHER_SECRET])) != []  # old entries: no key
    # An entry sealed with the retired key after the new one took over: someone holds it.
    old_key = derive_keys([SECRET])
    world.store.audit[-1].seal(old_key)
    world.store.head = ChainHead(world.store.audit[-1].seq, world.store.audit[-1].hash)
    assert any("older key" in p for p in await problems(world, rotated))


async def test_without_a_key_keyed_entries_are_reported_as_unchecked(
    world: World, project: int
) -> None:
    await busy(world, project)
    found = await problems(world, UNKEYED)
    assert len(found) == 1 and "CLIENTLOOP_SECRET_KEY, which is not set here" in found[0]


async def test_verifying_with_the_wrong_key_says_so_once(world: World, project: int) -> None:
    await busy(world, project)
    found = await problems(world, derive_keys([OTHER_SECRET]))
    assert found[-1].startswith("no keyed entry matches the key given")


def test_no_secret_gives_no_key_rather_than_a_made_up_one() -> None:
    assert derive_keys([]) == UNKEYED and derive_keys([""]) == UNKEYED
    assert not UNKEYED.keyed


def test_the_entry_key_and_the_checkpoint_key_differ_and_stay_the_same_per_secret() -> None:
    assert KEYS.seal[0] != KEYS.sign[0]
    assert derive_keys([SECRET]) == KEYS != derive_keys([OTHER_SECRET])


async def test_the_digest_and_the_export_carry_a_checkpoint_that_verifies(
    world: World, project: int
) -> None:
    await busy(world, project)
    async with FakeUnitOfWork(world.store, KEYS) as uow:
        digest = await queries.digest_view(uow, PM.identity, project, world.now)
        files = (await exports.answer(uow, PM.identity, project, world.now)).files
    (line,) = parse(dict(digest.fields)["Audit checkpoint (keep a copy)"])
    (exported,) = parse(files["web-audit-checkpoint.json"])
    assert line == exported and line.seq == len(world.store.audit) and line.signature

    cut_tail(world, keep=3)
    assert any("no longer in the chain" in p for p in await problems(world, KEYS, line))


def test_a_checkpoint_reads_back_from_its_line_its_json_and_a_file_of_several() -> None:
    point = Checkpoint(7, "ab" * 32, AT, "cd" * 32)
    unsigned = dataclasses.replace(point, signature="")
    text = f"Digest · WEB\n  {point.line()}  \n{unsigned.as_json()}\n"

    assert parse(point.line()) == parse(point.as_json()) == [point]
    assert parse(text) == [point, unsigned]
    assert parse(f"[{point.as_json()}, {unsigned.as_json()}]") == [point, unsigned]
    assert parse(f"{point.as_json()}\n{unsigned.as_json()}\n") == [point, unsigned]  # cron's file


@pytest.mark.parametrize(
    "text",
    ["", "hello", '{"seq": 1}', "clientloop-audit-checkpoint seq=x", '{"kind": "x"}'],
)
def test_anything_else_is_not_taken_for_a_checkpoint(text: str) -> None:
    with pytest.raises(ValueError):
        parse(text)


def test_an_entry_sealed_without_a_key_keeps_todays_hash() -> None:
    entry = AuditEntry(1, AT, "system", "X", "k", None, None, None, "", "", "", GENESIS)
    assert entry.seal().hash == entry.compute_hash() and entry.scheme == SHA256
