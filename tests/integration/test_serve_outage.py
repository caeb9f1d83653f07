"""A database outage while `serve` runs: one WARNING per tick, no traceback, and it recovers."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from tests.integration.cli_process import Running, free_port, run
from tests.integration.tcp_proxy import TcpProxy


async def test_ticks_without_a_database_warn_in_one_line_and_recover_when_it_returns(
    tmp_path: Path,
) -> None:
    # The database's directory is missing: every connection fails until it is made.
    home = tmp_path / "database"
    settings = {"DATABASE_URL": f"sqlite:///{home}/clientloop.db"}
    port = str(free_port())
    server = await Running.start(
        tmp_path, "serve", "--host", "127.0.0.1", "--port", port,
        CLIENTLOOP_SCHEDULER_TICK_SECONDS="1", **settings,
    )  # fmt: skip
    try:
        warning = await server.until("scheduler tick failed", count=2)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            not_ready = await client.get("/readyz")
            home.mkdir()
            assert run(tmp_path, "db", "upgrade", **settings).returncode == 0
            await server.until("scheduler tick ran again")
            ready = await client.get("/readyz")
    finally:
        log = await server.stop()

    assert "WARNING" in warning and "DATABASE_URL" in warning
    assert "unable to open database file" in warning
    assert not_ready.status_code == 503
    assert ready.status_code == 200, ready.text
    assert "Traceback" not in log
    assert "raised an exception" not in log  # APScheduler's words before a traceback


@pytest.mark.postgres
async def test_postgresql_going_away_while_serving_warns_per_tick_and_recovers(
    tmp_path: Path, postgres_url: str
) -> None:
    real = make_url(postgres_url)
    proxy = TcpProxy((real.host or "127.0.0.1", real.port or 5432))
    await proxy.up()
    through = real.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    settings = {"DATABASE_URL": through, "CLIENTLOOP_SCHEDULER_TICK_SECONDS": "1"}
    # In a thread: the proxy forwards on this test's event loop.
    upgraded = await asyncio.to_thread(run, tmp_path, "db", "upgrade", **settings)
    assert upgraded.returncode == 0, upgraded.stderr
    server = await Running.start(tmp_path, "serve", "--port", str(free_port()), **settings)
    try:
        await server.until("scheduler ticking")
        await proxy.down()  # pooled connections are cut, new ones refused
        warning = await server.until("scheduler tick failed", count=2)
        await proxy.up()
        await server.until("scheduler tick ran again")
    finally:
        log = await server.stop()
        await proxy.down()

    assert "WARNING" in warning and "DATABASE_URL" in warning
    assert "Traceback" not in log
    assert "raised an exception" not in log
