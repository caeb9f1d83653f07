"""`clientloop audit verify|checkpoint`: check the audit trail, and take checkpoints of it."""

from __future__ import annotations

import argparse
import asyncio
import functools
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from bot.settings import Settings
    from workflow.domain.checkpoints import Checkpoint

# As in bot.cli, which calls `add_audit_commands` (importing it back would make a cycle).
Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"

UNKEYED_NOTE = (
    "CLIENTLOOP_SECRET_KEY is not set: entries are sealed with plain sha256, which anyone "
    "who can write to the database can recompute; only a checkpoint kept elsewhere shows "
    "a rewritten or cut chain"
)
NO_CHECKPOINT_NOTE = (
    "no checkpoint given: deleting the last entries and rolling the head back would not "
    "show; pass --checkpoint FILE (from `clientloop audit checkpoint`, an export or a digest)"
)


def add_audit_commands(commands: Subparsers, settings: Callable[[], Settings]) -> None:
    """`clientloop audit verify [--checkpoint FILE]` and `clientloop audit checkpoint`;
    `settings` loads the settings (and sets up logging) as every command does."""
    parser = commands.add_parser("audit", help="the audit trail")
    actions = parser.add_subparsers(dest="audit_action", required=True, metavar="ACTION")
    verify = actions.add_parser(
        "verify", help="check that no audit entry was edited, inserted or deleted"
    )
    verify.add_argument(
        "--checkpoint",
        action="append",
        default=[],
        metavar="FILE",
        help="also check that the chain still holds what the checkpoints in FILE saw "
        "(JSON from `audit checkpoint` or an export, or a digest's line); repeatable",
    )
    verify.set_defaults(handler=functools.partial(audit_verify, settings=settings))
    actions.add_parser(
        "checkpoint",
        help="print a signed checkpoint of the chain's head (JSON); keep it outside the database",
    ).set_defaults(handler=functools.partial(audit_checkpoint, settings=settings))


def audit_verify(args: argparse.Namespace, settings: Callable[[], Settings]) -> int:
    loaded = settings()
    try:
        points = [point for path in args.checkpoint for point in read_checkpoints(path)]
    except ValueError as exc:
        print(f"clientloop: {exc}", file=sys.stderr)
        return 2
    counts, problems = asyncio.run(_verify(loaded.database_url, loaded.secret_keys, points))
    # Notes go to stderr: stdout stays the verdict a script reads.
    for note in _notes(counts, bool(loaded.secret_keys), points):
        print(f"audit: note: {note}", file=sys.stderr)
    for problem in problems:
        print(f"audit: {problem}")
    total = sum(counts.values())
    if problems:
        print(f"audit trail BROKEN: {len(problems)} problem(s) in {total} entries")
        return 1
    held = f", holds {len(points)} checkpoint(s)" if points else ""
    print(f"audit trail verified: {total} entries, chain intact{held}")
    return 0


def read_checkpoints(path: str) -> list[Checkpoint]:
    """The checkpoints in the file at `path`; ValueError names the file and what is wrong."""
    from workflow.domain.checkpoints import parse

    try:
        return parse(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"cannot read the checkpoint file {path}: {exc.strerror}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: {exc}") from None


def _notes(counts: dict[str, int], keyed: bool, points: Sequence[Checkpoint]) -> list[str]:
    """What the verdict does not cover, said plainly next to it."""
    from workflow.domain.audit import SHA256

    notes = [] if keyed else [UNKEYED_NOTE]
    if keyed and counts.get(SHA256):
        notes.append(
            f"{counts[SHA256]} entries are sealed with plain sha256 (written before "
            "CLIENTLOOP_SECRET_KEY was set): a checkpoint taken since vouches for them"
        )
    if not points:
        notes.append(NO_CHECKPOINT_NOTE)
    return notes


async def _verify(
    url: str, secrets: Sequence[str], points: Sequence[Checkpoint]
) -> tuple[dict[str, int], list[str]]:
    from bot.bootstrap import bootstrap
    from workflow.audit import verify_trail
    from workflow.domain.audit import schemes

    runtime = bootstrap(url, deliver_after_commit=False, secret_keys=secrets)
    try:
        async with runtime.uow() as uow:
            return schemes(await uow.audit.entries()), await verify_trail(uow, points)
    finally:
        await runtime.close()


def audit_checkpoint(_args: argparse.Namespace, settings: Callable[[], Settings]) -> int:
    loaded = settings()
    point = asyncio.run(_checkpoint(loaded.database_url, loaded.secret_keys))
    print(point.as_json())
    if not point.signature:
        print(f"clientloop: this checkpoint is unsigned: {UNKEYED_NOTE}", file=sys.stderr)
    return 0


async def _checkpoint(url: str, secrets: Sequence[str]) -> Checkpoint:
    from bot.bootstrap import bootstrap
    from workflow.audit import checkpoint

    runtime = bootstrap(url, deliver_after_commit=False, secret_keys=secrets)
    try:
        async with runtime.read_uow() as uow:
            return await checkpoint(uow, runtime.clock.now())
    finally:
        await runtime.close()
