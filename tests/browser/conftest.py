"""A real `clientloop serve` in sandbox mode, and Debian's chromium to look at it.

The browser tests skip, saying why, when Playwright's Python client or Debian's chromium
is missing, unless CLIENTLOOP_REQUIRE_BROWSER=1 (then they fail). Playwright never
downloads a browser here: it drives the chromium found on this machine.
"""

from __future__ import annotations

import importlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "build" / "browser-artifacts"
DEBIAN_CHROMIUM = Path("/usr/bin/chromium")


def chromium() -> str | None:
    """Debian's chromium, or any `chromium` on PATH."""
    if DEBIAN_CHROMIUM.exists():
        return str(DEBIAN_CHROMIUM)
    return shutil.which("chromium")


def missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        importlib.import_module("playwright.async_api")
    except ImportError:
        return "Playwright's Python client is not installed (pip install playwright)"
    if chromium() is None:
        return "Debian's chromium is not installed (apt-get install chromium; `make test` does it)"
    return None


@pytest.fixture
def chromium_path() -> str:
    """The chromium to drive; skips (or fails with CLIENTLOOP_REQUIRE_BROWSER=1) without it."""
    reason = missing()
    if reason is not None:
        if os.environ.get("CLIENTLOOP_REQUIRE_BROWSER") == "1":
            pytest.fail(f"CLIENTLOOP_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    path = chromium()
    assert path is not None
    return path


@pytest.fixture
def artifacts() -> Path:
    """Where the journey's screenshots go (build/ is removed by `make clean`)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _clientloop() -> list[str]:
    script = Path(sys.executable).parent / "clientloop"
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot"]


def _wait_ready(url: str, server: subprocess.Popen[bytes], seconds: float) -> None:
    """Polls /readyz while the server lives; `seconds` is only a net for a hung start."""
    deadline = time.monotonic() + seconds
    while True:
        assert server.poll() is None, "clientloop serve exited early"
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, f"{url} did not answer 200"
        time.sleep(0.2)


@pytest.fixture
def sandbox_url(tmp_path: Path) -> Iterator[str]:
    """`clientloop serve` as `make run` starts it with no settings: the sandbox's page URL."""
    port = free_port()
    settings = {name.upper() for name in Settings.model_fields}
    env = {k: v for k, v in os.environ.items() if k.upper() not in settings}
    env |= {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/journey.db",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        # The sandbox package is found even in a venv installed before it existed.
        "PYTHONPATH": str(ROOT),
    }
    subprocess.run([*_clientloop(), "db", "upgrade"], cwd=tmp_path, env=env, check=True)
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(
        [*_clientloop(), "serve"], cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        _wait_ready(f"http://127.0.0.1:{port}/readyz", server, seconds=180)
        yield f"http://127.0.0.1:{port}/sandbox"
    finally:
        server.terminate()
        server.wait(timeout=15)
        log.close()
        if ARTIFACTS.exists():
            shutil.copyfile(tmp_path / "serve.log", ARTIFACTS / "serve.log")
