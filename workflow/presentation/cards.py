"""Card helpers every flow uses: names, info cards, the digest card and the customer starts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from workflow.domain.insight import MISSED_WEEKS, Digest, Missed
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
# Missed check-ins named in one card (the rest are counted), and how much of a name is shown:
# twelve of them stay within a Slack field (2,000 characters) and a Teams fact (1,000).
MISSED_SHOWN = 12
NAME_SHOWN = 40
CUSTOMER = "a customer"  # one whose name we do not know
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")  # fmt: skip


def who(ids: Sequence[int], names: Names, unnamed: str = UNNAMED) -> str:
    """The people by name; one whose name we do not know is `unnamed` ("a customer")."""
    shown = (names.get(i) or UNNAMED for i in ids)
    return ", ".join(unnamed if n == UNNAMED else n for n in shown) or "nobody"


def info(title: str, text: str = "", fields: tuple[tuple[str, str], ...] = ()) -> View:
    return View(ViewKind.INFO, title, text, fields)


SPARK = "▁▂▃▄▅▆▇█"


def missed_field(
    missed: Sequence[Missed], names: Names, total: int | None = None
) -> tuple[str, str]:
    """Who missed which weekly check-in, a person at a time ("Alice — weeks of 22 February
    and 1 March"): the first `MISSED_SHOWN` named, the rest of `total` counted."""
    shown = missed[:MISSED_SHOWN]
    weeks: dict[int, list[date]] = {}
    for m in shown:
        weeks.setdefault(m.person_id, []).append(m.week)
    parts = [f"{_short(who([p], names, CUSTOMER))} — {_weeks(sorted(w))}" for p, w in weeks.items()]
    more = (len(missed) if total is None else total) - len(shown)
    text = "; ".join(parts + ([f"and {more} more"] if more > 0 else [])) or "none"
    return f"Missed check-ins (last {MISSED_WEEKS} weeks)", text


def _short(name: str) -> str:
    return name if len(name) <= NAME_SHOWN else name[: NAME_SHOWN - 1] + "…"


def _weeks(days: Sequence[date]) -> str:
    said = [f"{d.day} {MONTHS[d.month - 1]}" for d in days]
    if len(said) == 1:
        return f"week of {said[0]}"
    return f"weeks of {', '.join(said[:-1])} and {said[-1]}"


def digest_card(project: Project, figures: Digest, names: Names, checkpoint: str = "") -> View:
    """The weekly PM digest: response rate, satisfaction trend as a chart, open decisions by
    age, silent customers, who missed which check-in, and notices; and the audit chain's
    `checkpoint` line, since a copy of it kept outside the database is what shows later
    whether the trail was cut. `names` add to the customers' names the digest carries."""
    names = {**figures.names, **names}
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
        missed_field(figures.missed, names),
        ("Notices this week", str(figures.notices)),
    )
    if checkpoint:
        fields += (("Audit checkpoint (keep a copy)", checkpoint),)
    title = f"Digest · {project.key} · week of {figures.weeks[-1]}"
    # The sparkline stays in the fields: it is what shows where the chart cannot be.
    return View(ViewKind.INFO, title, fields=fields, chart=figures.chart)
