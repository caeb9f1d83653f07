"""The load generator, run as its own process: `python -m bench.load SPEC OUT`.

Keep-alive HTTP/1.1 over raw asyncio streams (httpx costs several times more CPU per
request). SPEC is JSON: host, port, secret, connections, seconds, and the request bodies;
each body is signed just before the run and sent at most once. OUT gets, per request sent,
(index, status, ack latency in s, whether the ack said "Something went wrong"), and the
generator's own CPU time, to show it was not the bottleneck. A slash command may carry its
answer in the acknowledgement itself (Slack shows that body to the person): each result also
says whether it did, and when the request was sent, so replies can be timed from it.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

from bench.signed import FORM, headers

SORRY = b"Something went wrong"


def answered_in_ack(status: int, body: bytes) -> bool:
    """A 200 whose JSON body carries text for the person: Slack shows it as the reply."""
    if status != 200 or not body.startswith(b"{") or SORRY in body:
        return False
    try:
        return bool(json.loads(body).get("text"))
    except ValueError:
        return False


def raw_request(host: str, port: int, secret: str, body: bytes) -> bytes:
    head = headers(secret, body, FORM)
    lines = ["POST /slack/events HTTP/1.1", f"Host: {host}:{port}",
             f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in head.items())]  # fmt: skip
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    return status, await reader.readexactly(length) if length else b""


async def worker(
    host: str, port: int, raws: list[bytes], cursor: list[int], deadline: float,
    results: list[list[Any]],
) -> None:  # fmt: skip
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.monotonic() < deadline and cursor[0] < len(raws):
            index = cursor[0]
            cursor[0] += 1
            started, sent = time.perf_counter(), time.monotonic()
            writer.write(raws[index])
            try:
                status, body = await asyncio.wait_for(read_response(reader), 30)
            except (TimeoutError, asyncio.IncompleteReadError, ConnectionError):
                results.append([index, 0, time.perf_counter() - started, False, sent, False])
                return
            took = time.perf_counter() - started
            in_ack = answered_in_ack(status, body)
            results.append([index, status, took, SORRY in body, sent, in_ack])
    finally:
        writer.close()


async def run(spec: dict[str, Any]) -> dict[str, Any]:
    host, port, secret = spec["host"], int(spec["port"]), spec["secret"]
    raws = [raw_request(host, port, secret, body.encode()) for body in spec["bodies"]]
    cursor: list[int] = [0]
    results_list: list[list[Any]] = []
    started = time.monotonic()
    deadline = started + float(spec["seconds"])
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    jobs = [worker(host, port, raws, cursor, deadline, results_list)
            for _ in range(int(spec["connections"]))]  # fmt: skip
    await asyncio.gather(*jobs, return_exceptions=True)
    elapsed = time.monotonic() - started
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    return {"results": results_list, "started": started, "elapsed": elapsed, "cpu": cpu}


def main() -> None:
    spec = json.loads(Path(sys.argv[1]).read_text())
    Path(sys.argv[2]).write_text(json.dumps(asyncio.run(run(spec))))


if __name__ == "__main__":
    main()
