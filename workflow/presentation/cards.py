"""Card helpers every flow uses: names, info cards, the digest card and the customer starts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from workflow.domain.insight import Digest
from workflow.domain.people import UNNAMED
from workflow.domain.projects import Project
from workflow.domain.views import Button, View, ViewKind

# What a customer can start from any message of ours (the welcome, a check-in, the Home):
# buttons on the project itself, which the project flow turns into forms.
CUSTOMER_STARTS = (
    Button("start_request", "Send a request", "project"),
    Button("start_notice", "Report a change on our side", "project"),
    Button("start_feedback", "Send feedback", "project"),
    Button("show_pending", "My pending items", "project"),
)

Names = Mapping[int, str]


def who(ids: Sequence[int], names: Names, unnamed: str = UNNAMED) -> str:
    """The people by name; one whose name we do not know is `unnamed` ("a customer")."""
    shown = (names.get(i) or UNNAMED for i in ids)
    return ", ".join(unnamed if n == UNNAMED else n for n in shown) or "nobody"


def info(title: str, text: str = "", fields: tuple[tuple[str, str], ...] = ()) -> View:
    return View(ViewKind.INFO, title, text, fields)


SPARK = "▁▂▃▄▅▆▇█"


def digest_card(project: Project, figures: Digest, names: Names, checkpoint: str = "") -> View:
    """The weekly PM digest: response rate, satisfaction trend as a chart, open decisions by
    age, silent customers and notices; and the audit chain's `checkpoint` line, since a copy
    of it kept outside the database is what shows later whether the trail was cut."""
    trend = "".join(SPARK[round((r - 1) / 4 * 7)] if r else "·" for r in figures.trend)
    rate = f"{figures.response_rate:.0%}" if figures.response_rate is not None else "no check-ins"
    values = ", ".join(str(t or "—") for t in figures.trend)
    ages = ", ".join(f"{k}: {v}" for k, v in figures.open_by_age.items())
    fields: tuple[tuple[str, str], ...] = (
        ("Response rate (4 weeks)", rate),
        ("Average rating", f"{figures.average_rating or '—'} / 5"),
        ("Satisfaction trend", f"{trend}  ({values})"),
        ("Open decisions by age", ages),
        (
            "Silent customers (2+ check-ins)",
            who(figures.silent, names) if figures.silent else "none",
        ),
        ("Notices this week", str(figures.notices)),
    )
    if checkpoint:
        fields += (("Audit checkpoint (keep a copy)", checkpoint),)
    title = f"Digest · {project.key} · week of {figures.weeks[-1]}"
    # The sparkline stays in the fields: it is what shows where the chart cannot be.
    return View(ViewKind.INFO, title, fields=fields, chart=figures.chart)
