"""Shares a view's chart in Slack: the PNG uploaded into a conversation with files_upload_v2.

files_upload_v2 is Slack's two-step upload: files.getUploadURLExternal, the bytes POSTed
to the URL it gives, then files.completeUploadExternal with the channel to share it in.
A chart that cannot be drawn or uploaded is left out: the message still has its sparkline.
"""

from __future__ import annotations

import asyncio
import logging
import re

import aiohttp
from slack_sdk.errors import SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from handlers import charts
from workflow.domain.trend import TrendChart

log = logging.getLogger(__name__)
_UNSAFE = re.compile(r"[^a-z0-9]+")


def filename(chart: TrendChart) -> str:
    stem = _UNSAFE.sub("-", f"{chart.title} {chart.weeks[-1]}".lower()).strip("-")
    return f"{stem or 'chart'}.png"


async def share_chart(
    client: AsyncWebClient, chart: TrendChart, channel: str, comment: str
) -> bool:
    """Draw `chart` (in a worker thread: drawing takes a moment) and share it in `channel`
    with `comment`; False, and a warning in the log, when that did not happen."""
    try:
        data = await asyncio.to_thread(charts.png, chart)
        await client.files_upload_v2(
            file=data,
            filename=filename(chart),
            title=chart.title,
            alt_txt=charts.alt_text(chart)[:1000],
            channel=channel,
            initial_comment=comment,
        )
    except (SlackClientError, aiohttp.ClientError, TimeoutError, OSError, ValueError) as exc:
        log.warning("chart not shared in %s: %r", channel, exc)
        return False
    return True
