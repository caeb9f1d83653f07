"""manifest.yml is a valid version 1 Slack app manifest, pointing every URL at /slack/events."""

from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO.parent / "shared" / "slack" / "manifest.schema.1.0.0.json"


@pytest.fixture
def manifest() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((REPO / "manifest.yml").read_text())
    return loaded


def test_manifest_matches_slacks_schema(manifest: dict[str, Any]) -> None:
    if not SCHEMA.exists():
        pytest.skip(f"Slack's manifest schema is not at {SCHEMA} (it lives beside the repo)")
    schema = yaml.safe_load(SCHEMA.read_text())
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(manifest), key=str)

    assert [f"{list(e.path)}: {e.message}" for e in errors] == []


def test_every_request_url_points_at_slack_events(manifest: dict[str, Any]) -> None:
    settings = manifest["settings"]
    urls = [command["url"] for command in manifest["features"]["slash_commands"]]
    urls += [
        settings["interactivity"]["request_url"],
        settings["event_subscriptions"]["request_url"],
    ]

    assert all(url.endswith("/slack/events") for url in urls), urls


def test_the_loop_command_and_request_shortcut_are_declared(manifest: dict[str, Any]) -> None:
    features = manifest["features"]

    assert [command["command"] for command in features["slash_commands"]] == ["/loop"]
    assert "send_as_request" in [shortcut["callback_id"] for shortcut in features["shortcuts"]]
    assert features["app_home"]["home_tab_enabled"] is True
    assert manifest["settings"]["socket_mode_enabled"] is False
