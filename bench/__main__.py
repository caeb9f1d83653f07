"""`make bench`: requests at 16 connections against bare Bolt and `clientloop serve`, memory
and start-up, a fan-out of 500 check-ins within Slack's limits, reads at scale,
micro-benchmarks; one table, and bench/results.json."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import signal
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from types import FrameType

from bench import fanout, live, paths, report, scale
from bench.micro import run_micro
from bench.procs import stop_all

RESULTS = Path(__file__).resolve().parent / "results.json"
SIZES = (1_000, 10_000, 100_000)
READ_TIMEOUT = 60.0  # per call
READ_SLOW = 20.0  # a read slower than this is not tried at the next size
READ_BUDGET = 240.0  # no new size starts after this many seconds of the stage


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.machine())  # fmt: skip
    return f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}"


def on_term(signum: int, frame: FrameType | None) -> None:
    stop_all()
    sys.exit(128 + signum)


def main() -> None:
    signal.signal(signal.SIGTERM, on_term)
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="clientloop-bench-") as folder:
            work = Path(folder)
            print("requests: bare Bolt and clientloop serve ...", file=sys.stderr, flush=True)
            requests = asyncio.run(live.run_requests(work))
            print("fan-out: /loop checkin now to 500 customers ...", file=sys.stderr, flush=True)
            fanned = asyncio.run(fanout.run_fanout(work))
            print("reads at scale ...", file=sys.stderr, flush=True)
            reads, seeded = asyncio.run(
                scale.run_reads(work, SIZES, READ_TIMEOUT, READ_SLOW, READ_BUDGET)
            )
            micro = run_micro()
    finally:
        stop_all()
    rows = [*report.path_rows(requests), *report.process_rows(requests),
            *report.fanout_rows(fanned), *report.read_rows(reads)]  # fmt: skip
    rows.append(report.Row("micro", "raw SQLite insert transaction (ms)", micro["raw_insert_ms"]))
    rows.append(report.Row("micro", "one command through the bus (ms)", micro["bus_command_ms"]))
    total = time.perf_counter() - started
    print(report.table(rows))
    print(report.footer(requests, seeded, total, machine()))
    RESULTS.write_text(json.dumps({
        "machine": machine(), "seconds": total, "connections": paths.CONNECTIONS,
        "seconds_per_path": paths.SECONDS,
        "table": [{**asdict(r), "ratio": r.ratio} for r in rows],
        "requests": asdict(requests), "reads": [asdict(r) for r in reads],
        "fanout": {**asdict(fanned), "ratio": fanned.ratio},
        "seed_seconds": seeded, "micro": micro}, indent=1))  # fmt: skip


if __name__ == "__main__":
    main()
