"""Trends (``/api/v1/trends/tags``, ``/statuses``, ``/links``) and follow suggestions
(``/api/v2/suggestions``, ``/api/v1/suggestions``), computed from local activity."""

from __future__ import annotations

from urllib.parse import quote

from starlette.responses import Response

from fediverse import suggestions, tags, trends
from fediverse.errors import ValidationError
from web.mastodon.endpoint import Call, api, json
from web.mastodon.render import accounts_json, statuses_json


def _paging(call: Call, default: int, maximum: int) -> tuple[int, int]:
    limit = max(1, min(call.params.integer("limit", default), maximum))
    offset = call.params.integer("offset", 0)
    if offset < 0:
        raise ValidationError("offset must be 0 or more")
    return limit, offset


@api(None, access="optional")
async def trending_tags(call: Call) -> Response:
    limit, offset = _paging(call, 10, 20)
    found = await trends.trending_tags(call.store, limit=limit, offset=offset)
    base = call.settings.base_url
    entities = []
    for tag in found:
        info = await tags.tag_info(call.store, tag.name, call.viewer_account_id)
        entity = {
            "id": str(tag.id),
            "name": tag.name,
            "url": f"{base}/tags/{quote(tag.name.lower())}",
            "history": info.history,
        }
        if info.following is not None:
            entity["following"] = info.following
        entities.append(entity)
    return json(entities)


@api(None, access="optional")
async def trending_statuses(call: Call) -> Response:
    limit, offset = _paging(call, 20, 40)
    rows = await trends.trending_statuses(
        call.store, call.viewer_account_id, limit=limit, offset=offset
    )
    return json(await statuses_json(call, rows))


@api(None, access="optional")
async def trending_links(call: Call) -> Response:
    return json([])  # no link previews are fetched, so no link can trend


@api("read")
async def suggestions_v2(call: Call) -> Response:
    limit = max(1, min(call.params.integer("limit", 40), 80))
    found = await suggestions.suggestions(call.store, call.account_id, limit=limit)
    rendered = accounts_json(call, [s.account for s in found])
    return json(
        [
            {"source": "global", "sources": [s.source], "account": account}
            for s, account in zip(found, rendered, strict=True)
        ]
    )


@api("read")
async def suggestions_v1(call: Call) -> Response:
    limit = max(1, min(call.params.integer("limit", 40), 80))
    found = await suggestions.suggestions(call.store, call.account_id, limit=limit)
    return json(accounts_json(call, [s.account for s in found]))


@api("read")
async def dismiss_suggestion(call: Call) -> Response:
    await suggestions.dismiss(call.store, call.account_id, call.path_id("account_id"))
    return json({})
