"""Draws the core's TrendChart as a PNG with matplotlib (Agg), imported only when drawing.

matplotlib and numpy take a while to import, so neither the CLI nor a request that shows
no chart pays for them. Figures are built with the object API (no pyplot and its global
state), so drawing in a worker thread is safe. Drawings are cached per chart and size.
"""

from __future__ import annotations

import io
import math
from functools import lru_cache

from workflow.domain.trend import TREND_WEEKS, TrendChart

# (width in, height in, dpi), largest first: `png_within` steps down until a budget is met.
SIZES = ((8.0, 4.0, 100), (7.0, 3.5, 90), (6.0, 3.0, 80), (5.0, 2.5, 72))
COLORS = 48  # a palette this small keeps the file a few kilobytes; the chart has few colours
RATE_COLOR = "#dbe4f0"
WINDOW_COLOR = "#fdf3e7"  # the weeks of the digest's figures
AVERAGE_COLOR = "#1f2937"
TREND_COLOR = "#d9480f"


def png(chart: TrendChart, size: tuple[float, float, int] = SIZES[0]) -> bytes:
    """The chart as PNG bytes (a palette image, optimised)."""
    return _drawn(chart, size)


def png_within(chart: TrendChart, max_bytes: int) -> bytes | None:
    """The largest drawing of `chart` that takes at most `max_bytes`; None when none does."""
    for size in SIZES:
        data = _drawn(chart, size)
        if len(data) <= max_bytes:
            return data
    return None


def alt_text(chart: TrendChart) -> str:
    """What the chart says, in words, for screen readers and clients that show no images."""
    shown = [f"{w:%d %b}: {v:.1f}" for w, v in zip(chart.weeks, chart.average, strict=True)
             if v is not None]  # fmt: skip
    averages = "; ".join(shown) or "no answers yet"
    return f"{chart.title}. Weekly average rating (1 to 5): {averages}. {chart.caption()}."


def _nan(values: tuple[float | None, ...]) -> list[float]:
    return [math.nan if v is None else v for v in values]


@lru_cache(maxsize=16)
def _drawn(chart: TrendChart, size: tuple[float, float, int]) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    width, height, dpi = size
    figure = Figure(figsize=(width, height), dpi=dpi)
    FigureCanvasAgg(figure)
    rating = figure.add_subplot()
    rate = rating.twinx()
    xs = list(range(len(chart.weeks)))
    _response_rate(rate, xs, chart)
    _ratings(rating, xs, chart)
    rating.set_zorder(rate.get_zorder() + 1)  # lines over the bars
    rating.patch.set_visible(False)
    rating.set_xticks(xs, [f"{w:%d %b}" for w in chart.weeks], fontsize=7)
    rating.set_title(f"{chart.title}  ·  {chart.caption()}", fontsize=9, loc="left")
    handles, labels = rating.get_legend_handles_labels()
    more, names = rate.get_legend_handles_labels()
    rating.legend(handles + more, labels + names, fontsize=6, loc="upper center", ncol=6,
                  bbox_to_anchor=(0.5, -0.1), frameon=False)  # fmt: skip
    figure.tight_layout()
    raw = io.BytesIO()
    figure.savefig(raw, format="png")
    return _small(raw.getvalue())


def _response_rate(axes: object, xs: list[int], chart: TrendChart) -> None:
    from matplotlib.axes import Axes

    assert isinstance(axes, Axes)
    window = sum(v is not None for v in chart.trend) or TREND_WEEKS
    axes.axvspan(len(xs) - window - 0.5, len(xs) - 0.5, color=WINDOW_COLOR, zorder=0)
    rates = [0.0 if r is None else r * 100 for r in chart.response_rate]
    axes.bar(xs, rates, width=0.6, color=RATE_COLOR, label="response rate (%)")
    axes.set_ylim(0, 100)
    axes.set_ylabel("response rate %", fontsize=7)
    axes.tick_params(labelsize=7)


def _ratings(axes: object, xs: list[int], chart: TrendChart) -> None:
    from matplotlib.axes import Axes

    assert isinstance(axes, Axes)
    for series in chart.customers:
        axes.plot(xs, _nan(series.values), marker="o", markersize=3, linewidth=1,
                  alpha=0.8, label=series.label)  # fmt: skip
    axes.plot(xs, _nan(chart.average), color=AVERAGE_COLOR, marker="s", markersize=4,
              linewidth=2.2, label="average")  # fmt: skip
    if chart.slope is not None:
        axes.plot(xs, _nan(chart.trend), color=TREND_COLOR, linestyle="--", linewidth=1.6,
                  label=f"{TREND_WEEKS}-week trend")  # fmt: skip
    axes.set_ylim(0.5, 5.5)
    axes.set_yticks([1, 2, 3, 4, 5])
    axes.set_ylabel("rating (1 to 5)", fontsize=7)
    axes.tick_params(labelsize=7)
    axes.grid(axis="y", alpha=0.3)


def _small(data: bytes) -> bytes:
    """The PNG re-saved with a small palette: a fraction of the size, the same picture."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        quantized = image.convert("RGB").quantize(colors=COLORS)
    out = io.BytesIO()
    quantized.save(out, format="PNG", optimize=True)
    return out.getvalue()
