"""Draws docs/digest-chart.png, the README's example digest chart, from known check-ins.

Run from the repository root: `.venv/bin/python docs/digest_chart_example.py`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from handlers import charts
from workflow.domain.checkins import CheckIn, CheckInState
from workflow.domain.trend import trend_chart

FIRST_WEEK = date(2026, 3, 2)
# Each customer's rating week by week (None: the check-in went unanswered).
RATINGS = {
    1: ("Alice (Acme)", [4, 4, 5, 4, 4, 3, 3, 2]),
    2: ("Carol", [5, 4, None, 4, 4, 4, 3, 3]),
    3: ("Bob (Acme)", [3, 3, 4, None, None, 4, 4, 3]),
}


def main() -> None:
    checkins = []
    for person, (_, ratings) in RATINGS.items():
        for n, rating in enumerate(ratings):
            week = FIRST_WEEK + timedelta(weeks=n)
            checkin = CheckIn(1, person, week, datetime(2026, 3, 2, tzinfo=UTC))
            checkin.state = CheckInState.MISSED if rating is None else CheckInState.ANSWERED
            checkin.rating = rating
            checkins.append(checkin)
    names = {person: name for person, (name, _) in RATINGS.items()}
    last = FIRST_WEEK + timedelta(weeks=7)
    chart = trend_chart(checkins, names, last, "WEB · customer satisfaction")
    out = Path(__file__).with_name("digest-chart.png")
    out.write_bytes(charts.png(chart))
    print(f"{out}: {out.stat().st_size} bytes; {chart.caption()}")


if __name__ == "__main__":
    main()
