"""`clientloop serve` starts a real server process that answers /healthz."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def serve_command(port: int) -> list[str]:
    script = Path(sys.executable).parent / "clientloop"
    launcher = [str(script)] if script.exists() else [sys.executable, "-m", "bot"]
    return [*launcher, "serve", "--host", "127.0.0.1", "--port", str(port), "--no-scheduler"]


def wait_for_health(url: str, server: subprocess.Popen[bytes], seconds: float) -> httpx.Response:
    """Polls while the server lives; `seconds` is a safety net for a hung start, far above
    what a start takes even with every core busy (the test waits for the condition)."""
    deadline = time.monotonic() + seconds
    while True:
        assert server.poll() is None, "the server exited early"
        try:
            return httpx.get(url, timeout=1)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_clientloop_serve_answers_healthz(tmp_path: Path) -> None:
    port = free_port()
    env = os.environ | {"DATABASE_URL": f"sqlite:///{tmp_path}/serve.db"}
    server = subprocess.Popen(serve_command(port), cwd=tmp_path, env=env)
    try:
        response = wait_for_health(f"http://127.0.0.1:{port}/healthz", server, seconds=180)
    finally:
        server.terminate()
        server.wait(timeout=15)

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
