"""The CSV export never hands a spreadsheet a formula a customer typed (CSV injection)."""

from __future__ import annotations

import csv
import io

import pytest

from tests.fakes import FakeUnitOfWork
from tests.unit.conftest import ALICE, PM, World
from workflow.flows.feedback import SendFeedback
from workflow.flows.insight import exports

HYPERLINK = '=HYPERLINK("http://x","click")'


async def _exported(world: World, project: int, name: str) -> list[dict[str, str]]:
    async with FakeUnitOfWork(world.store) as uow:
        files = (await exports.answer(uow, PM.identity, project, world.now)).files
    text = next(body for file, body in files.items() if file.endswith(f"-{name}.csv"))
    return list(csv.DictReader(io.StringIO(text)))


async def test_a_customers_formula_reaches_the_spreadsheet_as_text(
    world: World, project: int
) -> None:
    for text in (HYPERLINK, "-2+3", "+1", "@SUM(A1)", "Fine =1"):
        await world.do(SendFeedback, ALICE, project_id=project, text=text)

    texts = [row["text"] for row in await _exported(world, project, "feedback")]

    assert texts == [f"'{HYPERLINK}", "'-2+3", "'+1", "'@SUM(A1)", "Fine =1"]


async def test_no_cell_of_any_exported_file_starts_a_formula(world: World, project: int) -> None:
    await world.do(SendFeedback, ALICE, project_id=project, text=HYPERLINK)
    async with FakeUnitOfWork(world.store) as uow:
        files = (await exports.answer(uow, PM.identity, project, world.now)).files
    sheets = [body for name, body in files.items() if name.endswith(".csv")]

    cells = [cell for body in sheets for row in csv.reader(io.StringIO(body)) for cell in row]

    assert cells and not [cell for cell in cells if cell.startswith(exports.FORMULA_STARTS)]


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (-5, -5),  # a number the bot wrote stays a number a spreadsheet can sum
        (-2.5, -2.5),
        (None, None),
        ("-5", "'-5"),  # the same characters as text are quoted: text is never trusted
        ("\t=1+1", "'\t=1+1"),  # feedback is stripped, but a reason or a name may not be
        ("\r=1+1", "'\r=1+1"),
        ("Thanks", "Thanks"),
        ("", ""),
    ],
)
def test_numbers_stay_numbers_and_every_text_cell_is_neutralised(
    value: object, cell: object
) -> None:
    assert exports.spreadsheet_safe(value) == cell
