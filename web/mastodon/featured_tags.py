"""Featured tags: ``/api/v1/featured_tags`` (list, add, remove, suggestions) and an account's."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from starlette.responses import Response

from fediverse import featured_tags, tags
from fediverse.directory import account_by_id
from web.mastodon.endpoint import Call, api, json


def _serialize(call: Call, username: str, tag: featured_tags.FeaturedTag) -> dict[str, Any]:
    last = tag.last_status_at
    return {
        "id": str(tag.id),
        "name": tag.name,
        "url": f"{call.settings.base_url}/@{username}/tagged/{quote(tag.name.lower())}",
        "statuses_count": str(tag.statuses_count),
        "last_status_at": datetime.fromtimestamp(last / 1000, UTC).date().isoformat()
        if last
        else None,
    }


async def _username(call: Call, account_id: int) -> str:
    return str((await account_by_id(call.store, account_id))["username"])


@api("read:accounts")
async def index(call: Call) -> Response:
    name = await _username(call, call.account_id)
    found = await featured_tags.featured(call.store, call.account_id)
    return json([_serialize(call, name, t) for t in found])


@api("write:accounts")
async def create(call: Call) -> Response:
    tag = call.params.required_str("name", max_length=200)
    made = await featured_tags.feature(call.store, call.account_id, tag)
    return json(_serialize(call, await _username(call, call.account_id), made))


@api("write:accounts")
async def destroy(call: Call) -> Response:
    await featured_tags.unfeature(call.store, call.account_id, call.path_id())
    return json({})


@api("read:accounts")
async def suggestions(call: Call) -> Response:
    names = await featured_tags.suggestions(call.store, call.account_id)
    base = call.settings.base_url
    found = []
    for name in names:
        info = await tags.tag_info(call.store, name, call.account_id)
        found.append(
            {
                "id": str(info.id),
                "name": info.name,
                "url": f"{base}/tags/{quote(info.name.lower())}",
                "history": info.history,
                "following": info.following,
            }
        )
    return json(found)


@api(None, access="optional")
async def of_account(call: Call) -> Response:
    account_id = call.path_id()
    name = await _username(call, account_id)
    found = await featured_tags.featured(call.store, account_id)
    return json([_serialize(call, name, t) for t in found])
