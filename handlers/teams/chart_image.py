"""The digest card's chart for Teams: the PNG inline as an Adaptive Card Image (a data URL).

Teams shows a `data:image/png;base64,…` image in a card without any hosting of ours, but
it counts toward the card's size; the drawing shrinks until it fits, and a card it cannot
fit keeps the text sparkline alone.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from handlers import charts
from workflow.domain.views import View

Element = dict[str, Any]
PREFIX = "data:image/png;base64,"
# The Image element's own keys and the alt text's JSON escapes, over the data URL itself.
IMAGE_OVERHEAD = 1_500
MAX_ALT = 400


def with_chart(card: Element, view: View, max_bytes: int) -> Element:
    """`card` with the view's chart right under the title, when one fits in `max_bytes`."""
    chart = view.chart
    if chart is None or not chart.has_data():
        return card
    room = max_bytes - len(json.dumps(card).encode()) - len(PREFIX) - IMAGE_OVERHEAD
    png = charts.png_within(chart, room * 3 // 4) if room > 0 else None  # base64: 4 per 3
    if png is None:
        return card
    image: Element = {
        "type": "Image",
        "url": PREFIX + base64.b64encode(png).decode("ascii"),
        "altText": charts.alt_text(chart)[:MAX_ALT],
        "size": "Stretch",
    }
    body = list(card.get("body") or [])
    return {**card, "body": [*body[:1], image, *body[1:]]}
