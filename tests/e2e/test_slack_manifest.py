"""manifest.yml declares exactly what the code listens to, and the code listens to all of it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from handlers.slack import listeners
from tests.e2e.slack_client import SlackRequests
from tests.e2e.slack_world import Slack

MANIFEST = Path(__file__).parents[2] / "manifest.yml"


def manifest() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(MANIFEST.read_text())
    return loaded


def test_the_manifest_declares_exactly_the_registered_listeners() -> None:
    m = manifest()
    features, settings = m["features"], m["settings"]
    assert tuple(c["command"] for c in features["slash_commands"]) == listeners.COMMANDS
    shortcuts = tuple(s["callback_id"] for s in features["shortcuts"] if s["type"] == "message")
    assert shortcuts == listeners.MESSAGE_SHORTCUTS
    assert tuple(settings["event_subscriptions"]["bot_events"]) == listeners.BOT_EVENTS
    assert settings["interactivity"]["is_enabled"] is True
    assert features["app_home"]["home_tab_enabled"] is True


async def test_every_declared_command_shortcut_and_event_reaches_a_listener(world: Slack) -> None:
    for command in listeners.COMMANDS:
        response = await world.requests.form(world.requests.command_fields("help", command=command))
        assert response.status_code == 200, command
    for callback in listeners.MESSAGE_SHORTCUTS:
        assert (await world.requests.shortcut(callback, "text")).status_code == 200
    for event in listeners.BOT_EVENTS:
        # message.im is the subscription; its events are messages in the bot's DM.
        kind, _, channel_type = event.partition(".")
        fields = {"channel_type": channel_type, "text": "help"} if channel_type else {}
        response = await world.requests.event(
            {"type": kind, "user": "U0001", "tab": "home", **fields}
        )
        assert response.status_code == 200
    await world.until("views.publish")


async def test_anything_undeclared_finds_no_listener(slack: SlackRequests) -> None:
    command = await slack.form(slack.command_fields("help", command="/other"))
    shortcut = await slack.shortcut("some_other_shortcut", "text")
    assert (command.status_code, shortcut.status_code) == (404, 404)
