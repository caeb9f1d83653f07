"""The Teams app package: manifest fields, command words, and what `make teams-package` zips."""

import json
import re
import struct
import zipfile
from pathlib import Path
from typing import Any

import pytest

from bot import teams_package
from workflow.flows import WORDS as BY_WORD

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "appPackage"
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MAX_COMMANDS_PER_LIST = 10  # the manifest schema's maxItems for commandLists[].commands


def manifest() -> dict[str, Any]:
    document: dict[str, Any] = json.loads((SOURCE / "manifest.json").read_text())
    return document


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_manifest_uses_a_current_schema_and_names_the_app() -> None:
    document = manifest()

    version = document["manifestVersion"]
    assert tuple(int(p) for p in version.split(".")) >= (1, 17)
    assert document["$schema"].endswith(f"/v{version}/MicrosoftTeams.schema.json")
    assert GUID.match(document["id"])
    assert document["name"]["short"] == "clientloop"
    assert document["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert all(url.startswith("https://") for url in document["developer"].values() if "://" in url)


def test_the_bot_works_in_personal_chats_teams_and_group_chats() -> None:
    [bot] = manifest()["bots"]

    assert GUID.match(bot["botId"])
    assert set(bot["scopes"]) == {"personal", "team", "groupChat"}
    assert bot["isNotificationOnly"] is False


def test_every_listed_command_is_a_command_word_and_every_word_is_listed() -> None:
    [bot] = manifest()["bots"]
    listed: set[str] = set()
    for command_list in bot["commandLists"]:
        assert 1 <= len(command_list["commands"]) <= MAX_COMMANDS_PER_LIST
        for command in command_list["commands"]:
            word = BY_WORD[command["title"]]  # a KeyError names a word clientloop lacks
            assert command["description"].lower() == word.does.lower()
            assert len(command["title"]) <= 32 and len(command["description"]) <= 128
            listed.add(command["title"])
    scopes = {s for command_list in bot["commandLists"] for s in command_list["scopes"]}

    assert scopes == {"personal", "team", "groupChat"}
    assert listed == set(BY_WORD)


@pytest.mark.parametrize(("icon", "size"), [("color.png", (192, 192)), ("outline.png", (32, 32))])
def test_the_icons_have_the_sizes_teams_wants(icon: str, size: tuple[int, int]) -> None:
    assert png_size((SOURCE / icon).read_bytes()) == size


def test_the_package_holds_the_manifest_and_both_icons(tmp_path: Path) -> None:
    bot_id = "11111111-2222-4333-8444-555555555555"

    path = teams_package.build(SOURCE, tmp_path / "clientloop-teams.zip", bot_id=bot_id)

    with zipfile.ZipFile(path) as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        packed = json.loads(package.read("manifest.json"))
        sizes = {name: png_size(package.read(name)) for name in ("color.png", "outline.png")}
    assert packed["bots"][0]["botId"] == bot_id
    assert packed["id"] == manifest()["id"]
    assert sizes == {"color.png": (192, 192), "outline.png": (32, 32)}


def test_make_teams_package_runs_the_packager(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "teams-package:" in makefile and "-m bot.teams_package" in makefile
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.setenv("CLIENT_ID", "22222222-2222-4333-8444-555555555555")

    teams_package.main(["--output", str(tmp_path / "out.zip")])

    with zipfile.ZipFile(tmp_path / "out.zip") as package:
        assert json.loads(package.read("manifest.json"))["bots"][0]["botId"].startswith("2222")
