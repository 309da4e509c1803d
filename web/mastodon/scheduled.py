"""Scheduled statuses: ``POST /api/v1/statuses`` with ``scheduled_at``, and
``/api/v1/scheduled_statuses`` to list, move and cancel them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import select
from starlette.responses import Response

from fediverse import scheduled
from fediverse.errors import ValidationError
from fediverse.hydrate import Row
from fediverse.statuses import NewStatus
from fediverse.storage.tables import media_attachments
from web.mastodon.endpoint import Call, api, json
from web.mastodon.pagination import link_header, page_query
from web.mastodon.serializers.common import iso_time
from web.mastodon.serializers.statuses import serialize_media


def scheduled_at(call: Call) -> int | None:
    """``scheduled_at`` as ms, None when not sent; 422 for what is not an ISO 8601 time."""
    value = call.params.text("scheduled_at")
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError("scheduled_at must be a time (ISO 8601)") from None
    if moment.tzinfo is None:
        raise ValidationError("scheduled_at must name its time zone")
    return int(moment.timestamp() * 1000)


async def _entities(call: Call, rows: list[Row]) -> list[dict[str, Any]]:
    media_ids = {m for r in rows for m in orjson.loads(r["media_ids"])}
    async with call.store.read() as conn:
        media = {
            m._mapping["id"]: m._mapping
            for m in await conn.fetch_all(
                select(media_attachments).where(media_attachments.c.id.in_(media_ids))
            )
        }
    base = call.settings.base_url
    found = []
    for row in rows:
        params = orjson.loads(row["params"])
        ids = orjson.loads(row["media_ids"])
        params.update(
            media_ids=[str(i) for i in ids] or None,
            in_reply_to_id=str(params["in_reply_to_id"]) if params["in_reply_to_id"] else None,
            scheduled_at=None,
            idempotency=None,
            with_rate_limit=False,
        )
        found.append(
            {
                "id": str(row["id"]),
                "scheduled_at": iso_time(row["scheduled_at"]),
                "params": params,
                "media_attachments": [serialize_media(media[i], base) for i in ids if i in media],
            }
        )
    return found


async def create(call: Call, new: NewStatus, at: int) -> Response:
    """What ``POST /api/v1/statuses`` answers when the status is for later."""
    scheduled_id = await scheduled.schedule(call.store, call.account_id, new, at)
    row = await scheduled.get_scheduled(call.store, call.account_id, scheduled_id)
    return json((await _entities(call, [row]))[0])


@api("read:statuses")
async def index(call: Call) -> Response:
    rows = await scheduled.list_scheduled(call.store, call.account_id, page_query(call))
    return json(await _entities(call, rows), headers=link_header(call, [r["id"] for r in rows]))


@api("read:statuses")
async def show(call: Call) -> Response:
    row = await scheduled.get_scheduled(call.store, call.account_id, call.path_id())
    return json((await _entities(call, [row]))[0])


@api("write:statuses")
async def update(call: Call) -> Response:
    at = scheduled_at(call)
    if at is None:
        raise ValidationError("param is missing or the value is empty: scheduled_at")
    row = await scheduled.reschedule(call.store, call.account_id, call.path_id(), at)
    return json((await _entities(call, [row]))[0])


@api("write:statuses")
async def destroy(call: Call) -> Response:
    await scheduled.cancel(call.store, call.account_id, call.path_id())
    return json({})
