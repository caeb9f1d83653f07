"""`clientloop serve` with no credentials: the real bot behind the sandbox, over real HTTP."""

import asyncio
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.settings import Settings
from tests.integration.test_serve_process import free_port, serve_command, wait_for_health
from workflow.persistence.db import upgrade_async

ROOT = Path(__file__).resolve().parents[2]
PM = "U0PM"
CHANNEL = "C0PROJECT"


@pytest.fixture
def served(tmp_path: Path, sqlite_url: str) -> Iterator[str]:
    """The sandbox's base URL, with `clientloop serve` run in sandbox mode on a free port."""
    asyncio.run(upgrade_async(sqlite_url))
    port = free_port()
    settings = {name.upper() for name in Settings.model_fields}
    env = {k: v for k, v in os.environ.items() if k.upper() not in settings}
    # PYTHONPATH: the sandbox package is found even in a venv installed before it existed.
    env |= {"DATABASE_URL": sqlite_url, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(serve_command(port), cwd=tmp_path, env=env)
    try:
        wait_for_health(f"http://127.0.0.1:{port}/healthz", server, seconds=180)
        yield f"http://127.0.0.1:{port}/sandbox"
    finally:
        server.terminate()
        server.wait(timeout=15)


def until(look: Callable[[], dict[str, Any]], ok: Callable[[dict[str, Any]], bool]) -> Any:
    """Polls the sandbox's state until `ok` (the bot answers after its ack), or fails."""
    deadline = time.monotonic() + 30
    while True:
        seen = look()
        if ok(seen) or time.monotonic() > deadline:
            return seen
        time.sleep(0.2)


def test_the_pm_creates_a_project_through_the_sandbox(served: str) -> None:
    with httpx.Client(base_url=served, timeout=30) as http:

        def state() -> dict[str, Any]:
            body: dict[str, Any] = http.get(
                "/state", params={"as": PM, "conversation": CHANNEL}
            ).json()
            return body

        assert 'data-testid="composer"' in http.get(served).text
        sent = http.post(
            "/act", json={"as": PM, "kind": "command", "conversation": CHANNEL, "text": "/loop new"}
        )
        assert sent.json()["ok"] is True, sent.text
        modal = until(state, lambda s: s["modal"] is not None)["modal"]
        assert modal is not None, "no modal opened"
        assert "new_project" in modal["callback_id"]
        typed = {
            "name": "Apollo", "key": "APL", "customers_internal": ["U0CUSTOMER"],
            "customers_external": ["U0EXTCUSTOMER"], "sponsor": "U0SPONSOR",
            "members": ["U0MEMBER"], "checkin_day": "0", "checkin_time": "09:30",
        }  # fmt: skip
        wanted = {i["block_id"] for i in modal["inputs"]}
        submitted = http.post(
            "/act",
            json={"as": PM, "kind": "submit", "view_id": modal["view_id"],
                  "values": {k: v for k, v in typed.items() if k in wanted}},
        )  # fmt: skip

        assert submitted.json()["ok"] is True, submitted.text
        after = until(state, lambda s: any("Apollo" in m["html"] for m in s["messages"]))
        assert after["modal"] is None
        cards = [m for m in after["messages"] if "Apollo" in m["html"] and not m["ephemeral"]]
        assert cards, after["messages"]
        assert "Casey Quinn" in cards[0]["html"]
        assert "Erin Okafor" in cards[0]["html"]
