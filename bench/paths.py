"""One path under load: the generator's run, then what people received, counted per request."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.fake_api import FakeSlackApi
from bench.procs import Child

SECRET = "bench-signing-secret"
CONNECTIONS = 16
SECONDS = 10.0
MAX_REQUESTS = 12_000
SETTLE_SECONDS = 15.0
PY = sys.executable


@dataclass(frozen=True)
class PathFigures:
    """What one path got at 16 connections; rates per second of the run."""

    target: str
    path: str
    sent: int
    acks_per_s: float
    good_per_s: float
    good: int
    sorry: int
    unanswered: int
    errors: int
    ack_p50_ms: float
    ack_p99_ms: float
    seconds: float
    generator_cpu: float
    reply_p50_ms: float  # from sending the request to its first good reply
    reply_p99_ms: float


@dataclass(frozen=True)
class Body:
    """A request body and the response_url id its replies come back under."""

    reply_id: str
    body: bytes


async def run_load(child: Child, fake: FakeSlackApi, path: str, bodies: list[Body],
                   work: Path, target: str) -> PathFigures:  # fmt: skip
    spec = {"host": "127.0.0.1", "port": child.port, "secret": SECRET,
            "connections": CONNECTIONS, "seconds": SECONDS,
            "bodies": [b.body.decode() for b in bodies[:MAX_REQUESTS]]}  # fmt: skip
    slug = "".join(ch if ch.isalnum() else "-" for ch in f"{target} {path}")
    spec_file, out_file = work / f"{slug}.spec.json", work / f"{slug}.out.json"
    spec_file.write_text(json.dumps(spec))
    proc = await asyncio.create_subprocess_exec(PY, "-m", "bench.load", str(spec_file),
                                                str(out_file))  # fmt: skip
    await asyncio.wait_for(proc.wait(), SECONDS + 60)
    out = json.loads(out_file.read_text())
    # An answer in the acknowledgement has arrived already; the rest come through the fake.
    acked = {bodies[r[0]].reply_id for r in out["results"] if r[1] == 200 and not r[5]}
    await settle(fake, acked)
    found = figures(target, path, bodies, out, fake)
    print(f"  {target} {path}: {found}", file=sys.stderr, flush=True)
    return found


async def settle(fake: FakeSlackApi, acked: set[str]) -> None:
    """Done when every acked request got a reply, or SETTLE_SECONDS after the load stopped."""
    deadline, answered, seen = time.monotonic() + SETTLE_SECONDS, set[str](), 0
    while time.monotonic() < deadline and not acked <= answered:
        answered.update(r.key for r in fake.replies[seen:])
        seen = len(fake.replies)
        await asyncio.sleep(0.25)


def figures(target: str, path: str, bodies: list[Body], out: dict[str, Any],
            fake: FakeSlackApi) -> PathFigures:  # fmt: skip
    results: list[list[Any]] = out["results"]
    ids = {bodies[r[0]].reply_id: r for r in results}
    by_id: dict[str, list[Any]] = {}
    for reply in fake.replies:
        if reply.key in ids:
            by_id.setdefault(reply.key, []).append(reply)
    acked = [r for r in results if r[1] == 200 and not r[3]]
    # When each request's first good reply reached the person: in its ack, or at the fake.
    replied = {bodies[r[0]].reply_id: r[4] + r[2] for r in acked if r[5]}
    for key, rs in by_id.items():
        if key not in replied and any(not x.sorry for x in rs):
            replied[key] = min(x.at for x in rs if not x.sorry)
    sorry = {k for k, rs in by_id.items() if any(x.sorry for x in rs)}
    sorry |= {bodies[r[0]].reply_id for r in results if r[3]}
    span = max(out["elapsed"], max(replied.values(), default=0.0) - out["started"])
    lat = sorted(r[2] for r in acked) or [0.0]
    waits = sorted(at - ids[key][4] for key, at in replied.items()) or [0.0]  # from sending
    return PathFigures(
        target, path, len(results), len(acked) / out["elapsed"], len(replied) / span,
        len(replied), len(sorry), sum(1 for r in acked if bodies[r[0]].reply_id not in replied),
        sum(1 for r in results if r[1] != 200), _pct(lat, 0.5) * 1e3, _pct(lat, 0.99) * 1e3,
        span, out["cpu"] / out["elapsed"], _pct(waits, 0.5) * 1e3, _pct(waits, 0.99) * 1e3,
    )  # fmt: skip


def _pct(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]
