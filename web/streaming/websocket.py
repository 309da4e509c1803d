"""The WebSocket stream ``/api/v1/streaming``: many streams on one connection, chosen with
``subscribe`` and ``unsubscribe`` messages, as Mastodon's streaming server speaks it."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import orjson
from starlette.websockets import WebSocket, WebSocketDisconnect

from fediverse.errors import KollegiumError
from fediverse.events import Subscription
from fediverse.runtime import Runtime
from web.streaming.connect import viewer_of
from web.streaming.render import render_for, shared_renders, stopping
from web.streaming.streams import Stream, open_stream

POLICY_VIOLATION = 1008
SERVICE_RESTART = 1012


class Session:
    """One WebSocket client: its account, its streams, and its bus subscription."""

    def __init__(self, socket: WebSocket, runtime: Runtime, account_id: int) -> None:
        self.socket = socket
        self.runtime = runtime
        self.account_id = account_id
        self.streams: dict[str, Stream] = {}
        self.subscription: Subscription = runtime.events.subscribe(set())
        self.shared = shared_renders(socket.app, runtime)

    def subscribe(self, stream: Stream) -> None:
        self.streams[_key(stream)] = stream
        self.subscription.topics.update(stream.topics)

    def unsubscribe(self, stream: Stream) -> None:
        self.streams.pop(_key(stream), None)
        still = set().union(*(s.topics for s in self.streams.values()))
        self.subscription.topics.intersection_update(still)

    async def handle(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind not in ("subscribe", "unsubscribe"):
            raise KollegiumError(f"Unknown message type {kind!r}")
        name = str(message.get("stream", ""))
        stream = await open_stream(self.runtime, name, _params(message), self.account_id)
        self.subscribe(stream) if kind == "subscribe" else self.unsubscribe(stream)

    async def send_events(self) -> None:
        while True:
            event = await self.subscription.get()
            for stream in [s for s in self.streams.values() if event.topic in s.topics]:
                if stream.carries(event.name):
                    rendered = await render_for(
                        self.runtime,
                        self.account_id,
                        event,
                        self.shared,
                        stream.name,
                        stream.list_id,
                    )
                    if rendered is not None:
                        name, payload = rendered
                        message = {"stream": stream.label, "event": name, "payload": payload}
                        await self.socket.send_text(orjson.dumps(message).decode())


def _key(stream: Stream) -> str:
    return f"{stream.name}|{stream.tag or ''}"


def _params(message: dict[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in message.items() if k in ("tag", "list")}


async def websocket_endpoint(socket: WebSocket) -> None:
    runtime: Runtime = socket.app.state.runtime
    try:
        account_id = await viewer_of(socket, runtime)
    except KollegiumError:
        await socket.close(code=POLICY_VIOLATION)  # before accept: the upgrade is refused
        return
    # A token sent as the subprotocol must be echoed back, or browsers drop the connection.
    await socket.accept(subprotocol=socket.headers.get("sec-websocket-protocol"))
    session = Session(socket, runtime, account_id)
    sender = asyncio.create_task(session.send_events())
    receiver = asyncio.create_task(_receive(session, socket))
    stop = asyncio.create_task(stopping(socket.app).wait())
    try:
        await _first_stream(session, socket)
        await asyncio.wait((receiver, stop), return_when=asyncio.FIRST_COMPLETED)
        if stop.done() and not receiver.done():
            # Clients reconnect, to another process. One that left as the process began to
            # stop is gone already: nothing to close.
            with contextlib.suppress(WebSocketDisconnect, RuntimeError):
                await socket.close(code=SERVICE_RESTART)
    finally:
        for task in (sender, receiver, stop):
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, RuntimeError):
            await asyncio.gather(sender, receiver, stop)
        session.subscription.close()


async def _first_stream(session: Session, socket: WebSocket) -> None:
    name = socket.query_params.get("stream")
    if name:
        with contextlib.suppress(KollegiumError):
            stream = await open_stream(
                session.runtime, name, socket.query_params, session.account_id
            )
            session.subscribe(stream)


async def _receive(session: Session, socket: WebSocket) -> None:
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            frame = await socket.receive()
            if frame["type"] == "websocket.disconnect":
                return
            try:
                # Clients send text frames, but a binary frame of JSON is read the same way.
                message = orjson.loads(frame.get("text") or frame.get("bytes") or b"")
                if not isinstance(message, dict):
                    raise KollegiumError("Expected a JSON object")
                await session.handle(message)
            except (orjson.JSONDecodeError, KollegiumError) as exc:
                error = getattr(exc, "message", "Invalid JSON")
                await socket.send_text(orjson.dumps({"error": error, "status": 400}).decode())
