"""`python -m bench.dispatch [N ...]`: what one read request costs the server, through the
dispatcher as the adapters call it: `/loop help`, `/loop pending` (as the PM and as a
customer), the App Home and a card, on a SQLite file seeded by `bench.scale.seed`.

Sequential calls after a warm-up, in-process, wired as `bot.bootstrap` wires a server (its
write engine and its read pool). Prints, per read, the wall and CPU milliseconds per call
(the median of several rounds) and the SQL statements per call (BEGIN and ROLLBACK count).
`--keep DIR` keeps the seeded files there, so a second run skips the seeding.
`--wide` seeds instead one project like the live bench's: a PM, a sponsor, 10 external
customers and 60 open change requests, each waiting on every customer (600 waiting entries,
of which pending shows 60).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bench.scale import NOW, FixedClock, seed, seed_wide
from bot.bootstrap import bootstrap
from workflow.domain.commands import PersonRef
from workflow.domain.people import Identity, Platform
from workflow.presentation.answers import Origin, Words

WARM_UP = 30
CALLS = 100
ROUNDS = 3
Read = Callable[[], Awaitable[object]]


def origin(user: str, channel: str = "C0000001") -> Origin:
    person = PersonRef(Identity(Platform.SLACK, "T0001", user), f"Person {user}", "UTC")
    return Origin(Platform.SLACK, "T0001", channel, person)


def reads(dispatcher: Any) -> dict[str, Read]:
    pm, customer = origin("U0000001"), origin("U0000002")
    return {
        "help (PM)": lambda: dispatcher.handle(pm, Words("help")),
        "pending (PM)": lambda: dispatcher.handle(pm, Words("pending")),
        "pending (customer)": lambda: dispatcher.handle(customer, Words("pending")),
        "home (PM)": lambda: dispatcher.home(pm),
        "home (customer)": lambda: dispatcher.home(customer),
        "card (customer)": lambda: dispatcher.card(customer, "change_request:1"),
    }


async def per_call(read: Read, calls: int) -> tuple[float, float]:
    """Wall and CPU milliseconds per call over `calls` sequential calls."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(calls):
        await read()
    return (
        (time.perf_counter() - wall) * 1e3 / calls,
        (time.process_time() - cpu) * 1e3 / calls,
    )


async def measure(path: Path, calls: int) -> dict[str, tuple[float, float, float]]:
    runtime = bootstrap(f"sqlite+aiosqlite:///{path}", clock=FixedClock())
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    engines = {runtime.engine.sync_engine, runtime.read_engine.sync_engine}
    figures: dict[str, tuple[float, float, float]] = {}
    try:
        for name, read in reads(runtime.dispatcher).items():
            for _ in range(WARM_UP):
                await read()
            for engine in engines:
                event.listen(engine, "before_cursor_execute", record)
            statements.clear()
            await read()
            counted = len(statements)
            for engine in engines:
                event.remove(engine, "before_cursor_execute", record)
            rounds = [await per_call(read, calls) for _ in range(ROUNDS)]
            wall = statistics.median(r[0] for r in rounds)
            cpu = statistics.median(r[1] for r in rounds)
            figures[name] = (wall, cpu, counted)
    finally:
        await runtime.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.dispatch")
    parser.add_argument("sizes", nargs="*", type=int, help="projects (--wide: open CRs)")
    parser.add_argument("--keep", type=Path, help="keep (and reuse) seeded files here")
    parser.add_argument("--calls", type=int, default=CALLS)
    parser.add_argument("--show", action="store_true", help="print each read's answer once")
    parser.add_argument("--wide", action="store_true", help="one project, 60 open CRs")
    args = parser.parse_args()
    args.sizes = args.sizes or ([60] if args.wide else [1_000, 100_000])
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        for n in args.sizes:
            path = folder / (f"wide-{n}.db" if args.wide else f"dispatch-{n}.db")
            if not path.exists():
                seconds = asyncio.run((seed_wide if args.wide else seed)(path, n))
                print(f"{n:>7} projects seeded in {seconds:.1f} s", flush=True)
            if args.show:
                asyncio.run(show(path))
            for name, (wall, cpu, counted) in asyncio.run(measure(path, args.calls)).items():
                print(
                    f"{n:>7} projects  {name:<20} {wall:6.2f} ms wall {cpu:6.2f} ms CPU "
                    f"{counted:3.0f} statements",
                    flush=True,
                )


async def show(path: Path) -> None:
    runtime = bootstrap(f"sqlite+aiosqlite:///{path}", clock=FixedClock())
    try:
        for name, read in reads(runtime.dispatcher).items():
            print(f"--- {name} at {NOW:%Y-%m-%d}\n{await read()!r}")
    finally:
        await runtime.close()


if __name__ == "__main__":
    main()
