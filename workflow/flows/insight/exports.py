"""A project's export: feedback, decisions and the audit trail as CSV and as JSON, with a
signed checkpoint of the audit chain, for `/loop export` and `clientloop export` alike.

Each dataset is one CSV file with its header row always (even with no rows) and every text
cell neutralised against spreadsheet formulas; the JSON file holds the same rows, unquoted,
with numbers as numbers and times in UTC ISO-8601. The checkpoint lets the audit head leave
the database (`clientloop audit verify --checkpoint FILE`).
"""

from __future__ import annotations

import csv
import io
import json
import numbers
from collections.abc import Sequence
from datetime import UTC, date, datetime
from enum import Enum

from workflow.audit import checkpoint
from workflow.domain.errors import NotFound, Refused
from workflow.domain.people import Identity
from workflow.domain.permissions import Act, require
from workflow.domain.projects import Project
from workflow.flows.common import person_with
from workflow.flows.insight.reads import EXPORT_COLUMNS, export_rows
from workflow.ports import UnitOfWork
from workflow.presentation.answers import Answer

CSV, JSON = "csv", "json"
FORMATS = (CSV, JSON)
# A spreadsheet reads a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
Rows = dict[str, list[dict[str, object]]]


def formats_asked(rest: str) -> tuple[str, ...]:
    """`export`, `export csv`, `export json` (or `export both`): the formats asked for."""
    asked = rest.strip().lower()
    if asked in ("", "both", "all"):
        return FORMATS
    if asked in FORMATS:
        return (asked,)
    raise Refused(
        f"I can export as csv or json (both when you name neither), not '{rest.strip()[:40]}': "
        "try `export`, `export csv` or `export json`."
    )


async def answer(
    uow: UnitOfWork,
    identity: Identity,
    project_id: int,
    at: datetime,
    formats: Sequence[str] = FORMATS,
) -> Answer:
    """The export a PM asked for in chat (a closed project's too: that is when it is kept),
    with a sentence saying what the files are."""
    project = await uow.projects.get(project_id)
    if project is None:
        raise NotFound("That project no longer exists.")
    person = await person_with(uow, identity)
    # Person 0 is nobody: someone the bot has never met is refused in the same words.
    require(project, person.id if person and person.id is not None else 0, Act.EXPORT)
    formats = formats or FORMATS
    files = await project_files(uow, project, at, formats)
    return Answer(summary(project.key, formats), files=files)


async def project_files(
    uow: UnitOfWork,
    project: Project,
    at: datetime,
    formats: Sequence[str] = FORMATS,
    prefix: str = "",
) -> dict[str, str]:
    """File name -> text: `<key>-feedback.csv`, `-decisions.csv`, `-audit.csv`, `-export.json`
    (as `formats` asks) and `-audit-checkpoint.json`, a checkpoint of the chain taken `at`.
    No permission is asked here: `answer` asks it of chat users."""
    rows = await export_rows(uow, project.id or 0)
    prefix = prefix or project.key.lower()
    files = {}
    if CSV in formats:
        for name, columns in EXPORT_COLUMNS.items():
            files[f"{prefix}-{name}.csv"] = csv_text(columns, rows[name])
    if JSON in formats:
        files[f"{prefix}-export.json"] = json_text(project, rows, at)
    point = await checkpoint(uow, at)
    files[f"{prefix}-audit-checkpoint.json"] = point.as_json() + "\n"
    return files


def summary(project_key: str, formats: Sequence[str] = FORMATS) -> str:
    """What the files are, in a sentence for the person who gets them."""
    shapes = {CSV: "a CSV file for each", JSON: "one JSON file with all three"}
    shown = " and ".join(shapes[f] for f in FORMATS if f in formats)
    return (
        f"The export of {project_key}: feedback, decisions and the audit trail, as {shown}; "
        "and a checkpoint of the audit trail (keep it: with it, `clientloop audit verify "
        "--checkpoint FILE` shows whether the trail was changed since)."
    )


def csv_text(columns: Sequence[str], rows: list[dict[str, object]]) -> str:
    """A header row, then one row per item: times in UTC ISO-8601, no formulas."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns))
    writer.writeheader()
    writer.writerows({k: spreadsheet_safe(plain(v)) for k, v in row.items()} for row in rows)
    return out.getvalue()


def json_text(project: Project, rows: Rows, at: datetime) -> str:
    """One JSON object: the project, when it was exported, and a list per dataset, each row
    on a line of its own (readable as it is, and no bigger than it needs to be)."""
    head = {"project": project.key, "name": project.name, "exported_at": plain(at)}
    parts = [f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in head.items()]
    for name in EXPORT_COLUMNS:
        lines = [json.dumps({k: plain(v) for k, v in row.items()}, ensure_ascii=False)
                 for row in rows[name]]  # fmt: skip
        listed = "[\n    " + ",\n    ".join(lines) + "\n  ]" if lines else "[]"
        parts.append(f"{json.dumps(name)}: {listed}")
    return "{\n  " + ",\n  ".join(parts) + "\n}\n"


def plain(value: object) -> object:
    """A value as JSON holds it: times in UTC ISO-8601, dates ISO, enums by value."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if value is None or isinstance(value, str | int | float):
        return value
    return str(value)  # a Decimal, say: JSON has no exact decimal


def spreadsheet_safe(value: object) -> object:
    """The cell as a spreadsheet shows it, never as a formula: text starting with = + - @
    tab or CR gets a leading `'` (OWASP's advice); numbers stay numbers.

    Every text cell is treated alike, whoever wrote it: telling a customer's "-2+3" from
    text the bot wrote is guesswork, and the quote costs the bot's own text nothing.
    """
    if value is None or isinstance(value, numbers.Number):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
