"""The project card and the welcome every customer and sponsor gets."""

from __future__ import annotations

from workflow.domain.people import UNNAMED
from workflow.domain.projects import WEEKDAYS, Project, Role
from workflow.domain.views import Button, View, ViewKind, card_key
from workflow.presentation.cards import CUSTOMER_STARTS, Names, who
from workflow.presentation.said import PROJECT_STATE


def schedule(project: Project) -> str:
    return f"{WEEKDAYS[project.checkin_day].title()}s at {project.checkin_time:%H:%M} local time"


def project_card(project: Project, names: Names) -> View:
    roles = [
        (Role.PM, "PMs", "a PM"),
        (Role.CUSTOMER, "Customers", "a customer"),
        (Role.SPONSOR, "Sponsor", "the sponsor"),
        (Role.MEMBER, "Members", "a member"),
    ]
    fields = [(label, who(project.people_with(r), names, noun)) for r, label, noun in roles]
    fields.append(("Check-ins", schedule(project)))
    return View(
        ViewKind.PROJECT,
        f"{project.key} · {project.name}",
        fields=tuple(fields),
        status=PROJECT_STATE[project.state],
    )


def welcome_card(project: Project, person_id: int, names: Names) -> View:
    roles = project.roles_of(person_id)
    name = names.get(person_id) or UNNAMED
    hello = "Hello" if name == UNNAMED else f"Hello {name}"
    lines = [
        f"{hello}! I keep you in the loop on {project.name} "
        f"({project.key}), run by {who(project.pms, names)}."
    ]
    if Role.CUSTOMER in roles:
        lines.append(
            f"Each week ({schedule(project)}) I'll ask how it's going, with one short "
            "message. I'll also bring you change requests and documents to sign off, "
            "and status reports to review, each with buttons to answer."
        )
    if Role.SPONSOR in roles:
        lines.append(
            "As sponsor you balance the customer's change requests with the company's "
            "own needs: I'll ask for your decision on each one."
        )
    buttons = CUSTOMER_STARTS if Role.CUSTOMER in roles else CUSTOMER_STARTS[-1:]
    return View(
        ViewKind.WELCOME,
        f"Welcome to {project.key}",
        "\n".join(lines),
        buttons=tuple(for_project(b, project) for b in buttons),
        actors=(person_id,),
    )


def for_project(button: Button, project: Project) -> Button:
    return Button(
        button.verb,
        button.label,
        card_key("project", project.id or 0),
        None,
        button.style,
        button.needs_text,
    )
