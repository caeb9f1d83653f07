"""The real `clientloop serve` and `clientloop scheduler` with CLIENTLOOP_LOG_FORMAT=json:
uvicorn's lines and ours are all JSON; uvicorn's access line carries the request id the
response echoes; the start says what runs (without the database URL) and the stop is said."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from tests.integration.cli_process import Running, free_port
from workflow.persistence.db import upgrade_async


def _parsed(log: str) -> list[dict[str, Any]]:
    lines = [json.loads(text) for text in log.splitlines() if text.strip()]
    assert all(isinstance(line, dict) for line in lines)
    return lines


def _one(lines: list[dict[str, Any]], start: str) -> dict[str, Any]:
    [found] = [line for line in lines if line["message"].startswith(start)]
    return found


async def test_serve_logs_json_lines_with_the_request_id_on_the_access_line(
    tmp_path: Path, sqlite_url: str
) -> None:
    await upgrade_async(sqlite_url)
    port = free_port()
    server = await Running.start(
        tmp_path, "serve", "--host", "127.0.0.1", "--port", str(port), "--no-scheduler",
        DATABASE_URL=sqlite_url, CLIENTLOOP_LOG_FORMAT="json", CLIENTLOOP_SANDBOX="0",
    )  # fmt: skip
    try:
        await server.until("Application startup complete")
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            given = await client.get("/healthz", headers={"X-Request-ID": "from-the-proxy-42"})
            made = await client.get("/readyz")
        await server.until("/readyz")
    finally:
        log = await server.stop()

    lines = _parsed(log)
    assert given.headers["X-Request-ID"] == "from-the-proxy-42"
    access = [line for line in lines if line["logger"] == "uvicorn.access"]
    assert [line["request_id"] for line in access] == [
        "from-the-proxy-42", made.headers["X-Request-ID"],
    ]  # fmt: skip
    started = _one(lines, "clientloop serve starting")
    assert started["message"].endswith(
        "Slack off, Teams off, scheduler off, HTTP server on, database sqlite"
    )
    assert _one(lines, "clientloop serve stopped")["request_id"] is None
    # Outside requests (start, stop) the id is null; uvicorn's own lines are JSON too.
    assert [
        line for line in lines if line["logger"] != "uvicorn.access" and line["request_id"]
    ] == []
    assert {"uvicorn.error", "uvicorn.access", "clientloop"} <= {line["logger"] for line in lines}


async def test_the_scheduler_process_says_what_runs_and_that_it_stopped(
    tmp_path: Path, sqlite_url: str
) -> None:
    await upgrade_async(sqlite_url)
    scheduler = await Running.start(
        tmp_path, "scheduler", DATABASE_URL=sqlite_url, CLIENTLOOP_LOG_FORMAT="json",
        CLIENTLOOP_SCHEDULER_TICK_SECONDS="7",
    )  # fmt: skip
    try:
        await scheduler.until("clientloop scheduler running")  # stops on SIGTERM from here
    finally:
        log = await scheduler.stop()

    lines = _parsed(log)
    assert _one(lines, "clientloop scheduler starting")["message"].endswith(
        "Slack off, Teams off, scheduler on (every 7 s), no HTTP server, database sqlite"
    )
    assert _one(lines, "clientloop scheduler stopped")["level"] == "INFO"
    assert scheduler.process.returncode == 0, log
