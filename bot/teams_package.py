"""Builds the Teams app package (build/clientloop-teams.zip): manifest.json and both icons.

`make teams-package` runs `python -m bot.teams_package`. With CLIENT_ID set (environment
or .env), the manifest's bot id becomes that id; the manifest's own app `id` is kept.
"""

from __future__ import annotations

import argparse
import json
import sys
import zipfile
from pathlib import Path
from typing import Any

from bot.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "appPackage"
OUTPUT = ROOT / "build" / "clientloop-teams.zip"
MANIFEST = "manifest.json"


def manifest(source: Path, bot_id: str | None) -> dict[str, Any]:
    """The manifest as it goes into the zip: every bot's id set to `bot_id` when given."""
    document: dict[str, Any] = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    if bot_id:
        for bot in document.get("bots", []):
            bot["botId"] = bot_id
    return document


def icons(document: dict[str, Any]) -> list[str]:
    return [document["icons"]["color"], document["icons"]["outline"]]


def build(source: Path = SOURCE, output: Path = OUTPUT, bot_id: str | None = None) -> Path:
    """Write the zip (files at its root, as Teams wants them) and return its path."""
    document = manifest(source, bot_id)
    output.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr(MANIFEST, json.dumps(document, indent=2) + "\n")
        for icon in icons(document):
            package.write(source / icon, arcname=icon)
    return output


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.teams_package", description=__doc__)
    parser.add_argument("--output", type=Path, default=OUTPUT, help="where to write the zip")
    output: Path = parser.parse_args(argv).output
    bot_id = load_settings().client_id
    path = build(output=output, bot_id=bot_id)
    where = f"bot id {bot_id}" if bot_id else "placeholder bot id: set CLIENT_ID to fill it in"
    print(f"wrote {path} ({where})", file=sys.stderr)


if __name__ == "__main__":
    main()
