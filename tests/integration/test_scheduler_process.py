"""`clientloop scheduler` runs on its own, ticks against the database, and stops on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys

import httpx
from prometheus_client.parser import text_string_to_metric_families

from workflow.persistence.db import upgrade_async


def scheduler_env(sqlite_url: str, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CLIENTLOOP_"))}
    return env | {"DATABASE_URL": sqlite_url, "CLIENTLOOP_SCHEDULER_TICK_SECONDS": "1"} | settings


async def start_scheduler(env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "scheduler", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip


async def read_until(process: asyncio.subprocess.Process, marker: bytes) -> bytes:
    assert process.stdout is not None
    seen = b""
    async with asyncio.timeout(20):
        while marker not in seen:
            seen += await process.stdout.readline()
    return seen


async def stopped(process: asyncio.subprocess.Process) -> bytes:
    """SIGTERM, then everything it wrote after that."""
    process.send_signal(signal.SIGTERM)
    rest, _ = await asyncio.wait_for(process.communicate(), 20)
    return rest


async def test_the_scheduler_process_ticks_and_stops_cleanly_on_sigterm(sqlite_url: str) -> None:
    await upgrade_async(sqlite_url)
    process = await start_scheduler(scheduler_env(sqlite_url))
    seen = b""
    try:
        seen = await read_until(process, b"scheduler ticking every 1 s")
        await asyncio.sleep(1.5)  # at least one more tick against the real database
    finally:
        rest = await stopped(process)
    output = (seen + rest).decode()
    assert process.returncode == 0, output
    assert "Traceback" not in output


async def test_the_scheduler_process_serves_its_own_metrics(sqlite_url: str) -> None:
    await upgrade_async(sqlite_url)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = scheduler_env(sqlite_url, CLIENTLOOP_SCHEDULER_METRICS_PORT=str(port), HOST="127.0.0.1")
    process = await start_scheduler(env)
    seen = b""
    try:
        seen = await read_until(process, b"scheduler metrics on")
        async with httpx.AsyncClient() as http:
            scraped = await http.get(f"http://127.0.0.1:{port}/metrics")
    finally:
        rest = await stopped(process)
    assert process.returncode == 0, (seen + rest).decode()
    assert scraped.status_code == 200
    families = {f.name: f for f in text_string_to_metric_families(scraped.text)}
    assert families["clientloop_outbox_pending_messages"].samples[0].value == 0
    assert "clientloop_scheduler_lag_seconds" in families
