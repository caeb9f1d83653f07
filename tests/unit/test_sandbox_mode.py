"""Sandbox mode: when it is on, what Slack it makes, and a clock that only moves forward."""

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import AdjustableClock
from bot.sandbox_mode import base_url, effective_settings, sandbox_for, sandbox_on
from bot.settings import Settings

SLACK = {"slack_signing_secret": "s3cret", "slack_bot_token": "xoxb-real"}
OAUTH = {
    "slack_signing_secret": "s3cret",
    "slack_client_id": "1.2",
    "slack_client_secret": "x",
    "clientloop_secret_key": "a-long-enough-random-key-Zq8w3Lr5Tn2Vb7Xc",
}
TEAMS = {"client_id": "app-id", "client_secret": "app-secret"}


@pytest.fixture(autouse=True)
def no_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


class Ticking:
    """A base clock the test moves, forwards or backwards."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("values", "on"),
    [
        ({}, True),
        (SLACK, False),
        (OAUTH, False),
        ({"slack_app_token": "xapp-1", "slack_bot_token": "xoxb-1"}, False),
        (TEAMS, False),
        ({"clientloop_teams_allow_unauthenticated": True}, False),
        ({"slack_bot_token": "xoxb-half-set"}, False),
        ({**SLACK, "clientloop_sandbox": True}, True),
        ({**TEAMS, "clientloop_sandbox": True}, True),
        ({"clientloop_sandbox": False}, False),
    ],
)
def test_sandbox_mode_is_on_by_default_only_without_any_credential(
    values: dict[str, object], on: bool
) -> None:
    assert sandbox_on(settings(**values)) is on
    assert (sandbox_for(settings(**values)) is not None) is on


def test_clientloop_sandbox_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s3cret")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-real")
    monkeypatch.setenv("CLIENTLOOP_SANDBOX", "1")
    assert sandbox_on(settings())
    monkeypatch.setenv("CLIENTLOOP_SANDBOX", "0")
    assert not sandbox_on(settings())


def test_the_sandbox_slack_is_one_workspace_served_by_this_same_process() -> None:
    sandbox = sandbox_for(settings(host="127.0.0.1", port=3123))
    assert sandbox is not None

    slack = sandbox.slack_settings(settings(**OAUTH, slack_app_token="xapp-1", port=3123))

    assert slack.slack_api_url == "http://127.0.0.1:3123/sandbox/api/"
    assert sandbox.page_url == "http://127.0.0.1:3123/sandbox"
    assert sandbox.events_url == "http://127.0.0.1:3123/slack/events"
    assert slack.slack_bot_token is not None
    assert slack.slack_bot_token.get_secret_value() == "xoxb-sandbox"
    assert slack.slack_signing_secret is not None
    assert slack.slack_signing_secret.get_secret_value() == sandbox.signing_secret
    assert slack.slack_single_workspace
    assert not slack.slack_oauth
    assert not slack.slack_socket_mode


def test_each_start_makes_a_new_long_signing_secret() -> None:
    first, second = sandbox_for(settings()), sandbox_for(settings())
    assert first is not None and second is not None

    assert first.signing_secret != second.signing_secret
    assert len(first.signing_secret) >= 32
    assert first.signing_secret not in repr(first)


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1", "http://127.0.0.1:3000"),
        ("0.0.0.0", "http://127.0.0.1:3000"),
        ("::", "http://[::1]:3000"),
        ("localhost", "http://localhost:3000"),
    ],
)
def test_a_wildcard_address_is_reached_on_loopback(host: str, url: str) -> None:
    assert base_url(host, 3000) == url


def test_without_sandbox_mode_the_settings_are_left_as_they_are() -> None:
    given = settings(**SLACK)

    assert effective_settings(given) == (given, None)


def test_the_adjustable_clock_starts_at_real_time_and_moves_forward() -> None:
    base = Ticking(T0)
    clock = AdjustableClock(base)

    assert clock.now() == T0
    assert clock.advance(timedelta(days=7)) == T0 + timedelta(days=7)
    base.at += timedelta(minutes=1)
    assert clock.now() == T0 + timedelta(days=7, minutes=1)
    assert clock.offset == timedelta(days=7)


def test_the_adjustable_clock_jumps_to_a_later_moment() -> None:
    clock = AdjustableClock(Ticking(T0))
    later = datetime(2025, 3, 10, 9, 30, tzinfo=UTC)

    assert clock.jump_to(later) == later
    assert clock.now() == later
    assert clock.jump_to(later) == later  # to now itself: nothing moves


def test_the_adjustable_clock_refuses_to_go_back() -> None:
    clock = AdjustableClock(Ticking(T0))
    clock.advance(timedelta(hours=1))

    with pytest.raises(ValueError, match="only moves forward"):
        clock.advance(timedelta(seconds=-1))
    with pytest.raises(ValueError, match="only moves forward"):
        clock.jump_to(T0)
    with pytest.raises(ValueError, match="timezone-aware"):
        clock.jump_to(datetime(2030, 1, 1))
    assert clock.now() == T0 + timedelta(hours=1)


def test_the_adjustable_clock_never_reads_earlier_even_if_real_time_steps_back() -> None:
    base = Ticking(T0)
    clock = AdjustableClock(base)
    first = clock.now()

    base.at -= timedelta(minutes=5)

    assert clock.now() == first
