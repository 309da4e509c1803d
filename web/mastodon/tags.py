"""Hashtags: ``/api/v1/tags/:name`` with follow and unfollow, and ``/api/v1/followed_tags``."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.responses import Response

from fediverse import tags
from web.mastodon.endpoint import Call, api, json
from web.mastodon.pagination import link_header, page_query


def serialize_tag(base_url: str, info: tags.TagInfo) -> dict[str, Any]:
    entity: dict[str, Any] = {
        "id": str(info.id) if info.id is not None else None,
        "name": info.name,
        "url": f"{base_url}/tags/{quote(info.name.lower())}",
        "history": info.history,
    }
    if info.following is not None:
        entity["following"] = info.following
    return entity


@api("read:statuses", access="optional")
async def show(call: Call) -> Response:
    info = await tags.tag_info(call.store, call.request.path_params["name"], call.viewer_account_id)
    return json(serialize_tag(call.settings.base_url, info))


@api("write:follows")
async def follow(call: Call) -> Response:
    info = await tags.follow(call.store, call.account_id, call.request.path_params["name"])
    return json(serialize_tag(call.settings.base_url, info))


@api("write:follows")
async def unfollow(call: Call) -> Response:
    info = await tags.unfollow(call.store, call.account_id, call.request.path_params["name"])
    return json(serialize_tag(call.settings.base_url, info))


@api("read:follows")
async def followed(call: Call) -> Response:
    rows, keys = await tags.followed(
        call.store, call.account_id, page_query(call, default=100, maximum=200)
    )
    base = call.settings.base_url
    found = [
        {
            "id": str(r["id"]),
            "name": r["display_name"],
            "url": f"{base}/tags/{quote(r['name'])}",
            "history": [],
            "following": True,
        }
        for r in rows
    ]
    return json(found, headers=link_header(call, keys))
