"""Status routes: post, read, edit, delete, and the reactions on a status."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from fediverse import editing, interactions, polls, statuses, timelines
from fediverse.editing import StatusEdit
from fediverse.errors import NotFoundError, ValidationError
from fediverse.filters import active_filters
from fediverse.hydrate import load_status_page
from fediverse.polls import NewPoll
from fediverse.statuses import NewStatus
from fediverse.visibility import visible_row, visible_rows
from web.mastodon import scheduled
from web.mastodon.endpoint import Call, api, json
from web.mastodon.pagination import link_header, page_query
from web.mastodon.params import Params
from web.mastodon.render import accounts_by_ids_json, status_json, statuses_json
from web.mastodon.serializers.filters import apply_filters
from web.mastodon.serializers.sqljson import own_status_plan
from web.mastodon.serializers.statuses import StatusSerializer, serialize_media, serialize_poll


def _poll(params: Params) -> NewPoll | None:
    if not params.has("poll"):
        return None
    poll = params.sub("poll")
    if not poll.data:
        return None
    options = poll.str_list("options", max_items=polls.MAX_OPTIONS + 1)
    return NewPoll(
        options=tuple(options),
        expires_in_s=poll.integer("expires_in", 86_400),
        multiple=bool(poll.flag("multiple", False)),
        hide_totals=bool(poll.flag("hide_totals", False)),
    )


def _new_status(call: Call) -> NewStatus:
    p = call.params
    assert call.viewer is not None
    return NewStatus(
        text=p.text("status", "", max_length=100_000),
        spoiler_text=p.text("spoiler_text", "", max_length=10_000),
        sensitive=p.flag("sensitive"),
        visibility=p.text("visibility"),
        language=p.text("language"),
        in_reply_to_id=p.id("in_reply_to_id"),
        media_ids=tuple(p.id_list("media_ids", max_items=statuses.MAX_MEDIA + 1)),
        poll=_poll(p),
        local_only=p.flag("local_only"),
        idempotency_key=call.request.headers.get("idempotency-key") or None,
        application_id=call.viewer.application_id,
    )


@api("write:statuses")
async def create(call: Call) -> Response:
    key = call.request.headers.get("idempotency-key")
    if key is not None and len(key) > 200:
        raise ValidationError("Idempotency-Key is too long (at most 200 characters)")
    at = scheduled.scheduled_at(call)
    if at is not None:
        return await scheduled.create(call, _new_status(call), at)
    status_id = await statuses.create_status(call.runtime, call.account_id, _new_status(call))
    # Written by the database in one query, as the home timeline is (serializers.sqljson).
    plan = own_status_plan(
        call.account_id, status_id, call.settings.base_url, postgres=not call.store.is_sqlite
    )
    body = await call.store.run(plan)
    if body is None:
        return json(await status_json(call, status_id))
    return Response(body, media_type="application/json")


@api("read:statuses", access="optional")
async def show(call: Call) -> Response:
    return json(await status_json(call, call.path_id()))


@api("read:statuses", access="optional")
async def show_many(call: Call) -> Response:
    ids = call.params.id_list("id", max_items=40)
    rows = await visible_rows(call.store, call.viewer_account_id, ids)
    return json(await statuses_json(call, rows))


@api("write:statuses")
async def delete(call: Call) -> Response:
    page = await editing.delete_status(call.runtime, call.account_id, call.path_id())
    entity = StatusSerializer(page, call.settings.base_url).all()[0]
    entity["text"] = page.statuses[page.order[0]]["text"]
    return json(entity)


@api("write:statuses")
async def edit(call: Call) -> Response:
    p = call.params
    media_ids: tuple[int, ...] | None = (
        tuple(p.id_list("media_ids", max_items=statuses.MAX_MEDIA + 1))
        if p.has("media_ids")
        else None
    )
    change = StatusEdit(
        text=p.text("status", "", max_length=100_000),
        spoiler_text=p.text("spoiler_text", "", max_length=10_000),
        sensitive=p.flag("sensitive"),
        language=p.text("language"),
        media_ids=media_ids,
    )
    await editing.edit_status(call.runtime, call.account_id, call.path_id(), change)
    return json(await status_json(call, call.path_id()))


@api("read:statuses", access="optional")
async def source(call: Call) -> Response:
    row = await visible_row(call.store, call.viewer_account_id, call.path_id())
    return json({"id": str(row["id"]), "text": row["text"], "spoiler_text": row["spoiler_text"]})


@api("read:statuses", access="optional")
async def history(call: Call) -> Response:
    entity = await status_json(call, call.path_id())
    edits = await editing.history(call.store, call.path_id())
    media_by_id = {m["id"]: m for m in entity["media_attachments"]}
    versions: list[dict[str, Any]] = [
        {
            "content": e["content"],
            "spoiler_text": e["spoiler_text"],
            "sensitive": bool(e["sensitive"]),
            "created_at": _iso(e["created_at"]),
            "account": entity["account"],
            "poll": None,
            "media_attachments": [
                media_by_id[str(i)] for i in _ids(e["media"]) if str(i) in media_by_id
            ],
            "emojis": [],
        }
        for e in edits
    ]
    if not versions:
        versions = [
            {
                k: entity[k]
                for k in (
                    "content",
                    "spoiler_text",
                    "sensitive",
                    "created_at",
                    "account",
                    "poll",
                    "media_attachments",
                    "emojis",
                )
            }
        ]
    return json(versions)


def _ids(raw: str) -> list[int]:
    import orjson

    return [int(i) for i in orjson.loads(raw or "[]")]


def _iso(ms: int) -> str | None:
    from web.mastodon.serializers.common import iso_time

    return iso_time(ms)


@api("read:statuses", access="optional")
async def context(call: Call) -> Response:
    above, below = await timelines.context(call.store, call.viewer_account_id, call.path_id())
    async with call.store.read() as conn:
        page = await load_status_page(conn, [*above, *below], call.viewer_account_id)
    serializer = StatusSerializer(page, call.settings.base_url)
    ancestors = [serializer.status(r["id"]) for r in above]
    descendants = [serializer.status(r["id"]) for r in below]
    if call.viewer_account_id is not None:
        active = await active_filters(call.store, call.viewer_account_id)
        if active:
            ancestors = apply_filters(ancestors, active, "thread")
            descendants = apply_filters(descendants, active, "thread")
    return json({"ancestors": ancestors, "descendants": descendants})


@api("write:favourites")
async def favourite(call: Call) -> Response:
    return json(
        await status_json(
            call, await interactions.favourite(call.store, call.account_id, call.path_id())
        )
    )


@api("write:favourites")
async def unfavourite(call: Call) -> Response:
    return json(
        await status_json(
            call, await interactions.unfavourite(call.store, call.account_id, call.path_id())
        )
    )


@api("write:statuses")
async def reblog(call: Call) -> Response:
    reblog_id = await interactions.reblog(
        call.runtime, call.account_id, call.path_id(), call.params.text("visibility")
    )
    return json(await status_json(call, reblog_id))


@api("write:statuses")
async def unreblog(call: Call) -> Response:
    return json(
        await status_json(
            call, await interactions.unreblog(call.store, call.account_id, call.path_id())
        )
    )


@api("write:bookmarks")
async def bookmark(call: Call) -> Response:
    return json(
        await status_json(
            call, await interactions.bookmark(call.store, call.account_id, call.path_id())
        )
    )


@api("write:bookmarks")
async def unbookmark(call: Call) -> Response:
    return json(
        await status_json(
            call, await interactions.unbookmark(call.store, call.account_id, call.path_id())
        )
    )


@api("write:accounts")
async def pin(call: Call) -> Response:
    return json(
        await status_json(call, await interactions.pin(call.store, call.account_id, call.path_id()))
    )


@api("write:accounts")
async def unpin(call: Call) -> Response:
    return json(
        await status_json(
            call, await interactions.unpin(call.store, call.account_id, call.path_id())
        )
    )


async def _who(call: Call, finder: Any) -> Response:
    page = page_query(call, default=40, maximum=80)
    pairs = await finder(call.store, call.viewer_account_id, call.path_id(), page)
    found = await accounts_by_ids_json(call, [a for _, a in pairs])
    return json(
        [found[a] for _, a in pairs if a in found], headers=link_header(call, [k for k, _ in pairs])
    )


@api("read:accounts", access="optional")
async def favourited_by(call: Call) -> Response:
    return await _who(call, interactions.favourited_by)


@api("read:accounts", access="optional")
async def reblogged_by(call: Call) -> Response:
    return await _who(call, interactions.reblogged_by)


@api("read:bookmarks")
async def bookmarks(call: Call) -> Response:
    rows, keys = await timelines.bookmarked(call.store, call.account_id, page_query(call))
    return json(await statuses_json(call, rows), headers=link_header(call, keys))


@api("read:favourites")
async def favourites(call: Call) -> Response:
    rows, keys = await timelines.favourited(call.store, call.account_id, page_query(call))
    return json(await statuses_json(call, rows), headers=link_header(call, keys))


async def _poll_json(call: Call, status_id: int) -> dict[str, Any]:
    entity = await status_json(call, status_id)
    if entity["poll"] is None:
        raise NotFoundError("Record not found")
    return dict(entity["poll"])


@api("read:statuses", access="optional")
async def show_poll(call: Call) -> Response:
    status_id = await polls.status_of_poll(call.store, call.path_id())
    return json(await _poll_json(call, status_id))


@api("write:statuses")
async def vote(call: Call) -> Response:
    raw = call.params.str_list("choices", max_items=polls.MAX_OPTIONS)
    if not raw or not all(c.isdigit() for c in raw):
        raise ValidationError("choices must be a list of option indexes")
    status_id = await polls.vote(call.store, call.account_id, call.path_id(), [int(c) for c in raw])
    return json(await _poll_json(call, status_id))


__all__ = ["serialize_media", "serialize_poll"]
