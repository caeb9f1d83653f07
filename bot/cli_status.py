"""`clientloop status`: the processes running against the database, which one sends, the
outbox's depth and age, and the next check-ins; what an operator looks at first."""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeAlias
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from bot.settings import Settings
    from workflow.persistence.operations import CheckinZone, OutboxDepth
    from workflow.persistence.presence import Seen

Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
NOBODY_SENDS = 1  # for monitoring: no process heard from lately holds the sender's turn
SHOWN_CHECKINS = 10
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Status:
    now: datetime
    heard_within: float  # seconds: processes silent longer are not shown
    alive_within: float  # seconds: a process silent longer has stopped or lost the database
    processes: list[Seen]
    outbox: OutboxDepth
    checkins: list[tuple[datetime, CheckinZone]]

    def alive(self, p: Seen) -> bool:
        return (self.now - p.seen_at).total_seconds() <= self.alive_within

    @property
    def sender(self) -> Seen | None:
        """The live process that last said it sends (a killed one's row says so until it ages)."""
        sending = [p for p in self.processes if p.sending and self.alive(p)]
        return max(sending, key=lambda p: p.seen_at, default=None)


def add_status_commands(commands: Subparsers, settings: Callable[[], Settings]) -> None:
    parser = commands.add_parser(
        "status", help="show the running processes, which one sends, the outbox, next check-ins"
    )
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="readable text (default) or JSON"
    )
    parser.set_defaults(handler=functools.partial(status, settings=settings))


def status(args: argparse.Namespace, settings: Callable[[], Settings]) -> int:
    """Print the status; exit 1 when no process heard from lately is sending."""
    loaded = settings()
    found = asyncio.run(_status(loaded.database_url, loaded.clientloop_heartbeat_seconds))
    print(json.dumps(_as_dict(found), indent=2) if args.format == "json" else as_text(found))
    return 0 if found.sender is not None else NOBODY_SENDS


async def _status(url: str, heartbeat: float) -> Status:
    from workflow.persistence import operations, presence
    from workflow.persistence.db import make_engine, make_sessionmaker

    engine = make_engine(url)
    try:
        sessions = make_sessionmaker(engine)
        now = datetime.now(UTC)
        within = max(60.0, 10 * heartbeat)
        seen = await presence.recent(sessions, now - timedelta(seconds=within))
        depth = await operations.outbox_depth(sessions, now)
        zones = await operations.checkin_zones(sessions)
    finally:
        await engine.dispose()
    slots = sorted(((next_checkin(z, now), z) for z in zones), key=lambda s: (s[0], s[1].key))
    return Status(now, within, 3 * heartbeat + 1, seen, depth, slots[:SHOWN_CHECKINS])


def next_checkin(zone: CheckinZone, now: datetime) -> datetime:
    """The next weekly check-in moment after `now` in `zone`, moved into working hours."""
    from workflow.domain.checkins import week_of
    from workflow.domain.schedule import slot_at

    local = ZoneInfo(zone.zone)
    week = week_of(now, local)
    for weeks in range(3):
        if (moment := slot_at(week + timedelta(weeks=weeks), zone.day, zone.at, local)) > now:
            return moment
    raise AssertionError("a weekly moment comes within three weeks")  # pragma: no cover


def as_text(s: Status) -> str:
    lines = [f"Processes heard from in the last {s.heard_within:.0f} s:"]
    lines += [_process_line(p, s) for p in s.processes] or ["  none"]
    sender = s.sender
    lines.append(
        f"Sender: {sender.host} pid {sender.pid} ({sender.role})"
        if sender
        else "Sender: none (no process holds the sender's turn; nothing is delivered)"
    )
    lines.append(_outbox_line(s.outbox, s.now))
    lines.append("Next check-ins (UTC; each customer's own day and time):")
    lines += [_checkin_line(at, z) for at, z in s.checkins] or ["  none (no active project)"]
    return "\n".join(lines)


def _process_line(p: Seen, s: Status) -> str:
    ago = (s.now - p.seen_at).total_seconds()
    up = _span((s.now - p.started_at).total_seconds())
    mark = "  <- sends" if p is s.sender else "" if s.alive(p) else "  (silent: stopped?)"
    return f"  {p.host:<20} pid {p.pid:<7} {p.role:<21} up {up:<6} seen {ago:.0f} s ago{mark}"


def _outbox_line(o: OutboxDepth, now: datetime) -> str:
    oldest = (
        f" (oldest due {_span((now - o.oldest_due).total_seconds())} ago)" if o.oldest_due else ""
    )
    return (
        f"Outbox: {o.due} due{oldest}, {o.in_flight} being sent, {o.later} waiting for a later "
        f"slot; {o.undeliverable_last_day} undeliverable in the last day"
    )


def _checkin_line(at: datetime, z: CheckinZone) -> str:
    people = f"{z.customers} customer{'s' if z.customers != 1 else ''}"
    when = f"{DAYS[z.day]} {z.at:%H:%M} {z.zone}"
    return f"  {at:%a %Y-%m-%d %H:%M}  {z.key:<10} {when}, {people}"


def _span(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f} {unit}"
    return f"{max(seconds, 0):.0f} s"


def _as_dict(s: Status) -> dict[str, Any]:
    sender = s.sender
    return {
        "now": s.now.isoformat(),
        "processes": [_times(asdict(p)) | {"alive": s.alive(p)} for p in s.processes],
        "sender": {"host": sender.host, "pid": sender.pid, "role": sender.role} if sender else None,
        "outbox": _times(asdict(s.outbox)),
        "next_checkins": [
            {
                "at": at.isoformat(),
                "project": z.key,
                "day": DAYS[z.day],
                "time": f"{z.at:%H:%M}",
                "zone": z.zone,
                "customers": z.customers,
            }
            for at, z in s.checkins
        ],
    }


def _times(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in values.items()}
