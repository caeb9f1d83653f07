"""Secret keys: weak ones refused at start, old ones still open tokens, `keys rotate` re-seals."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import select

from bot.cli import main
from bot.settings import Settings, load_settings
from handlers.slack.installation_store import installation_store
from workflow.persistence.db import make_engine, upgrade_async
from workflow.persistence.tables_slack import slack_bots, slack_installations

OLD_KEY = "9Ttl1yqwhTK0d9dUe_aSWpjl2vVLkBIoW8hUFLq3ka4"  # secrets.token_urlsafe(32)
NEW_KEY = "q2Lj3Cq1y-uV8Xzoc4rvWt2ZsKoJ0dBpAe9hH7nYmRg"
STRANGER_KEY = "Zb0Hm8rYw3Qe5Lk1Tn7Vc9Xs2Pd4Fg6Jh0Ka8Ux3Wi"
WEAK_KEYS = ["a" * 32, "password" * 4, " " * 32, "0" * 64]
CLIENT_ID = "1111.2222"
BOT_TOKEN, USER_TOKEN = "xoxb-team-one-bot", "xoxp-team-one-user"


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """Only what a test sets counts (no .env, no variable from the shell)."""
    monkeypatch.chdir(tmp_path)
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    return monkeypatch


@pytest.mark.parametrize("key", WEAK_KEYS, ids=["a*32", "password*4", "spaces*32", "0*64"])
def test_a_weak_secret_key_stops_the_start_with_one_line_saying_how_to_make_one(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], key: str
) -> None:
    clean_env.setenv("CLIENTLOOP_SECRET_KEY", key)

    with pytest.raises(SystemExit) as stopped:
        load_settings(env_file=None)

    assert stopped.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("clientloop: CLIENTLOOP_SECRET_KEY is too weak")
    assert "secrets.token_urlsafe(32)" in lines[0]


@pytest.mark.parametrize(
    "key", ["abcdefghijklmnopqrstuvwxyz0123456789", "0123456789abcdef" * 4, "Tr0ub4dor&3" * 4]
)
def test_runs_and_repetitions_count_as_weak_however_long(
    clean_env: pytest.MonkeyPatch, key: str
) -> None:
    clean_env.setenv("CLIENTLOOP_SECRET_KEY", key)

    with pytest.raises(SystemExit):
        load_settings(env_file=None)


def test_a_random_key_is_accepted(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("CLIENTLOOP_SECRET_KEY", NEW_KEY)
    clean_env.setenv("CLIENTLOOP_OLD_SECRET_KEYS", f"{OLD_KEY}, password")  # old: not judged

    settings = load_settings(env_file=None)

    assert settings.secret_keys == (NEW_KEY, OLD_KEY, "password")


def test_old_keys_without_a_current_key_are_refused(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    clean_env.setenv("CLIENTLOOP_OLD_SECRET_KEYS", OLD_KEY)

    with pytest.raises(SystemExit):
        load_settings(env_file=None)

    assert "CLIENTLOOP_OLD_SECRET_KEYS needs CLIENTLOOP_SECRET_KEY" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("mysql://admin:s3cret-Pa55@db.example/clientloop", "mysql://admin:***@db.example/"),
        ("postgres//admin:s3cret-Pa55@db.example/clientloop", "postgres//admin:***@db.example/"),
    ],
    ids=["unsupported", "unparsable"],
)
def test_a_bad_database_url_is_named_without_its_password(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], url: str, shown: str
) -> None:
    clean_env.setenv("DATABASE_URL", url)

    with pytest.raises(SystemExit):
        load_settings(env_file=None)

    err = capsys.readouterr().err
    assert err.startswith("clientloop: DATABASE_URL ") and shown in err
    assert "s3cret-Pa55" not in err


async def _install(url: str, key: str, team: str, old_keys: tuple[str, ...] = ()) -> None:
    engine = make_engine(url)
    try:
        store = installation_store(CLIENT_ID, engine, key, old_keys)
        await store.async_save(
            Installation(
                app_id="A0001",
                team_id=team,
                bot_token=BOT_TOKEN,
                bot_id="B1",
                bot_user_id="UBOT",
                user_id="UINSTALLER",
                user_token=USER_TOKEN,
            )
        )
    finally:
        await engine.dispose()


async def _read(url: str, key: str, team: str, old_keys: tuple[str, ...] = ()) -> tuple[str, str]:
    engine = make_engine(url)
    try:
        store = installation_store(CLIENT_ID, engine, key, old_keys)
        found = await store.async_find_installation(enterprise_id=None, team_id=team)
        bot = await store.async_find_bot(enterprise_id=None, team_id=team)
        assert found is not None and bot is not None
        assert bot.bot_token == found.bot_token
        return str(found.bot_token), str(found.user_token)
    finally:
        await engine.dispose()


async def _sealed(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            rows = [
                *(await connection.execute(select(slack_installations).order_by("id"))).mappings(),
                *(await connection.execute(select(slack_bots).order_by("id"))).mappings(),
            ]
        names = ("bot_token", "user_token")
        return [row[name] for row in rows for name in names if row.get(name)]
    finally:
        await engine.dispose()


@pytest.fixture
def database(clean_env: pytest.MonkeyPatch, db_url: str) -> str:
    """A migrated database (SQLite, then PostgreSQL) with team T1's tokens under OLD_KEY."""
    asyncio.run(upgrade_async(db_url))
    asyncio.run(_install(db_url, OLD_KEY, "T1"))
    clean_env.setenv("DATABASE_URL", db_url)
    return db_url


def test_tokens_sealed_under_an_old_key_open_while_it_is_listed(database: str) -> None:
    assert asyncio.run(_read(database, NEW_KEY, "T1", (OLD_KEY,))) == (BOT_TOKEN, USER_TOKEN)
    with pytest.raises(ValueError, match="CLIENTLOOP_OLD_SECRET_KEYS"):
        asyncio.run(_read(database, NEW_KEY, "T1"))


def test_keys_rotate_reseals_every_token_so_the_old_key_can_go(
    database: str, clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    clean_env.setenv("CLIENTLOOP_SECRET_KEY", NEW_KEY)
    clean_env.setenv("CLIENTLOOP_OLD_SECRET_KEYS", OLD_KEY)

    assert main(["keys", "rotate"]) == 0

    # Installation: bot + user token; bot row: bot token.
    assert capsys.readouterr().out == "keys rotated: 3 token(s) re-encrypted, 0 already current\n"
    assert asyncio.run(_read(database, NEW_KEY, "T1")) == (BOT_TOKEN, USER_TOKEN)


def test_keys_rotate_a_second_time_changes_nothing(
    database: str, clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    clean_env.setenv("CLIENTLOOP_SECRET_KEY", NEW_KEY)
    clean_env.setenv("CLIENTLOOP_OLD_SECRET_KEYS", OLD_KEY)
    assert main(["keys", "rotate"]) == 0
    after_first = asyncio.run(_sealed(database))
    capsys.readouterr()

    assert main(["keys", "rotate"]) == 0

    assert capsys.readouterr().out == "keys rotated: 0 token(s) re-encrypted, 3 already current\n"
    assert asyncio.run(_sealed(database)) == after_first


def test_a_token_no_key_opens_stops_the_rotation_and_rotates_nothing(
    database: str, clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(_install(database, STRANGER_KEY, "T2"))
    before = asyncio.run(_sealed(database))
    clean_env.setenv("CLIENTLOOP_SECRET_KEY", NEW_KEY)
    clean_env.setenv("CLIENTLOOP_OLD_SECRET_KEYS", OLD_KEY)

    assert main(["keys", "rotate"]) == 1

    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("clientloop: nothing rotated: the Slack token in")
    assert "add the key it was stored with to CLIENTLOOP_OLD_SECRET_KEYS" in err[0]
    assert asyncio.run(_sealed(database)) == before
