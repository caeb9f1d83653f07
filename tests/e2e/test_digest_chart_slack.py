"""The digest's satisfaction chart in Slack: a real PNG, uploaded in Slack's two steps
(files.getUploadURLExternal, the bytes, files.completeUploadExternal) next to the digest."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from scheduler.jobs import Ticker
from tests.e2e.fake_slack import SharedFile
from tests.e2e.slack_world import ALICE, CAROL, CUSTOMER_TEAM, PM, Slack
from tests.fakes import FixedClock

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PM_DM = "D" + PM[1:]


async def answered_checkins(project: Slack) -> None:
    await project.loop(PM, "checkin now")
    for user, team, rating in ((CAROL, None, "4"), (ALICE, CUSTOMER_TEAM, "2")):
        await project.press(user, user, "answer", "Weekly check-in", user_team=team)
        await project.fill(user, {"rating": rating, "text": "Fine"}, user_team=team)


def a_real_png(shared: SharedFile) -> None:
    assert shared.data.startswith(PNG_SIGNATURE)
    assert len(shared.data) > 2_000, "a chart, not an empty picture"
    with Image.open(io.BytesIO(shared.data)) as image:
        image.load()
        assert image.format == "PNG" and image.width >= 300 and image.height >= 150
    assert shared.filename.endswith(".png")


async def test_the_digest_command_sends_the_chart_to_the_pm_through_both_file_methods(
    project: Slack,
) -> None:
    await answered_checkins(project)
    await project.loop(PM, "digest")
    assert "Digest · WEB" in project.last_private()
    await project.until("files.completeUploadExternal")  # drawn and sent after the answer
    assert project.fake.calls_of("files.getUploadURLExternal")
    [shared] = project.fake.shared_files()
    a_real_png(shared)
    # The digest is private: its chart goes to the PM's DM, never into the project channel.
    assert shared.channel_id == PM_DM
    assert "Digest · WEB" in shared.initial_comment
    assert "customer satisfaction" in shared.title


async def next_weekly_run(project: Slack, monkeypatch: pytest.MonkeyPatch) -> None:
    """The scheduler on next week's check-in day (Wednesday) at 15:00 UTC: after 09:30 and
    within working hours in Paris (the PM) and New York; the outbox then delivers on that
    day's clock (what the run sends is due then)."""
    today = datetime.now(UTC).date()
    wednesday = today + timedelta(days=(2 - today.weekday()) % 7 + 7)
    at = datetime.combine(wednesday, datetime.min.time(), tzinfo=UTC) + timedelta(hours=15)
    runtime = project.app.state.runtime
    await Ticker(runtime.bus, runtime.uow, FixedClock(at)).tick()
    monkeypatch.setattr(runtime.sender, "clock", FixedClock(at + timedelta(minutes=5)))
    await project.settle()


async def test_the_weekly_digest_is_followed_by_its_chart_in_the_same_conversation(
    project: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    await answered_checkins(project)
    await next_weekly_run(project, monkeypatch)
    digest = next(c for c in project.posts(PM) if "Digest · WEB" in project.text_of(c))
    assert "Satisfaction trend" in project.text_of(digest), "the sparkline stays, in words"
    [shared] = project.fake.shared_files()
    a_real_png(shared)
    assert shared.channel_id == PM_DM
    calls = project.fake.calls
    assert calls.index(digest) < calls.index(project.fake.last("files.getUploadURLExternal"))


async def test_a_digest_without_answers_has_no_chart_and_stays_in_the_acknowledgement(
    project: Slack,
) -> None:
    await project.loop(PM, "digest")
    assert "Digest · WEB" in project.last_private()
    assert not project.fake.calls_of("files.getUploadURLExternal")


async def test_a_failed_upload_leaves_the_digest_as_it_was(project: Slack) -> None:
    await answered_checkins(project)
    project.fake.fail("files.getUploadURLExternal", error="not_allowed_token_type")
    await project.loop(PM, "digest")
    assert "Digest · WEB" in project.last_private()
    await project.until("files.getUploadURLExternal")
    await project.settle()
    assert not project.fake.calls_of("files.completeUploadExternal")
