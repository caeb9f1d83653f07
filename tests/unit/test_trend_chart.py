"""The digest's satisfaction chart: its data from known check-ins, and the PNG drawn from it."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

from PIL import Image

from handlers import charts
from handlers.teams.cards import MAX_CARD_BYTES, card, size
from handlers.teams.chart_image import with_chart
from workflow.domain.checkins import CheckIn, CheckInState
from workflow.domain.trend import TrendChart, chart_from_dict, chart_to_dict, fitted, trend_chart
from workflow.domain.views import View, ViewKind, view_from_dict, view_to_dict

MONDAY = date(2026, 3, 2)
SENT = datetime(2026, 3, 2, 9, tzinfo=UTC)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Per customer, week by week (8 weeks): a rating, "-" missed, None not asked.
KNOWN = {1: [4, 4, 5, 4, 3, 3, 2, 2], 2: [5, 4, "-", 4, 4, 3, 3, 2], 3: [None] * 6 + [4, "-"]}


def checkins(table: dict[int, list[int | str | None]] = KNOWN) -> list[CheckIn]:
    made = []
    for person, answers in table.items():
        for n, answer in enumerate(answers):
            if answer is None:
                continue
            checkin = CheckIn(1, person, MONDAY + timedelta(weeks=n), SENT)
            if isinstance(answer, int):
                checkin.state, checkin.rating = CheckInState.ANSWERED, answer
            else:
                checkin.state = CheckInState.MISSED
            made.append(checkin)
    return made


def known_chart() -> TrendChart:
    names = {1: "Alice", 2: "Carol", 3: "Bob", 4: "Never asked"}
    return trend_chart(checkins(), names, MONDAY + timedelta(weeks=7), "WEB · satisfaction")


def test_the_chart_has_each_customers_weekly_average_and_leaves_out_who_never_answered() -> None:
    chart = known_chart()
    assert chart.weeks == tuple(MONDAY + timedelta(weeks=n) for n in range(8))
    assert [s.label for s in chart.customers] == ["Alice", "Carol", "Bob"]
    assert chart.customers[1].values == (5.0, 4.0, None, 4.0, 4.0, 3.0, 3.0, 2.0)
    assert chart.customers[2].values == (None,) * 6 + (4.0, None)


def test_the_weekly_average_and_response_rate_count_every_customer() -> None:
    chart = known_chart()
    assert chart.average == (4.5, 4.0, 5.0, 4.0, 3.5, 3.0, 3.0, 2.0)
    assert chart.response_rate == (1.0, 1.0, 0.5, 1.0, 1.0, 1.0, 1.0, round(2 / 3, 3))


def test_the_four_week_trend_is_the_least_squares_line_through_the_last_four_averages() -> None:
    chart = known_chart()
    # 3.5, 3.0, 3.0, 2.0 at x = 0..3: slope -0.45, through the mean 2.875 at x = 1.5.
    assert chart.slope == -0.45
    assert chart.trend == (None,) * 4 + (3.55, 3.1, 2.65, 2.2)
    assert chart.caption() == "4-week trend: -0.45 per week"


def test_a_trend_needs_two_answered_weeks() -> None:
    assert fitted([None, 4.0, None, None]) == ((None,) * 4, None)
    assert fitted([4.0, None, None, 2.0]) == ((4.0, 3.33, 2.67, 2.0), -0.67)
    chart = trend_chart([], {1: "Alice"}, MONDAY, "WEB")
    assert not chart.has_data() and chart.slope is None and chart.customers == ()


def test_weeks_outside_the_chart_are_left_out() -> None:
    chart = trend_chart(checkins(), {1: "Alice"}, MONDAY + timedelta(weeks=3), "WEB", weeks=2)
    assert chart.weeks == (MONDAY + timedelta(weeks=2), MONDAY + timedelta(weeks=3))
    assert chart.average == (5.0, 4.0)


def test_the_chart_survives_the_outbox_inside_its_view() -> None:
    chart = known_chart()
    assert chart_from_dict(chart_to_dict(chart)) == chart
    view = View(ViewKind.INFO, "Digest · WEB", chart=chart)
    assert view_from_dict(view_to_dict(view)) == view
    assert "chart" not in view_to_dict(View(ViewKind.INFO, "No chart"))


def test_the_chart_is_drawn_as_a_real_png() -> None:
    data = charts.png(known_chart())
    assert data.startswith(PNG_SIGNATURE)
    assert 2_000 < len(data) < 60_000
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        assert (image.width, image.height) == (800, 400)
        assert len(image.getcolors(maxcolors=256) or []) > 4, "more than a blank picture"


def test_a_smaller_drawing_is_chosen_to_fit_a_budget_and_none_when_nothing_fits() -> None:
    chart = known_chart()
    full = charts.png(chart)
    smaller = charts.png_within(chart, len(full) - 1)
    assert smaller is not None and len(smaller) < len(full)
    assert charts.png_within(chart, 100) is None


def test_the_alt_text_says_the_averages_and_the_trend() -> None:
    said = charts.alt_text(known_chart())
    assert "09 Mar: 4.0" in said and "-0.45 per week" in said


def test_the_teams_card_carries_the_chart_under_its_title_within_the_size_limit() -> None:
    view = View(ViewKind.INFO, "Digest · WEB", fields=(("Satisfaction trend", "▆▅▅▃"),),
                chart=known_chart())  # fmt: skip
    built = card(view, viewer_aad_ids=None, for_person=None)
    assert built["body"][1]["type"] == "Image"
    assert built["body"][1]["url"].startswith("data:image/png;base64,")
    assert size(built) <= MAX_CARD_BYTES


def test_a_chart_too_big_for_the_card_leaves_the_sparkline_alone() -> None:
    view = View(ViewKind.INFO, "Digest · WEB", chart=known_chart())
    plain = card(View(ViewKind.INFO, "Digest · WEB"), viewer_aad_ids=None, for_person=None)
    assert with_chart(plain, view, size(plain) + 500) == plain
    no_answers = trend_chart([], {}, MONDAY, "WEB")
    assert with_chart(plain, View(ViewKind.INFO, "x", chart=no_answers), MAX_CARD_BYTES) == plain
