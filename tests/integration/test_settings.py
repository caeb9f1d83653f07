"""Settings load with defaults, normalise database URLs, and refuse bad values in one line."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.settings import (
    Settings,
    describe_error,
    load_settings,
    normalise_database_url,
    platform_lines,
)

SETTING_NAMES = [name.upper() for name in Settings.model_fields]


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def serve_with(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES}
    return subprocess.run(
        [sys.executable, "-m", "bot", "serve"],
        env=clean | env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [("DATABASE_URL", "foo"), ("CLIENTLOOP_TIMEZONE", "Mars/Olympus_Mons")],
)
def test_a_bad_setting_stops_serve_with_one_line_naming_it(
    name: str, value: str, tmp_path: Path
) -> None:
    result = serve_with({name: value}, tmp_path)

    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"clientloop: {name} ")
    assert repr(value) in lines[0]


def test_defaults_load_without_any_variable(clean_env: pytest.MonkeyPatch) -> None:
    settings = Settings(_env_file=None)

    assert settings.database_url == "sqlite+aiosqlite:///./clientloop.db"
    assert settings.slack_api_url == "https://slack.com/api/"
    assert str(settings.timezone) == "UTC"
    assert (settings.host, settings.port) == ("127.0.0.1", 3000)
    assert settings.clientloop_scheduler_tick_seconds == 30
    assert settings.clientloop_log_level == "INFO"
    assert not settings.slack_enabled
    assert not settings.teams_enabled


def test_a_dotenv_file_is_read(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("PORT=4000\nCLIENTLOOP_TIMEZONE=Europe/Paris\n")

    settings = load_settings(env_file=str(env_file))

    assert settings.port == 4000
    assert str(settings.timezone) == "Europe/Paris"


def test_load_settings_exits_2_with_one_line(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    clean_env.setenv("PORT", "eighty")

    with pytest.raises(SystemExit) as stopped:
        load_settings(env_file=None)

    assert stopped.value.code == 2
    assert capsys.readouterr().err.startswith("clientloop: PORT is not valid: 'eighty'")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///./x.db", "sqlite+aiosqlite:///./x.db"),
        ("sqlite+aiosqlite:///./x.db", "sqlite+aiosqlite:///./x.db"),
        ("postgres://u:p@db/app", "postgresql+asyncpg://u:p@db/app"),
        ("postgresql://u@db:5433/app", "postgresql+asyncpg://u@db:5433/app"),
        ("postgresql+asyncpg://u@db/app", "postgresql+asyncpg://u@db/app"),
    ],
)
def test_database_urls_are_normalised_to_async_drivers(given: str, expected: str) -> None:
    assert normalise_database_url(given) == expected


def test_an_unsupported_database_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported database"):
        normalise_database_url("mysql://db/app")


def test_platform_modes_follow_the_settings_that_are_set(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("SLACK_SIGNING_SECRET", "s")
    clean_env.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    clean_env.setenv("CLIENT_ID", "app")
    clean_env.setenv("CLIENT_SECRET", "secret")

    settings = Settings(_env_file=None)

    assert settings.slack_single_workspace
    assert not settings.slack_oauth
    assert not settings.slack_socket_mode
    assert settings.teams_enabled
    lines = platform_lines(settings)
    assert lines[0].startswith("Slack is on: one workspace")
    assert lines[2].startswith("Teams is on")


def test_off_platforms_say_which_settings_turn_them_on(clean_env: pytest.MonkeyPatch) -> None:
    lines = platform_lines(Settings(_env_file=None))

    assert "SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN" in lines[0]
    assert "SLACK_CLIENT_ID + SLACK_CLIENT_SECRET" in lines[0]
    assert "SLACK_APP_TOKEN" in lines[1]
    assert "CLIENT_ID and CLIENT_SECRET" in lines[2]


def test_secrets_do_not_show_in_the_settings_repr(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("SLACK_BOT_TOKEN", "xoxb-very-secret")

    assert "xoxb-very-secret" not in repr(Settings(_env_file=None))


def test_teams_without_authentication_is_refused_together_with_a_client_id(
    clean_env: pytest.MonkeyPatch,
) -> None:
    clean_env.setenv("CLIENT_ID", "app")
    clean_env.setenv("CLIENTLOOP_TEAMS_ALLOW_UNAUTHENTICATED", "1")

    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None)

    assert describe_error(caught.value).startswith(
        "CLIENTLOOP_TEAMS_ALLOW_UNAUTHENTICATED must not be set together with CLIENT_ID"
    )
