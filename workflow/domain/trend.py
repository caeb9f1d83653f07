"""The satisfaction-trend chart's data: weekly series from check-in answers, drawn by adapters.

Per customer their weekly average rating; for the project the weekly average of all
answers, the response rate, and the 4-week trend (a least-squares line through the last
four weekly averages, with its slope per week). Adapters turn it into a picture; the
text sparkline of the digest card stays for whoever cannot see one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from workflow.domain.checkins import CheckIn, CheckInState

CHART_WEEKS = 8
TREND_WEEKS = 4
MAX_LINES = 8  # customers drawn one by one; the average always counts everyone


@dataclass(frozen=True)
class Series:
    """One customer's weekly average rating (None: no answer that week)."""

    label: str
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class TrendChart:
    """What the digest's chart shows, week by week (`weeks` are Mondays, oldest first)."""

    title: str
    weeks: tuple[date, ...]
    customers: tuple[Series, ...]
    average: tuple[float | None, ...]
    response_rate: tuple[float | None, ...]
    trend: tuple[float | None, ...]  # the fitted line over the last TREND_WEEKS, else None
    slope: float | None  # rating points per week along that line

    def has_data(self) -> bool:
        return any(v is not None for v in (*self.average, *self.response_rate))

    def caption(self) -> str:
        if self.slope is None:
            return f"{TREND_WEEKS}-week trend: not enough answers yet"
        return f"{TREND_WEEKS}-week trend: {self.slope:+.2f} per week"


def _mean(values: Sequence[int]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def _ratings(checkins: Sequence[CheckIn], week: date) -> list[int]:
    return [c.rating for c in checkins if c.week == week and c.rating is not None]


def fitted(values: Sequence[float | None]) -> tuple[tuple[float | None, ...], float | None]:
    """The least-squares line through the known `values` (at their positions) and its
    slope; all None when fewer than two are known."""
    points = [(x, y) for x, y in enumerate(values) if y is not None]
    if len(points) < 2:
        return tuple(None for _ in values), None
    mx = sum(x for x, _ in points) / len(points)
    my = sum(y for _, y in points) / len(points)
    slope = sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x, _ in points)
    return tuple(round(my + slope * (x - mx), 2) for x in range(len(values))), round(slope, 2)


def trend_chart(
    checkins: Sequence[CheckIn],
    customers: Mapping[int, str],
    this_week: date,
    title: str,
    weeks: int = CHART_WEEKS,
) -> TrendChart:
    """The chart of the `weeks` weeks up to and including `this_week`; `customers` are the
    project's customers by id with the name to show, in the order of the legend."""
    span = tuple(this_week - timedelta(weeks=n) for n in range(weeks - 1, -1, -1))
    recent = [c for c in checkins if c.week in span]
    answered = [c for c in recent if c.state is CheckInState.ANSWERED]
    lines = [_series(name, [c for c in answered if c.person_id == p], span)
             for p, name in customers.items()]  # fmt: skip
    drawn = [s for s in lines if any(v is not None for v in s.values)]
    answers = sorted(range(len(drawn)), key=lambda i: -sum(v is not None for v in drawn[i].values))
    kept = tuple(drawn[i] for i in sorted(answers[:MAX_LINES]))  # the most answers, in order
    average = tuple(_mean(_ratings(answered, w)) for w in span)
    rate = tuple(_rate(recent, w) for w in span)
    line, slope = fitted(average[-TREND_WEEKS:])
    trend = (None,) * (len(span) - len(line)) + line
    return TrendChart(title, span, kept, average, rate, trend, slope)


def _series(label: str, answered: Sequence[CheckIn], weeks: Sequence[date]) -> Series:
    return Series(label, tuple(_mean(_ratings(answered, w)) for w in weeks))


def _rate(checkins: Sequence[CheckIn], week: date) -> float | None:
    asked = [c for c in checkins if c.week == week]
    done = [c for c in asked if c.state is CheckInState.ANSWERED]
    return round(len(done) / len(asked), 3) if asked else None


def chart_to_dict(chart: TrendChart) -> dict[str, Any]:
    """A JSON-ready form (the outbox stores the view the chart rides in)."""
    return {
        "title": chart.title,
        "weeks": [w.isoformat() for w in chart.weeks],
        "customers": [{"label": s.label, "values": list(s.values)} for s in chart.customers],
        "average": list(chart.average),
        "response_rate": list(chart.response_rate),
        "trend": list(chart.trend),
        "slope": chart.slope,
    }


def chart_from_dict(data: Mapping[str, Any]) -> TrendChart:
    return TrendChart(
        title=str(data["title"]),
        weeks=tuple(date.fromisoformat(w) for w in data["weeks"]),
        customers=tuple(
            Series(str(s["label"]), _floats(s["values"])) for s in data.get("customers", [])
        ),
        average=_floats(data["average"]),
        response_rate=_floats(data["response_rate"]),
        trend=_floats(data.get("trend") or [None] * len(data["weeks"])),
        slope=None if data.get("slope") is None else float(data["slope"]),
    )


def _floats(values: Sequence[Any]) -> tuple[float | None, ...]:
    return tuple(None if v is None else float(v) for v in values)
