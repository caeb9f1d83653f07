"""The SDK's real JWT validation on /api/messages, against a loopback OpenID metadata and JWKS.

The SDK fetches the signing keys with a blocking HTTP client (we run its check on a worker
thread: handlers/teams/signing_keys.py), so the key server runs on its own thread and loop.
"""

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import jwt
import pytest
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI

from bot.app import create_app
from bot.settings import Settings
from bot.teams_wiring import TeamsParts
from tests.e2e.teams_client import TeamsRequests, message, personal

CLIENT_ID = "00000000-0000-4000-8000-00000000c1d0"
ISSUER = "https://api.botframework.com"  # the Bot Framework's issuer, as the SDK expects
KID = "loopback-key-1"
SERVICE_URL = "http://127.0.0.1:9/teams"  # never called: no listener answers


class KeyServer:
    """OpenID metadata and a JWKS with one RSA public key, on 127.0.0.1 in its own thread."""

    def __init__(self, key: rsa.RSAPrivateKey) -> None:
        self.key, self.base = key, ""
        self._ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def metadata_url(self) -> str:
        return f"{self.base}/v1/.well-known/openidconfiguration"

    def start(self) -> None:
        self._thread.start()
        assert self._ready.wait(5), "the key server did not start"

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._serve())
        self._ready.set()
        self._loop.run_forever()

    async def _serve(self) -> None:
        app = web.Application()
        app.router.add_get("/v1/.well-known/openidconfiguration", self._metadata)
        app.router.add_get("/v1/.well-known/keys", self._keys)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base = f"http://{host}:{port}"

    async def _metadata(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "issuer": ISSUER,
                "jwks_uri": f"{self.base}/v1/.well-known/keys",
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            }
        )

    async def _keys(self, request: web.Request) -> web.Response:
        jwk: dict[str, Any] = jwt.algorithms.RSAAlgorithm.to_jwk(
            self.key.public_key(), as_dict=True
        )
        jwk.update(kid=KID, use="sig", alg="RS256", endorsements=["msteams"])
        return web.json_response({"keys": [jwk]})


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


SIGNING_KEY = new_key()


def token(
    *,
    key: rsa.RSAPrivateKey = SIGNING_KEY,
    audience: str = CLIENT_ID,
    expires_in: int = 600,
    service_url: str = SERVICE_URL,
    kid: str = KID,
) -> str:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": audience,
        "serviceurl": service_url,
        "iat": now - 60,
        "nbf": now - 60,
        "exp": now + expires_in,
    }
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


@pytest.fixture
def key_server() -> Iterator[KeyServer]:
    server = KeyServer(SIGNING_KEY)
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def authenticated_app(key_server: KeyServer, e2e_database_url: str) -> AsyncIterator[FastAPI]:
    settings = Settings(
        _env_file=None,
        database_url=e2e_database_url,
        client_id=CLIENT_ID,
        client_secret="loopback-secret",
        clientloop_teams_openid_metadata_url=key_server.metadata_url,
    )
    # Only the JWT check is under test: no listener answers, since an answer would fetch
    # a bot token from Microsoft (listeners are tested in unauthenticated mode).
    app = create_app(settings, run_scheduler=False, teams_parts=TeamsParts())
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def connector(authenticated_app: FastAPI) -> AsyncIterator[TeamsRequests]:
    transport = httpx.ASGITransport(app=authenticated_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://clientloop.test") as http:
        yield TeamsRequests(http)


def activity() -> dict[str, Any]:
    return message(personal(SERVICE_URL), "help")


async def test_a_correctly_signed_token_is_accepted(connector: TeamsRequests) -> None:
    response = await connector.send(activity(), token())

    assert response.status_code == 200


@pytest.mark.parametrize(
    "bad_token",
    [
        pytest.param(lambda: token(expires_in=-3600), id="expired"),
        pytest.param(lambda: token(key=new_key()), id="wrongly signed"),
        pytest.param(lambda: token(audience="someone-else"), id="wrong audience"),
        pytest.param(lambda: token(service_url="https://elsewhere.example"), id="other serviceUrl"),
        pytest.param(lambda: token(kid="unknown-key"), id="unknown key id"),
        pytest.param(lambda: "not.a.jwt", id="garbage"),
        pytest.param(lambda: None, id="missing"),
    ],
)
async def test_a_bad_or_missing_token_is_refused_with_401(
    connector: TeamsRequests, bad_token: Any
) -> None:
    response = await connector.send(activity(), bad_token())

    assert response.status_code == 401
