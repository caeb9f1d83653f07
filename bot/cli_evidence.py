"""`clientloop evidence CR-12`: the evidence record of a change request's decisions.

What each approver was shown (the version and its hash), who they were on their platform
and what they were called then, when (UTC and their own zone), their verdict and comment,
the other decisions on that version, and the audit entries that prove it; read by the
operator straight from the database, as readable text or JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from bot.settings import Settings
    from workflow.domain.evidence import Evidence

# As in bot.cli, which calls `add_evidence_commands` (importing it back would make a cycle).
Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
NOT_VERIFIED = 1  # as `audit verify`: the record was printed, but it does not hold
CONFIGURATION = 2  # as bot.failures: something the person running it must change first


def add_evidence_commands(commands: Subparsers, settings: Callable[[], Settings]) -> None:
    """`clientloop evidence CR-12 [--format text|json]`; `settings` loads the settings (and
    sets up logging) as every command does."""
    parser = commands.add_parser(
        "evidence",
        help="show who approved a change request, what exactly they saw, and the audit proof",
    )
    parser.add_argument("change", metavar="CR-12", help="the change request (CR-12, or 12)")
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="readable text (default) or JSON"
    )
    parser.set_defaults(handler=functools.partial(evidence, settings=settings))


def evidence(args: argparse.Namespace, settings: Callable[[], Settings]) -> int:
    """Print the record; exit 1 when a hash or the audit chain does not hold, 2 when there
    is no such change request."""
    from workflow.domain.errors import Refused
    from workflow.domain.evidence import as_dict
    from workflow.flows.change_requests.editing import change_ref
    from workflow.flows.change_requests.evidence import as_text

    loaded = settings()
    try:
        change_id = change_ref(args.change)
    except Refused:
        print(f"clientloop: {args.change!r} names no change request; give it as CR-12 or 12",
              file=sys.stderr)  # fmt: skip
        return CONFIGURATION
    try:
        record = asyncio.run(_record(loaded.database_url, loaded.secret_keys, change_id))
    except Refused as refused:
        print(f"clientloop: {refused.reason}", file=sys.stderr)
        return CONFIGURATION
    if args.format == "json":
        print(json.dumps(as_dict(record), indent=2, sort_keys=True, ensure_ascii=False))
    else:
        print(as_text(record))
    return 0 if record.verified else NOT_VERIFIED


async def _record(url: str, secrets: Sequence[str], change_id: int) -> Evidence:
    from bot.bootstrap import bootstrap
    from workflow.domain.errors import NotFound
    from workflow.flows.change_requests.evidence import load_evidence

    runtime = bootstrap(url, deliver_after_commit=False, secret_keys=secrets)
    try:
        async with runtime.read_uow() as uow:
            try:
                return await load_evidence(uow, change_id)
            except NotFound:
                raise NotFound(f"there is no change request CR-{change_id}") from None
    finally:
        await runtime.close()
