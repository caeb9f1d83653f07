"""The `clientloop` command line: serve, scheduler, db, audit, keys rotate, export, evidence,
status, version.

Each command imports what it needs when it runs, so `clientloop --help` or `version` loads
neither SQLAlchemy, Alembic, pydantic nor a chat SDK.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import socket
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, TypeAlias

from bot.cli_audit import add_audit_commands
from bot.cli_evidence import add_evidence_commands
from bot.cli_export import add_export_commands
from bot.cli_keys import add_keys_commands
from bot.cli_status import add_status_commands

if TYPE_CHECKING:
    from bot.settings import Settings

Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
# A handler gets the parsed arguments and returns the process exit code.
Handler = Callable[[argparse.Namespace], int]
STARTUP_FAILURE = 3  # uvicorn's code when the app's startup failed


def add_serve(commands: Subparsers) -> None:
    """`clientloop serve`: the ASGI app on uvicorn."""
    parser = commands.add_parser("serve", help="run the server")
    parser.add_argument("--host", help="address to listen on (default: HOST)")
    parser.add_argument("--port", type=int, help="port to listen on (default: PORT)")
    parser.add_argument(
        "--no-scheduler", action="store_true", help="do not run scheduled jobs in this process"
    )
    parser.set_defaults(handler=serve)


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from bot.app import create_app
    from bot.failures import listening_socket

    settings = _settings()
    host, port = args.host or settings.host, settings.port if args.port is None else args.port
    # Bound before the app starts (uvicorn binds after the lifespan): a taken port stops
    # `serve` here, before the scheduler has ticked or Slack has been asked anything.
    sock = listening_socket(host, port)
    # Where this process really listens: the sandbox's Web API URL points back at it.
    settings = settings.model_copy(update={"host": host, "port": sock.getsockname()[1]})
    app = create_app(settings, run_scheduler=not args.no_scheduler)
    sandbox = getattr(app.state, "sandbox", None)
    log = logging.getLogger("clientloop")

    class Server(uvicorn.Server):
        async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
            await super().shutdown(sockets)
            # Said here: after a SIGTERM uvicorn raises it again once `run` is over, and
            # the process ends before any line after `run` could be written.
            log.info("clientloop serve stopped")

    server = Server(
        uvicorn.Config(
            app,
            log_level=settings.clientloop_log_level.lower(),
            # uvicorn's loggers then reach the root handler, with our format and filters.
            log_config=None,
        )
    )
    shown = f"[{host}]" if ":" in host else host  # an IPv6 address, as a URL writes it
    runs = what_runs(app.state.settings, scheduler=not args.no_scheduler, sandbox=bool(sandbox))
    log.info("clientloop serve starting: %s", runs)
    log.info("listening on http://%s:%d", shown, port)
    if sandbox is not None and settings.clientloop_log_format == "text":
        # Said plainly for whoever ran `make run`; JSON logs have the lifespan's line.
        print(f"Sandbox: {sandbox.page_url}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how `serve` is stopped
        server.run(sockets=[sock])
    return 0 if server.started else STARTUP_FAILURE


def what_runs(
    settings: Settings, *, scheduler: bool, http: bool = True, sandbox: bool = False
) -> str:
    """What this process runs, in one line: platforms, scheduler, database kind (no URL)."""
    platforms = [
        f"Slack {'on (sandbox)' if sandbox else 'on' if settings.slack_enabled else 'off'}",
        f"Teams {'on' if settings.teams_enabled else 'off'}",
    ]
    every = settings.clientloop_scheduler_tick_seconds
    ticking = f"scheduler on (every {every} s)" if scheduler else "scheduler off"
    serving = "HTTP server on" if http else "no HTTP server"
    database = settings.database_url.partition("+")[0]  # the backend's name, never the URL
    return f"{', '.join(platforms)}, {ticking}, {serving}, database {database}"


def add_scheduler(commands: Subparsers) -> None:
    """`clientloop scheduler`: only the scheduler, for a deployment that separates it."""
    commands.add_parser(
        "scheduler", help="run the scheduler alone (pair with `serve --no-scheduler`)"
    ).set_defaults(handler=scheduler_process)


def scheduler_process(_args: argparse.Namespace) -> int:
    from bot.scheduling import run_scheduler_process

    settings = _settings()
    log = logging.getLogger("clientloop")
    log.info("clientloop scheduler starting: %s", what_runs(settings, scheduler=True, http=False))
    asyncio.run(run_scheduler_process(settings))
    log.info("clientloop scheduler stopped")
    return 0


def add_db(commands: Subparsers) -> None:
    """`clientloop db upgrade|current`: the database schema."""
    parser = commands.add_parser("db", help="database schema")
    actions = parser.add_subparsers(dest="db_action", required=True, metavar="ACTION")
    up = actions.add_parser("upgrade", help="migrate the database to the newest schema")
    up.add_argument("revision", nargs="?", default="head")
    up.set_defaults(handler=db_upgrade)
    actions.add_parser("current", help="show the database's revision and the head").set_defaults(
        handler=db_current
    )


def db_upgrade(args: argparse.Namespace) -> int:
    from workflow.persistence.db import upgrade

    upgrade(_settings().database_url, args.revision)
    print(f"database upgraded to {args.revision}")
    return 0


def db_current(_args: argparse.Namespace) -> int:
    from workflow.persistence.db import describe, head_revisions

    current = asyncio.run(_current(_settings().database_url))
    print(f"current: {describe(current)}")
    print(f"head: {describe(head_revisions())}")
    return 0


async def _current(url: str) -> tuple[str, ...] | None:
    from workflow.persistence.db import current_revisions, make_engine

    engine = make_engine(url)
    try:
        return await current_revisions(engine)
    finally:
        await engine.dispose()


def add_version(commands: Subparsers) -> None:
    """`clientloop version`."""
    commands.add_parser("version", help="print the version").set_defaults(handler=print_version)


def print_version(_args: argparse.Namespace) -> int:
    try:
        print(f"clientloop {version('clientloop')}")
    except PackageNotFoundError:
        print("clientloop (not installed)")
    return 0


def add_audit(commands: Subparsers) -> None:
    """`clientloop audit verify|checkpoint`: the audit trail (see `bot.cli_audit`)."""
    add_audit_commands(commands, _settings)


def add_keys(commands: Subparsers) -> None:
    """`clientloop keys rotate`: re-encrypt the stored tokens (see `bot.cli_keys`)."""
    add_keys_commands(commands, _settings)


def add_export(commands: Subparsers) -> None:
    """`clientloop export`: projects' data as CSV and JSON files (see `bot.cli_export`)."""
    add_export_commands(commands, _settings)


def add_evidence(commands: Subparsers) -> None:
    """`clientloop evidence CR-12`: who approved what, and the proof (see `bot.cli_evidence`)."""
    add_evidence_commands(commands, _settings)


def add_status(commands: Subparsers) -> None:
    """`clientloop status`: processes, the sender, the outbox (see `bot.cli_status`)."""
    add_status_commands(commands, _settings)


# Each entry adds one subcommand; a new subcommand is one `add_*` function listed here.
SUBCOMMANDS: list[Callable[[Subparsers], None]] = [
    add_serve,
    add_scheduler,
    add_db,
    add_audit,
    add_keys,
    add_export,
    add_evidence,
    add_status,
    add_version,
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="clientloop", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in SUBCOMMANDS:
        add(commands)
    return parser


def _settings() -> Settings:
    from bot.log_format import configure_logging
    from bot.redaction import install_redaction
    from bot.settings import load_settings

    settings = load_settings()
    configure_logging(settings)  # text or JSON lines, the request id, quiet libraries
    install_redaction(settings)  # before anything logs: no token or password in the log
    return settings


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except Exception as exc:
        # Infrastructure (database, port) is one line and an exit code; a bug keeps its traceback.
        from bot.failures import explain
        from bot.settings import load_settings

        failure = explain(exc, load_settings().database_url)
        if failure is None:
            raise
        return failure.report()
