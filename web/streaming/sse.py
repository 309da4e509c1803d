"""Server-sent events: ``GET /api/v1/streaming/<stream>``, one stream per connection."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from fediverse.events import Subscription
from fediverse.runtime import Runtime
from web.streaming.connect import viewer_of
from web.streaming.render import SharedRenders, render_for, shared_renders, stopping
from web.streaming.streams import Stream, open_stream

HEARTBEAT_SECONDS = 15.0
RECONNECT = "retry: 1000\n\n"  # the SSE field that sets the client's reconnect delay
HEADERS = {"cache-control": "no-store", "x-accel-buffering": "no"}


Viewer = Callable[[Request, Runtime], Awaitable[int]]


def sse_endpoint(
    name: str | None, viewer: Viewer = viewer_of, *, own_types: bool = False
) -> Callable[[Request], Awaitable[Response]]:
    """The route for one named stream, or for ``?stream=`` when ``name`` is None; ``viewer``
    finds the account (a bearer token for the API, the session cookie for the web app).
    ``own_types``: Kollegium's own kinds of notification too, which the web app knows and
    Mastodon apps do not."""

    async def endpoint(request: Request) -> Response:
        runtime: Runtime = request.app.state.runtime
        account_id = await viewer(request, runtime)
        wanted = name or request.query_params.get("stream", "")
        stream = await open_stream(runtime, wanted, request.query_params, account_id)
        subscription = runtime.events.subscribe(set(stream.topics))
        shared = shared_renders(request.app, runtime)
        body = _until_stopping(
            _events(runtime, account_id, stream, subscription, shared, own_types),
            stopping(request.app),
        )
        return StreamingResponse(body, media_type="text/event-stream", headers=HEADERS)

    return endpoint


async def _events(
    runtime: Runtime,
    account_id: int,
    stream: Stream,
    subscription: Subscription,
    shared: SharedRenders,
    own_types: bool,
) -> AsyncGenerator[str]:
    try:
        yield ":)\n\n"
        while True:
            try:
                event = await asyncio.wait_for(subscription.get(), HEARTBEAT_SECONDS)
            except TimeoutError:
                yield ":thump\n\n"  # keeps proxies from closing an idle stream
                continue
            if not stream.carries(event.name):
                continue
            rendered = await render_for(
                runtime, account_id, event, shared, stream.name, stream.list_id, own_types=own_types
            )
            if rendered is not None:
                yield f"event: {rendered[0]}\ndata: {rendered[1]}\n\n"
    finally:
        subscription.close()


async def _until_stopping(events: AsyncGenerator[str], stop: asyncio.Event) -> AsyncIterator[str]:
    """Pass events on until the process stops; then tell the client to reconnect, which
    reaches another process behind the proxy."""
    next_event = asyncio.ensure_future(anext(events))
    stopped = asyncio.ensure_future(stop.wait())
    try:
        while True:
            await asyncio.wait((next_event, stopped), return_when=asyncio.FIRST_COMPLETED)
            if stopped.done():
                yield RECONNECT
                return
            yield next_event.result()
            next_event = asyncio.ensure_future(anext(events))
    finally:
        for task in (next_event, stopped):
            task.cancel()
        # The generator must be out of its await before it can be closed.
        with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
            await next_event
        await events.aclose()
