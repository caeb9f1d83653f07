"""Teams costs nothing when it is off: the SDK is imported only when the settings turn it on."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.settings import Settings
from bot.teams_wiring import teams_config
from handlers.teams.app import build_teams_app

CASES = [
    {},
    {"CLIENT_ID": "00000000-0000-0000-0000-000000000001"},
    {"CLIENT_ID": "00000000-0000-0000-0000-000000000001", "CLIENT_SECRET": "s"},
    {"CLIENTLOOP_TEAMS_ALLOW_UNAUTHENTICATED": "true"},
]


@pytest.mark.parametrize("env", CASES)
def test_teams_enabled_reads_the_settings_as_the_teams_adapter_does(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in (
        "CLIENT_ID",
        "CLIENT_SECRET",
        "TENANT_ID",
        "CLIENTLOOP_TEAMS_ALLOW_UNAUTHENTICATED",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = Settings(_env_file=None)
    assert settings.teams_enabled == (build_teams_app(teams_config(settings)) is not None)


def test_the_app_without_teams_settings_never_imports_the_teams_sdk() -> None:
    teams = "('microsoft_teams', 'handlers.teams')"
    probe = f"import sys, bot.app; print(sorted(m for m in sys.modules if m.startswith({teams})))"
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": "sqlite+aiosqlite:///./unused.db"}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.strip() == "[]"


def test_the_web_app_never_imports_socket_mode_alembic_or_httpx() -> None:
    """Socket Mode is a choice of its own, migrations a command of their own, and httpx only
    Teams' connector client: none is paid for by every `clientloop serve` start."""
    unwanted = "('slack_bolt.adapter.socket_mode', 'slack_sdk.socket_mode', 'alembic', 'httpx')"
    probe = (
        f"import sys, bot.app; print(sorted(m for m in sys.modules if m.startswith({unwanted})))"
    )
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": "sqlite+aiosqlite:///./unused.db"}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.strip() == "[]"
