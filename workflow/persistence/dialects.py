"""The INSERT of the database's own dialect, for ON CONFLICT (PostgreSQL's, else SQLite's)."""

from __future__ import annotations

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite


def insert_for(dialect_name: str, table: Table) -> postgresql.Insert | sqlite.Insert:
    """`INSERT INTO table` with `on_conflict_do_nothing` / `on_conflict_do_update`: the
    two databases clientloop runs on (make_engine) spell ON CONFLICT the same way."""
    if dialect_name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
