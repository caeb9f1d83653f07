"""The shape of the code holds: small modules, each saying its job in its first line."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 300
MODULES = sorted(
    path
    for package in ("workflow", "handlers")
    for path in (ROOT / package).rglob("*.py")
    if "migrations" not in path.parts
)


def test_there_are_modules_to_check() -> None:
    assert len(MODULES) > 50


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_module_stays_under_300_lines_and_says_its_job(path: Path) -> None:
    text = path.read_text()
    assert len(text.splitlines()) <= LIMIT, f"{path.name} has grown past {LIMIT} lines: split it"
    doc = ast.get_docstring(ast.parse(text))
    assert doc, f"{path.name} starts with no docstring saying its job"
