"""``/api/v1/conversations``: direct conversations, read and removed per user."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from fediverse import conversations
from web.mastodon.endpoint import Call, api, json
from web.mastodon.pagination import link_header, page_query
from web.mastodon.render import accounts_by_ids_json, statuses_json


async def _entities(call: Call, found: list[conversations.Conversation]) -> list[dict[str, Any]]:
    last = await statuses_json(call, [c.last_status for c in found])
    people = await accounts_by_ids_json(call, sorted({a for c in found for a in c.participant_ids}))
    return serialize_conversations(found, last, people)


def serialize_conversations(
    found: list[conversations.Conversation],
    last: list[dict[str, Any]],
    people: dict[int, dict[str, Any]],
) -> list[dict[str, Any]]:
    """Conversation entities from their last statuses' and participants' entities."""
    by_id = {int(s["id"]): s for s in last}
    return [
        {
            "id": str(c.id),
            "unread": c.unread,
            "accounts": [people[a] for a in c.participant_ids if a in people],
            "last_status": by_id.get(c.last_status["id"]),
        }
        for c in found
    ]


@api("read:statuses")
async def index(call: Call) -> Response:
    found = await conversations.conversations(call.store, call.account_id, page_query(call))
    keys = [c.last_status["id"] for c in found]
    return json(await _entities(call, found), headers=link_header(call, keys))


@api("write:conversations")
async def read(call: Call) -> Response:
    found = await conversations.mark_read(call.store, call.account_id, call.path_id())
    return json((await _entities(call, [found]))[0])


@api("write:conversations")
async def remove(call: Call) -> Response:
    await conversations.remove(call.store, call.account_id, call.path_id())
    return json({})
