"""The export: CSV with headers always, one JSON file with the same rows, UTC ISO times."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.teams.outcomes import reply_for
from tests.fakes import FakeUnitOfWork, FixedClock
from tests.unit.conftest import ALICE, CAROL, PM, SPONSOR, T0, World
from workflow.dispatcher import Dispatcher
from workflow.domain.change_versions import Verdict
from workflow.domain.commands import PersonRef
from workflow.domain.people import Platform
from workflow.flows.change_requests.messages import CreateChangeRequest, DecideChange
from workflow.flows.checkins.messages import AnswerCheckIn, SendCheckIns
from workflow.flows.closing.messages import CloseProject
from workflow.flows.feedback import SendFeedback
from workflow.flows.insight.reads import EXPORT_COLUMNS
from workflow.presentation.answers import Answer, Origin, Words

DATASETS = ("feedback", "decisions", "audit")
PARIS = ZoneInfo("Europe/Paris")


async def export(world: World, words: str = "export", who: PersonRef = PM) -> Answer:
    door = Dispatcher(world.bus, lambda: FakeUnitOfWork(world.store), FixedClock(world.now))
    return await door.handle(Origin(Platform.SLACK, "T1", "C1", who), Words(words))


def sheet(files: dict[str, str], name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(files[f"web-{name}.csv"])))


def as_csv_cell(value: object) -> str:
    """How a JSON value reads in the CSV: text quoted against formulas, None empty."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if isinstance(value, str) and text.startswith(("=", "+", "-", "@")) else text


async def busy(world: World, project: int) -> None:
    """A check-in answer, feedback typed as a formula at a Paris time, a decided change."""
    await world.do(SendCheckIns, PM, project_id=project)
    carol = await world.person_id(CAROL)
    cid = next(ci.id for ci in world.store.items["CheckIn"] if ci.person_id == carol)
    await world.do(AnswerCheckIn, CAROL, checkin_id=cid, rating=4, text="Fine")
    paris = datetime(2026, 11, 30, 11, 30, tzinfo=PARIS)  # 10:30 UTC
    await world.do(SendFeedback, ALICE, project_id=project, text="=1+1 looks odd", at=paris)
    await world.do(CreateChangeRequest, PM, project_id=project, title="Blog")
    change = max(cr.id for cr in world.store.items["ChangeRequest"])
    await world.do(DecideChange, SPONSOR, change_id=change, version=1, verdict=Verdict.APPROVE)


async def test_an_empty_project_exports_every_csv_with_its_header_row(
    world: World, project: int
) -> None:
    files = (await export(world)).files

    for name in ("feedback", "decisions"):
        text = files[f"web-{name}.csv"]
        assert text.splitlines() == [",".join(EXPORT_COLUMNS[name])], name
    audit_header = files["web-audit.csv"].splitlines()[0]
    assert audit_header.startswith("seq,at,actor,action")
    data = json.loads(files["web-export.json"])
    assert (data["project"], data["feedback"], data["decisions"]) == ("WEB", [], [])


async def test_the_json_parses_and_holds_the_rows_of_the_csv_files(
    world: World, project: int
) -> None:
    await busy(world, project)
    files = (await export(world)).files

    data = json.loads(files["web-export.json"])

    for name in DATASETS:
        rows = [{k: as_csv_cell(v) for k, v in row.items()} for row in data[name]]
        assert rows == sheet(files, name), name
        assert all(list(row) == list(EXPORT_COLUMNS[name]) for row in data[name]), name
    assert [r["text"] for r in data["feedback"]] == ["Fine", "=1+1 looks odd"]
    assert [r["text"] for r in sheet(files, "feedback")] == ["Fine", "'=1+1 looks odd"]


async def test_times_are_utc_iso_and_numbers_are_numbers(world: World, project: int) -> None:
    await busy(world, project)
    data = json.loads((await export(world)).files["web-export.json"])

    times = [row["at"] for name in DATASETS for row in data[name]] + [data["exported_at"]]
    parsed = [datetime.fromisoformat(t) for t in times]
    assert all(t.utcoffset() == timedelta(0) for t in parsed), times
    assert data["feedback"][1]["at"] == "2026-11-30T10:30:00+00:00"  # typed at 11:30 in Paris
    assert data["feedback"][0]["rating"] == 4 and data["feedback"][0]["week"] == "2026-11-30"
    assert isinstance(data["decisions"][0]["person_id"], int)
    assert [row["seq"] for row in data["audit"]] == list(range(1, len(data["audit"]) + 1))


async def test_the_words_pick_a_format_and_the_checkpoint_always_comes_along(
    world: World, project: int
) -> None:
    only_json = await export(world, "export json")
    only_csv = await export(world, "export CSV")
    wrong = await export(world, "export xml")

    assert sorted(only_json.files) == ["web-audit-checkpoint.json", "web-export.json"]
    assert sorted(only_csv.files) == [
        "web-audit-checkpoint.json", "web-audit.csv", "web-decisions.csv", "web-feedback.csv"
    ]  # fmt: skip
    assert "one JSON file" in only_json.text and "CSV" not in only_json.text
    assert wrong.refused and not wrong.files and "`export json`" in wrong.text


async def test_a_closed_project_is_still_exported_to_its_pm_and_never_to_a_customer(
    world: World, project: int
) -> None:
    await world.do(CloseProject, PM, project_id=project)

    done = await export(world)
    refused = await export(world, who=ALICE)

    assert "web-export.json" in done.files and not done.refused
    assert refused.refused and not refused.files and "only a PM" in refused.text


async def test_teams_shows_what_fits_in_one_message_and_says_what_was_left_off() -> None:
    small = {"web-feedback.csv": "type,at\n", "web-export.json": "{}\n"}
    big = {"web-audit.csv": "x" * 50_000, **small}

    fits = reply_for(Answer("The export of WEB.", files=small)).text
    left = reply_for(Answer("The export of WEB.", files=big)).text

    assert fits.startswith("The export of WEB.") and "**web-export.json**" in fits
    assert "Left off" not in fits
    assert "**web-feedback.csv**" in left and "**web-export.json**" in left
    assert "Left off, to fit one Teams message: web-audit.csv" in left
    assert len(left.encode("utf-16-le")) < 80_000


async def test_the_time_of_the_export_is_the_clocks(world: World, project: int) -> None:
    world.now = T0 + timedelta(hours=3)
    data = json.loads((await export(world, "export json")).files["web-export.json"])
    assert data["exported_at"] == (T0 + timedelta(hours=3)).isoformat()
