"""Runs `clientloop` as a real process for the tests of how it fails and starts.

The process runs this checkout's code (`python -m bot` with the repository on PYTHONPATH), in
a directory of the test's own so no developer's .env is read, with only the settings a test
gives. Waits are for lines of the log, with a generous bound only as a safety net.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
SAFETY_NET_SECONDS = 120  # never reached when the awaited line or exit comes
SETTING_PREFIXES = ("SLACK_", "CLIENTLOOP_", "CLIENT_")
SETTING_NAMES = {"TENANT_ID", "DATABASE_URL", "HOST", "PORT"}


def environment(**settings: str) -> dict[str, str]:
    """The environment without any clientloop setting, then `settings`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(SETTING_PREFIXES) and k not in SETTING_NAMES
    }
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPOSITORY), env.get("PYTHONPATH")]))
    return env | settings


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "bot", *args]


def run(cwd: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    """Run `clientloop ARGS` to its end."""
    return subprocess.run(
        command(*args), cwd=cwd, env=environment(**settings),
        capture_output=True, text=True, timeout=SAFETY_NET_SECONDS,
    )  # fmt: skip


def free_port() -> int:
    """A port nothing listens on (bound and let go at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Running:
    """A long-running `clientloop` whose log (stdout and stderr together) is read line by line."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []

    @classmethod
    async def start(cls, cwd: Path, *args: str, **settings: str) -> Running:
        process = await asyncio.create_subprocess_exec(
            *command(*args), cwd=cwd, env=environment(**settings),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        return cls(process)

    @property
    def log(self) -> str:
        return "".join(self.lines)

    async def until(self, text: str, *, count: int = 1) -> str:
        """The `count`-th line containing `text` since the start, reading on as needed; fail
        if the process ends first. Lines are checked for a traceback as they come.
        """
        assert self.process.stdout is not None
        seen = [line for line in self.lines if text in line]
        if len(seen) >= count:
            return seen[count - 1]
        count -= len(seen)
        async with asyncio.timeout(SAFETY_NET_SECONDS):
            while True:
                line = (await self.process.stdout.readline()).decode()
                assert line, f"the process ended before {text!r}:\n{self.log}"
                self.lines.append(line)
                assert "Traceback" not in line, self.log
                if text in line:
                    count -= 1
                    if count == 0:
                        return line

    async def stop(self) -> str:
        """Terminate it and return the whole log."""
        if self.process.returncode is None:
            self.process.terminate()
        async with asyncio.timeout(SAFETY_NET_SECONDS):
            rest, _ = await self.process.communicate()
        self.lines.append(rest.decode())
        return self.log
