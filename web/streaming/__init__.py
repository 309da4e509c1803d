"""Mastodon's streaming API: server-sent events and a WebSocket, fed by the event bus."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute

from web.streaming.sse import sse_endpoint
from web.streaming.streams import STREAMS
from web.streaming.websocket import websocket_endpoint

BASE = "/api/v1/streaming"


async def health(_request: Request) -> Response:
    return PlainTextResponse("OK")


def streaming_routes() -> list[BaseRoute]:
    named = [
        Route(f"{BASE}/{name.replace(':', '/')}", sse_endpoint(name), methods=["GET"])
        for name in STREAMS
    ]
    return [
        Route(f"{BASE}/health", health, methods=["GET", "HEAD"]),
        WebSocketRoute(BASE, websocket_endpoint),
        Route(BASE, sse_endpoint(None), methods=["GET"]),
        *named,
    ]
