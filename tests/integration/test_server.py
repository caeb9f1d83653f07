"""The ASGI app answers /healthz, and /readyz follows the database's schema."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI

from bot.app import create_app
from bot.settings import Settings
from tests.conftest import aiosqlite_threads_finished
from workflow.persistence.db import upgrade_async


@asynccontextmanager
async def client_for(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


def app_for(url: str) -> FastAPI:
    return create_app(Settings(_env_file=None, database_url=url))


async def test_healthz_answers_ok(sqlite_url: str) -> None:
    async with client_for(app_for(sqlite_url)) as client:
        response = await client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_is_503_before_upgrade_and_200_after(db_url: str) -> None:
    async with client_for(app_for(db_url)) as client:
        before = await client.get("/readyz")
        await upgrade_async(db_url)
        after = await client.get("/readyz")

    assert before.status_code == 503
    assert before.json()["status"] == "not ready"
    assert "clientloop db upgrade" in before.json()["reason"]
    assert after.status_code == 200
    assert after.json() == {"status": "ready"}


async def test_readyz_says_when_the_database_is_unreachable(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/missing/folder/t.db"

    async with client_for(app_for(url)) as client:
        response = await client.get("/readyz")
    await aiosqlite_threads_finished()

    assert response.status_code == 503
    assert response.json()["reason"].startswith("database unreachable: ")


async def test_the_app_keeps_its_engine_for_later_routers(sqlite_url: str) -> None:
    app = app_for(sqlite_url)

    async with app.router.lifespan_context(app):
        assert app.state.engine.url.drivername == "sqlite+aiosqlite"
