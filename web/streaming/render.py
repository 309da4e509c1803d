"""What a stream sends for an event: the payload as Mastodon shapes it, for this viewer."""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from typing import Any

import orjson

from fediverse import lists
from fediverse.announcements import one_for_member
from fediverse.errors import NotFoundError
from fediverse.events import Event
from fediverse.filters import ActiveFilters, active_filters_of
from fediverse.hydrate import load_accounts, load_status_page, load_status_rows
from fediverse.notifications import get_notification
from fediverse.runtime import Runtime
from fediverse.visibility import visible_rows
from web.mastodon.notifications import OWN_TYPES, notification_entities
from web.mastodon.serializers.accounts import serialize_account
from web.mastodon.serializers.filters import apply_filters
from web.mastodon.serializers.statuses import serialize_statuses

STATUS_EVENTS = ("update", "status.update")
FILTER_CACHE_SECONDS = 10.0
FILTER_BATCH_SECONDS = 0.002
log = logging.getLogger(__name__)


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
    runtime: Runtime,
    account_id: int,
    event: Event,
    shared: SharedRenders | None = None,
    context: str | None = None,
    *,
    own_types: bool = False,
) -> str | None:
    """The ``payload`` string of ``event`` for the viewer, or None when they may not see it
    (or a ``hide`` filter of the stream's ``context`` hides it). Kollegium's own kinds of
    notification go only to a stream that asked for them (``own_types``, the web app's)."""
    if event.name in STATUS_EVENTS:
        payload = None
        if shared is not None:
            # Shielded: every stream of the process awaits this one render, and a client
            # that leaves cancels its own stream; unshielded, that cancelled the render
            # under every other stream, which then ended and missed the event.
            payload = await asyncio.shield(shared.public(event))
        if payload is None:
            payload = await _status(runtime, account_id, int(event.data["status_id"]))
        return await _filtered(runtime, account_id, payload, context)
    if event.name == "delete":
        return str(event.data["status_id"])
    if event.name == "filters_changed":
        FILTERS.forget(account_id)
        return "undefined"  # what Mastodon's streaming server sends: the event has no payload
    if event.name == "announcement":
        return await _announcement(runtime, account_id, int(event.data["announcement_id"]))
    if event.name == "announcement.delete":
        return str(event.data["announcement_id"])
    if event.name == "notification":
        notification_id = int(event.data["notification_id"])
        return await _notification(runtime, account_id, notification_id, own_types)
    return orjson.dumps(event.data).decode() if event.data else None


class FilterCache:
    """Each streaming account's filters, kept briefly: one post reaches thousands of streams,
    and reading every viewer's filters for each would cost a query per stream. The misses of
    one event (every stream wakes at once) are loaded together, in one batch."""

    def __init__(self, seconds: float = FILTER_CACHE_SECONDS) -> None:
        self.seconds = seconds
        self._found: dict[int, tuple[float, ActiveFilters]] = {}
        self._pending: dict[int, asyncio.Future[ActiveFilters]] = {}
        self._loader: asyncio.Task[None] | None = None

    async def get(self, runtime: Runtime, account_id: int) -> ActiveFilters:
        cached = self._found.get(account_id)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        waiting = self._pending.get(account_id)
        if waiting is None:
            waiting = self._pending[account_id] = asyncio.get_running_loop().create_future()
            if self._loader is None:
                self._loader = asyncio.ensure_future(self._load(runtime))
        return await asyncio.shield(waiting)

    async def _load(self, runtime: Runtime) -> None:
        await asyncio.sleep(FILTER_BATCH_SECONDS)  # let the other streams of this event ask
        batch, self._pending, self._loader = self._pending, {}, None
        try:
            found = await active_filters_of(runtime.store, list(batch))
        except Exception as exc:  # every waiting stream hears of it, none hangs
            for waiting in batch.values():
                waiting.set_exception(exc)
            return
        if len(self._found) > 10_000:
            self._found.clear()
        expires = time.monotonic() + self.seconds
        for account_id, waiting in batch.items():
            self._found[account_id] = (expires, found[account_id])
            waiting.set_result(found[account_id])

    def forget(self, account_id: int) -> None:
        self._found.pop(account_id, None)


FILTERS = FilterCache()


async def _filtered(
    runtime: Runtime, account_id: int, payload: str | None, context: str | None
) -> str | None:
    if payload is None:
        return None
    active = await FILTERS.get(runtime, account_id)
    if not active:
        return payload
    kept = apply_filters([orjson.loads(payload)], active, context)
    return orjson.dumps(kept[0]).decode() if kept else None


async def render_for(
    runtime: Runtime,
    account_id: int,
    event: Event,
    shared: SharedRenders | None,
    stream: str,
    list_id: int | None = None,
    *,
    own_types: bool = False,
) -> tuple[str, str] | None:
    """The event name and payload a stream sends for ``event``, or None. The direct stream
    sends a new direct status as the ``conversation`` it belongs to, as Mastodon does; a
    list stream leaves out the replies its ``replies_policy`` keeps off the list.

    An event that fails to render is logged and left out: the stream, and the events after
    it, go on (ending the stream would lose those until the client reconnects)."""
    try:
        return await _render(runtime, account_id, event, shared, stream, list_id, own_types)
    except Exception:
        log.exception("stream event %s on %s not rendered", event.name, event.topic)
        return None


async def _render(
    runtime: Runtime,
    account_id: int,
    event: Event,
    shared: SharedRenders | None,
    stream: str,
    list_id: int | None,
    own_types: bool,
) -> tuple[str, str] | None:
    if stream == "direct" and event.name == "update":
        payload = await _conversation(runtime, account_id, int(event.data["status_id"]))
        return ("conversation", payload) if payload is not None else None
    if list_id is not None and event.name == "update":
        status_id = int(event.data["status_id"])
        if not await lists.shows_reply_policy(runtime.store, account_id, list_id, status_id):
            return None
    context = stream_context(stream)
    payload = await payload_for(runtime, account_id, event, shared, context, own_types=own_types)
    return (event.name, payload) if payload is not None else None


async def _conversation(runtime: Runtime, account_id: int, status_id: int) -> str | None:
    from fediverse.conversations import conversation_of
    from web.mastodon.conversations import serialize_conversations

    rows = await visible_rows(runtime.store, account_id, [status_id])
    if not rows or rows[0]["conversation_id"] is None:
        return None
    found = await conversation_of(runtime.store, account_id, rows[0]["conversation_id"])
    if found is None:
        return None
    base = runtime.settings.base_url
    async with runtime.store.read() as conn:
        page = await load_status_page(conn, [found.last_status], account_id)
        people = await load_accounts(conn, found.participant_ids)
    last = serialize_statuses(page, base)
    accounts = {i: serialize_account(row, base) for i, row in people.items()}
    [entity] = serialize_conversations([found], last, accounts)
    return orjson.dumps(entity).decode()


def stream_context(name: str) -> str | None:
    """The filter context of a stream, as Mastodon's streaming server reads it."""
    if name.startswith(("public", "hashtag")):
        return "public"
    if name in ("user", "list"):
        return "home"
    return None


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


async def _announcement(runtime: Runtime, account_id: int, announcement_id: int) -> str | None:
    from web.mastodon.announcements import serialize_announcement

    try:
        found = await one_for_member(runtime.store, account_id, announcement_id)
    except NotFoundError:
        return None  # not (or no longer) shown: unpublished, or outside its dates
    return orjson.dumps(serialize_announcement(found)).decode()


async def _notification(
    runtime: Runtime, account_id: int, notification_id: int, own_types: bool
) -> str | None:
    try:
        row = await get_notification(runtime.store, account_id, notification_id)
    except NotFoundError:
        return None
    if row["type"] in OWN_TYPES and not own_types:
        return None
    entities = await notification_entities(
        runtime.store, runtime.settings.base_url, account_id, [row]
    )
    return orjson.dumps(entities[0]).decode() if entities else None
