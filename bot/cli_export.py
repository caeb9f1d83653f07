"""`clientloop export`: projects' feedback, decisions and audit trail written as files.

The files are those `/loop export` sends a PM (`workflow.flows.insight.exports`), read by
the operator straight from the database: no chat identity is asked, closed projects too.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from bot.settings import Settings

# As in bot.cli, which calls `add_export_commands` (importing it back would make a cycle).
Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
CONFIGURATION = 2  # as bot.failures: something the person running it must change first


class NoSuchProject(Exception):
    """`--project KEY` names no project; the message says which keys there are."""


def add_export_commands(commands: Subparsers, settings: Callable[[], Settings]) -> None:
    """`clientloop export [--project KEY] [--format csv|json] [--out DIR]`; `settings` loads
    the settings (and sets up logging) as every command does."""
    parser = commands.add_parser(
        "export",
        help="write projects' feedback, decisions and audit trail as CSV and JSON files",
    )
    parser.add_argument("--project", metavar="KEY", help="only this project (default: all)")
    parser.add_argument(
        "--format", choices=("csv", "json"), help="only this format (default: both)"
    )
    parser.add_argument(
        "--out", metavar="DIR", default=".", help="where to write the files (default: here)"
    )
    parser.set_defaults(handler=functools.partial(export, settings=settings))


def export(args: argparse.Namespace, settings: Callable[[], Settings]) -> int:
    from workflow.flows.insight.exports import FORMATS

    loaded = settings()
    formats = (args.format,) if args.format else FORMATS
    try:
        files = asyncio.run(_files(loaded.database_url, loaded.secret_keys, args.project, formats))
    except NoSuchProject as exc:
        print(f"clientloop: {exc}", file=sys.stderr)
        return CONFIGURATION
    if not files:
        print("nothing to export: the database holds no project yet")
        return 0
    try:
        written = write(Path(args.out), files)
    except OSError as exc:
        why = exc.strerror or str(exc)
        print(f"clientloop: cannot write the export to {args.out}: {why}; choose another "
              "directory with --out, or let this user write there", file=sys.stderr)  # fmt: skip
        return CONFIGURATION
    for path in written:
        print(path)
    return 0


def write(out: Path, files: dict[str, str]) -> list[Path]:
    """Write every file into `out` (made if missing); the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        path = out / name
        path.write_text(text, encoding="utf-8", newline="")  # CSV keeps its own \r\n
        written.append(path)
    return written


async def _files(
    url: str, secrets: Sequence[str], key: str | None, formats: Sequence[str]
) -> dict[str, str]:
    """The files of the project with `key` (any case), or of every project, in one read."""
    from bot.bootstrap import bootstrap
    from workflow.flows.insight.exports import project_files

    runtime = bootstrap(url, deliver_after_commit=False, secret_keys=secrets)
    try:
        async with runtime.read_uow() as uow:
            projects = sorted(await uow.projects.find(), key=lambda p: (p.key, p.id or 0))
            chosen = [p for p in projects if key is None or p.key == key.strip().upper()]
            if key is not None and not chosen:
                keys = ", ".join(sorted({p.key for p in projects})) or "none yet"
                raise NoSuchProject(f"no project has the key {key!r}; the keys are: {keys}")
            shared = {k for k, n in Counter(p.key for p in chosen).items() if n > 1}
            now, files = runtime.clock.now(), dict[str, str]()
            for project in chosen:
                # Keys are unique per workspace: two workspaces' WEB get their ids in the names.
                prefix = f"{project.key.lower()}-{project.id}" if project.key in shared else ""
                files |= await project_files(uow, project, now, formats, prefix)
            return files
    finally:
        await runtime.close()
