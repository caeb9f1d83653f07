"""The baseline, run as its own process: `python -m bench.bare_app PORT API_URL SECRET TOKEN`.

A bare Bolt AsyncApp on the same FastAPI + uvicorn stack as `clientloop serve`: signature
check, ack, then `respond("ok")` to the response_url, for the slash command and any button.
"""

from __future__ import annotations

import re
import sys
from typing import Any

import uvicorn
from fastapi import FastAPI, Request, Response
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient


def build(api_url: str, secret: str, token: str) -> FastAPI:
    client = AsyncWebClient(base_url=api_url, token=token)
    bolt = AsyncApp(signing_secret=secret, client=client)

    @bolt.command("/loop")
    async def command(ack: Any, respond: Any) -> None:
        await ack()
        await respond("ok")

    @bolt.action(re.compile(".*"))
    async def button(ack: Any, respond: Any) -> None:
        await ack()
        await respond("ok")

    return on_fastapi(bolt)


def on_fastapi(bolt: AsyncApp, lifespan: Any = None) -> FastAPI:
    """The Bolt app behind FastAPI as the bench serves it: POST /slack/events, GET /readyz."""
    handler = AsyncSlackRequestHandler(bolt)
    api = FastAPI(lifespan=lifespan)

    @api.post("/slack/events")
    async def events(request: Request) -> Response:
        return await handler.handle(request)

    @api.get("/readyz")
    async def readyz() -> dict[str, str]:
        return {"status": "ready"}

    return api


def main() -> None:
    port, api_url, secret, token = sys.argv[1:5]
    uvicorn.run(build(api_url, secret, token), host="127.0.0.1", port=int(port), log_level="info")


if __name__ == "__main__":
    main()
