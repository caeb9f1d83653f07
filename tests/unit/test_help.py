"""The help text: the caller's own words first, a newcomer taught what clientloop is and what
each role can do, words written as they are typed where they are read, within Slack's limit."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from workflow.domain.projects import CustomerKind, Project, Role
from workflow.help import Style, help_text

SLACK, TEAMS = Style("/loop "), Style("@clientloop ", "\n\n")
SECTION = 3000  # Slack's limit on one section's text


def website(*roles: Role) -> Project:
    """WEB with person 1 in `roles` (and a PM, 9, when person 1 is none)."""
    project = Project(1, "WEB", "Website", "C1", created_at=datetime(2026, 12, 1, tzinfo=UTC))
    project.add(9, Role.PM, check=False)
    for role in roles:
        kind = CustomerKind.INTERNAL if role is Role.CUSTOMER else None
        project.add(1, role, kind, check=False)
    return project


@pytest.mark.parametrize(
    ("role", "first"),
    [(Role.PM, "people"), (Role.CUSTOMER, "away"), (Role.SPONSOR, "pending"),
     (Role.MEMBER, "pending")],
)  # fmt: skip
def test_a_person_in_the_project_reads_their_own_words_first_and_no_introduction(
    role: Role, first: str
) -> None:
    lines = help_text(website(role), 1, SLACK).splitlines()
    assert lines[0].startswith("Here is what you can do here, as ")
    assert lines[1].startswith(f"`/loop {first}")
    assert lines[-1] == "`/loop help` what you can do here"
    assert "clientloop keeps" not in "\n".join(lines)


@pytest.mark.parametrize(
    ("project", "person"), [(None, None), (None, 5), (website(), 5), (website(), None)]
)
def test_a_newcomer_learns_what_clientloop_does_and_what_each_role_can_do(
    project: Project | None, person: int | None
) -> None:
    text = help_text(project, person, SLACK)
    assert text.index("`/loop help`") < text.index("clientloop keeps a project's customer")
    for role in ("PM", "Customer", "Sponsor", "Team member"):
        assert f"\n• {role} (" in text, role
    assert len(text) <= SECTION


def test_help_is_within_one_slack_section_even_for_every_role_at_once() -> None:
    text = help_text(website(Role.PM, Role.CUSTOMER, Role.SPONSOR), 1, SLACK, "I don't know 'x'.")
    assert text.startswith("I don't know 'x'. Here is what you can do here, as PM and customer")
    assert len(text) <= SECTION


def test_words_in_a_personal_chat_have_no_prefix_and_no_stray_space() -> None:
    personal = Style("@clientloop ", "\n\n", personal=True)
    for text in (help_text(website(Role.CUSTOMER), 1, personal), help_text(None, 5, personal)):
        assert "` help`" not in text and "`@clientloop help`" not in text
        assert "`help` what you can do here" in text
    assert "type `@clientloop new` in the channel it is for" in help_text(None, 5, personal)
    assert "`@clientloop new`" in help_text(None, 5, TEAMS)
