"""Child processes of the bench: start on a free loopback port, time to ready, RSS, and a kill
that always runs (each child leads its own process group, so its children go too)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

LIVE: list[subprocess.Popen[bytes]] = []


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class Child:
    """One server process; `ready_seconds` is from spawn to GET /readyz answering 200."""

    argv: list[str]
    env: dict[str, str]
    log: Path
    port: int
    cwd: Path
    ready_seconds: float = 0.0
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> None:
        started = time.perf_counter()
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                self.argv, env=self.env, cwd=self.cwd, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        LIVE.append(self.proc)
        while time.perf_counter() - started < timeout:
            if self.proc.poll() is not None:
                tail = self.log.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{self.argv} exited {self.proc.returncode}:\n{tail}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.base_url + "/readyz", timeout=1.0).status_code == 200:
                    self.ready_seconds = time.perf_counter() - started
                    return
            time.sleep(0.02)
        raise RuntimeError(f"{self.argv} not ready in {timeout} s; see {self.log}")

    def rss_mib(self) -> float:
        return rss_mib(self.proc.pid) if self.proc is not None else 0.0

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the child's group, SIGKILL after 5 s."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)
    if proc in LIVE:
        LIVE.remove(proc)


def stop_all() -> None:
    for proc in list(LIVE):
        stop(proc)
