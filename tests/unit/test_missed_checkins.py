"""Missed check-ins are named: who missed which week, in the digest and in a PM's pending."""

from __future__ import annotations

from datetime import date, timedelta

from handlers.slack.render_message import message_blocks
from handlers.teams.cards import card
from tests.card_schema import problems
from tests.fakes import FakeUnitOfWork
from tests.unit.conftest import ALICE, CAROL, MEMBER, PM, SPONSOR, T0, World
from tests.unit.test_slack_blocks import check_blocks
from tests.unit.test_slack_blocks import project as a_project
from workflow import queries
from workflow.domain.checkins import CheckIn, CheckInState
from workflow.domain.commands import PersonRef
from workflow.domain.insight import Missed, digest, missed_checkins
from workflow.domain.views import View
from workflow.flows.checkins.messages import AnswerCheckIn, SendCheckIns
from workflow.flows.insight.reads import project_digest
from workflow.presentation.cards import MISSED_SHOWN, digest_card, missed_field

WEEK = date(2026, 11, 30)  # T0's week
MISSED_TITLE = "Missed check-ins (last 4 weeks)"


def checkin(person: int, week: date, state: CheckInState) -> CheckIn:
    return CheckIn(1, person, week, T0, state=state)


def weeks_ago(n: int) -> date:
    return WEEK - timedelta(weeks=n)


def field(view: View, title: str = MISSED_TITLE) -> str:
    return dict(view.fields)[title]


def test_missed_checkins_are_the_customers_misses_of_the_last_four_weeks_newest_first() -> None:
    M = CheckInState.MISSED
    data = [
        checkin(1, weeks_ago(0), M),
        checkin(2, weeks_ago(0), CheckInState.REMINDED),  # not yet missed
        checkin(2, weeks_ago(1), CheckInState.ANSWERED),  # answered, however late
        checkin(2, weeks_ago(3), M),
        checkin(1, weeks_ago(4), M),  # too old
        checkin(9, weeks_ago(0), M),  # no longer a customer
    ]
    found = missed_checkins(data, [1, 2], since=weeks_ago(3))
    assert found == (Missed(1, weeks_ago(0)), Missed(2, weeks_ago(3)))


def test_the_digest_carries_the_missed_checkins_of_its_four_weeks() -> None:
    data = [checkin(2, weeks_ago(n), CheckInState.MISSED) for n in range(6)]
    figures = digest(data, [1, 2], [], notices=0, this_week=WEEK, now=T0)
    assert figures.missed == tuple(Missed(2, weeks_ago(n)) for n in range(4))


def test_the_missed_field_names_each_person_with_the_weeks_they_missed() -> None:
    missed = [
        Missed(1, date(2027, 3, 1)),
        Missed(2, date(2027, 3, 1)),
        Missed(1, date(2027, 2, 22)),
    ]
    title, text = missed_field(missed, {1: "Alice Chen", 2: "Bob"})
    assert title == MISSED_TITLE
    assert text == "Alice Chen — weeks of 22 February and 1 March; Bob — week of 1 March"
    assert missed_field([], {}) == (MISSED_TITLE, "none")
    assert missed_field([Missed(7, date(2027, 3, 1))], {})[1] == "a customer — week of 1 March"


def test_beyond_twelve_missed_checkins_the_rest_are_counted_and_long_names_are_cut() -> None:
    missed = [Missed(n, date(2027, 3, 1)) for n in range(40)]
    names = {n: f"{'x' * 300}{n}" for n in range(40)}
    _, text = missed_field(missed[:MISSED_SHOWN], names, total=40)
    assert text.count("week of 1 March") == MISSED_SHOWN
    assert text.endswith("; and 28 more")
    assert len(text) < 1000, "within a Teams fact, and a Slack field"
    assert missed_field(missed, names)[1].endswith("; and 28 more")


def rendered_within_limits(view: View) -> None:
    _, blocks = message_blocks(view, None, in_channel=False)
    check_blocks(blocks, 50)
    shown = [f["text"] for b in blocks for f in b.get("fields", [])]
    assert any(MISSED_TITLE in f and "and 28 more" in f for f in shown), "not cut by Slack"
    built = card(view, viewer_aad_ids=None, for_person=None)
    assert problems(built) == []
    facts = [f for e in built["body"] if e["type"] == "FactSet" for f in e["facts"]]
    assert any(f["value"].endswith("and 28 more") for f in facts), "not cut by Teams"


def test_a_digest_naming_the_most_missed_checkins_stays_within_both_platforms_limits() -> None:
    data = [checkin(n, weeks_ago(w), CheckInState.MISSED) for n in range(10) for w in range(4)]
    figures = digest(data, list(range(10)), [], notices=0, this_week=WEEK, now=T0)
    names = {n: "<!channel> & " + "y" * 200 for n in range(10)}
    view = digest_card(a_project(), figures, names, "checkpoint")
    rendered_within_limits(view)


# --- through the flows, on the in-memory store ---


async def missed(world: World, who: PersonRef) -> CheckIn:
    """`who`'s check-in of this week, reminded then missed (as the scheduler would)."""
    person = await world.person_id(who)
    found = next(c for c in world.store.items["CheckIn"] if c.person_id == person)
    found.remind(world.now + timedelta(hours=24))
    found.miss()
    return found


async def pending_as(world: World, who: PersonRef, project: int) -> View:
    async with FakeUnitOfWork(world.store) as uow:
        return await queries.pending_view(uow, who.identity, project, world.now)


async def test_pending_names_who_missed_which_week_to_the_pm_and_the_sponsor(
    world: World, project: int
) -> None:
    await world.do(SendCheckIns, PM, project_id=project)
    await missed(world, ALICE)
    world.tick(days=2)
    for who in (PM, SPONSOR):
        view = await pending_as(world, who, project)
        assert field(view) == "Alice — week of 30 November"
        assert "Weekly check-in: waiting on Carol" in view.text, "Carol's is still open"


async def test_customers_and_members_see_no_missed_checkins_in_their_pending(
    world: World, project: int
) -> None:
    await world.do(SendCheckIns, PM, project_id=project)
    await missed(world, ALICE)
    for who in (ALICE, CAROL, MEMBER):
        view = await pending_as(world, who, project)
        assert view.fields == (), who


async def test_a_missed_checkin_answered_late_or_four_weeks_old_is_no_longer_named(
    world: World, project: int
) -> None:
    await world.do(SendCheckIns, PM, project_id=project)
    late = await missed(world, ALICE)
    await world.do(AnswerCheckIn, ALICE, checkin_id=late.id, rating=4)
    assert (await pending_as(world, PM, project)).fields == ()
    await missed(world, CAROL)
    assert field(await pending_as(world, PM, project)) == "Carol — week of 30 November"
    world.tick(weeks=4)
    assert (await pending_as(world, PM, project)).fields == ()


async def test_the_digest_names_who_missed_which_week_even_without_names_from_the_caller(
    world: World, project: int
) -> None:
    await world.do(SendCheckIns, PM, project_id=project)
    await missed(world, CAROL)
    world.tick(days=2)
    async with FakeUnitOfWork(world.store) as uow:
        figures = await project_digest(uow, project, world.now)
        view = await queries.digest_view(uow, PM.identity, project, world.now)
        project_ = await uow.projects.get(project)
    assert field(view) == "Carol — week of 30 November"
    # The scheduled digest passes only the silent customers' names: the digest has the rest.
    assert field(digest_card(project_, figures, {})) == "Carol — week of 30 November"
