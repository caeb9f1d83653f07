"""Persistence: engines, tables, the imperative ORM mapping, repositories, the SQL unit of work,
the outbox store and the Alembic migrations. Nothing outside `bot`, the scheduler's wiring and
the tests reaches in here; the core talks to it through `workflow.ports`."""
