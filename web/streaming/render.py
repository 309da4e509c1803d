"""What a stream sends for an event: the payload as Mastodon shapes it, for this viewer."""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

import orjson

from fediverse.errors import NotFoundError
from fediverse.events import Event
from fediverse.hydrate import load_status_page, load_status_rows
from fediverse.notifications import get_notification
from fediverse.runtime import Runtime
from fediverse.statuses import visible_rows
from web.mastodon.notifications import notification_entities
from web.mastodon.serializers.statuses import serialize_statuses

STATUS_EVENTS = ("update", "status.update")


class SharedRenders:
    """Renders a status event once per process for every stream that may see it publicly.

    One event reaches every subscription of the process as the same object; rendering it
    per connection would cost thousands of queries for one post. A status anyone may see
    is rendered once, for no viewer in particular, as Mastodon's streaming server sends one
    payload to all; others (followers-only, direct) are rendered per viewer.
    """

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._renders: dict[int, tuple[weakref.ref[Event], asyncio.Task[str | None]]] = {}

    def public(self, event: Event) -> asyncio.Task[str | None]:
        key = id(event)
        found = self._renders.get(key)
        if found is not None and found[0]() is event:
            return found[1]
        task = asyncio.ensure_future(_for_members(self.runtime, int(event.data["status_id"])))
        self._renders[key] = (weakref.ref(event, lambda _ref: self._renders.pop(key, None)), task)
        return task


def stopping(app: Any) -> asyncio.Event:
    """Set when the process begins to stop: streams then end with a reconnect hint."""
    event = getattr(app.state, "stopping", None)
    if event is None:
        event = app.state.stopping = asyncio.Event()
    return event


def shared_renders(app: Any, runtime: Runtime) -> SharedRenders:
    """The process's shared renders, made on first use."""
    renders = getattr(app.state, "stream_renders", None)
    if renders is None:
        renders = app.state.stream_renders = SharedRenders(runtime)
    return renders


async def payload_for(
    runtime: Runtime, account_id: int, event: Event, shared: SharedRenders | None = None
) -> str | None:
    """The ``payload`` string of ``event`` for the viewer, or None when they may not see it."""
    if event.name in STATUS_EVENTS:
        if shared is not None and (public := await shared.public(event)) is not None:
            return public
        return await _status(runtime, account_id, int(event.data["status_id"]))
    if event.name == "delete":
        return str(event.data["status_id"])
    if event.name == "notification":
        return await _notification(runtime, account_id, int(event.data["notification_id"]))
    return orjson.dumps(event.data).decode() if event.data else None


async def _for_members(runtime: Runtime, status_id: int) -> str | None:
    """A public or unlisted status as every signed-in member sees it (local-only included:
    streams serve only this instance's staff); None for anything narrower."""
    async with runtime.store.read() as conn:
        rows = await load_status_rows(conn, [status_id])
        row = rows.get(status_id)
        if row is None or row["deleted_at"] is not None:
            return None
        if row["visibility"] not in ("public", "unlisted"):
            return None
        page = await load_status_page(conn, [row], None)
    [entity] = serialize_statuses(page, runtime.settings.base_url)
    return orjson.dumps(entity).decode()


async def _status(runtime: Runtime, account_id: int, status_id: int) -> str | None:
    # Visibility is checked here, per viewer: an announced event may reach more streams
    # than may see the status.
    rows = await visible_rows(runtime.store, account_id, [status_id])
    if not rows:
        return None
    async with runtime.store.read() as conn:
        page = await load_status_page(conn, rows, account_id)
    [entity] = serialize_statuses(page, runtime.settings.base_url)
    return orjson.dumps(entity).decode()


async def _notification(runtime: Runtime, account_id: int, notification_id: int) -> str | None:
    try:
        row = await get_notification(runtime.store, account_id, notification_id)
    except NotFoundError:
        return None
    entities = await notification_entities(
        runtime.store, runtime.settings.base_url, account_id, [row]
    )
    return orjson.dumps(entities[0]).decode() if entities else None
