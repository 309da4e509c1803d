"""A peer that takes deliveries for the worker benchmark: it answers 202 after a delay that
stands for a remote server's latency, and counts what arrived.

    python bench/_delivery_receiver.py HOST PORT DELAY_MS
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Any

import orjson
import uvicorn

DELAY = float(sys.argv[3]) / 1000 if len(sys.argv) > 3 else 0.2
seen: dict[str, Any] = {"count": 0, "first": None, "last": None, "ids": {}}


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    if scope["method"] == "POST":
        await asyncio.sleep(DELAY)
        now = time.monotonic()
        seen["count"] += 1
        seen["first"] = seen["first"] or now
        seen["last"] = now
        key = scope["path"] + " " + str(orjson.loads(body).get("id"))
        seen["ids"][key] = seen["ids"].get(key, 0) + 1
        await _answer(send, 202, b"")
        return
    twice = sum(1 for n in seen["ids"].values() if n > 1)
    report = {k: seen[k] for k in ("count", "first", "last")} | {"twice": twice}
    await _answer(send, 200, orjson.dumps(report))


async def _answer(send: Any, status: int, body: bytes) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


if __name__ == "__main__":
    uvicorn.run(
        app,
        host=sys.argv[1],
        port=int(sys.argv[2]),
        log_level="warning",
        loop="uvloop",
        http="httptools",
        backlog=4096,
    )
