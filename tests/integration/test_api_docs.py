"""/docs, /redoc and /openapi.json are off unless CLIENTLOOP_API_DOCS turns them on."""

import httpx
import pytest

from bot.app import create_app
from bot.settings import Settings


async def get(settings: Settings, path: str) -> httpx.Response:
    # No lifespan: these pages need no runtime, only the app's routes.
    transport = httpx.ASGITransport(app=create_app(settings, run_scheduler=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get(path)


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json"])
async def test_api_docs_are_off_by_default_and_on_only_with_clientloop_api_docs(
    sqlite_url: str, path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CLIENTLOOP_API_DOCS", raising=False)
    by_default = await get(Settings(_env_file=None, database_url=sqlite_url), path)
    monkeypatch.setenv("CLIENTLOOP_API_DOCS", "true")
    turned_on = await get(Settings(_env_file=None, database_url=sqlite_url), path)

    assert by_default.status_code == 404
    assert turned_on.status_code == 200
