"""The project flow: set up a project in a channel, manage its people and settings, go away.

Parts: `messages` (commands, events), `use_cases`, `forms` (forms, parsers, buttons),
`checks` (the settings form's refusals, each on its field), `cards` (project card,
welcome). The declaration below is all the rest of the core sees.
"""

from __future__ import annotations

from workflow.domain.permissions import Act
from workflow.domain.projects import MACHINE as PROJECT_MACHINE
from workflow.flows.flow import Flow, FormEntry, Item, Word
from workflow.flows.projects import checks, forms, use_cases
from workflow.flows.projects import messages as m
from workflow.presentation.forms import FormKind
from workflow.presentation.presses import OpenForm, Show, ShowWhat

FLOW = Flow(
    "project",
    commands={
        m.CreateProject: use_cases.create_project,
        m.ChangePeople: use_cases.change_people,
        m.SetApprovalPolicy: use_cases.set_policy,
        m.SetCheckInSchedule: use_cases.set_checkin_schedule,
        m.ConfigureProject: use_cases.configure_project,
        m.UpdateProfile: use_cases.update_profile,
        m.SetAway: use_cases.set_away,
    },
    events={
        m.ProjectCreated: [use_cases.project_created],
        m.PeopleChanged: [use_cases.people_changed],
    },
    words=(
        Word(
            "help",
            "help",
            "what you can do here",
            None,
            lambda rest, here: Show(ShowWhat.HELP, here.project_id),
            needs_project=False,
            aliases=("?",),
        ),
        Word(
            "new",
            "new",
            "set up a project in this channel",
            None,
            lambda rest, here: OpenForm(FormKind.NEW_PROJECT),
            needs_project=False,
            aliases=("setup",),
        ),
        Word(
            "people",
            "people [@person …] [role] [remove]",
            "add or remove PMs, customers, the sponsor, members",
            Act.MANAGE_PEOPLE,
            forms.people_word,
        ),
        Word(
            "away",
            "away until 2027-01-04 | away off",
            "pause your check-ins while away",
            Act.AWAY,
            lambda rest, here: m.SetAway(
                actor=here.actor,
                at=here.at,
                event_id=here.event_id,
                project_id=here.project_id,
                until=forms.away_until(rest),
            ),
            needs_project=False,
            aliases=("back",),
        ),
    ),
    forms=(
        FormEntry(
            FormKind.NEW_PROJECT,
            "name",
            forms.parse_new_project,
            opener=forms.open_new_project,
            check=use_cases.key_is_free,
        ),
        FormEntry(
            FormKind.PEOPLE,
            "users",
            forms.parse_people,
            build=lambda o: forms.people_form(o.context, o.prefill),
            act=Act.MANAGE_PEOPLE,
        ),
        FormEntry(
            FormKind.SETTINGS,
            "checkin_day",
            forms.parse_settings,
            build=forms.settings_from,
            act=Act.CHECKIN_SETTINGS,
            check=checks.settings_fit,
        ),
    ),
    items=(Item("project", None, forms.press),),
    machines=(PROJECT_MACHINE,),
)
