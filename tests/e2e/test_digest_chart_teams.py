"""The digest's satisfaction chart in Teams: inline in the digest's Adaptive Card as an
Image with a PNG data URL, within the card's size limit."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import pytest
from PIL import Image

from handlers.teams.cards import MAX_CARD_BYTES
from tests.e2e.teams_world import PEOPLE, ROOM, Teams, set_up_project

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DATA_URL = "data:image/png;base64,"


def dm(who: str) -> str:
    return f"a:1personal-{PEOPLE[who]}"


@pytest.fixture
async def project(teams_world: Teams) -> Teams:
    return await set_up_project(teams_world)


async def answered_checkins(project: Teams) -> None:
    await project.mention("pm", "checkin now")
    for who, rating in (("carol", "4"), ("alice", "2")):
        answer = await project.press(who, dm(who), "answer", contains="Weekly check-in")
        await project.submit(who, answer["value"], {"rating": rating, "text": "Fine"},
                             in_room=False)  # fmt: skip


def images(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in card["body"] if e.get("type") == "Image"]


async def test_the_digest_card_carries_the_chart_as_an_inline_png(project: Teams) -> None:
    await answered_checkins(project)
    await project.mention("pm", "digest")
    card = project.last_card(ROOM)
    assert "Digest · WEB" in json.dumps(card, ensure_ascii=False)
    [image] = images(card)
    assert image["url"].startswith(DATA_URL)
    png = base64.b64decode(image["url"].removeprefix(DATA_URL))
    assert png.startswith(PNG_SIGNATURE) and len(png) > 2_000
    with Image.open(io.BytesIO(png)) as picture:
        picture.load()
        assert picture.width >= 300
    assert "average rating" in image["altText"].lower()
    assert len(json.dumps(card).encode()) <= MAX_CARD_BYTES
    assert "Satisfaction trend" in json.dumps(card, ensure_ascii=False), "the sparkline stays"


async def test_a_digest_without_answers_shows_the_sparkline_alone(project: Teams) -> None:
    await project.mention("pm", "digest")
    card = project.last_card(ROOM)
    assert "Digest · WEB" in json.dumps(card, ensure_ascii=False)
    assert not images(card)
