"""Timeline routes: home, public and hashtag."""

from __future__ import annotations

from starlette.responses import Response

from fediverse import timelines
from fediverse.hydrate import Row
from web.mastodon.endpoint import Call, api, json
from web.mastodon.pagination import link_header, page_query
from web.mastodon.render import statuses_json
from web.mastodon.serializers import entity_cache
from web.mastodon.serializers.sqljson import home_page_plan


async def _answer(call: Call, rows: list[Row], context: str) -> Response:
    entities = await statuses_json(call, rows, context)
    return json(entities, headers=link_header(call, [r["id"] for r in rows]))


@api("read:statuses")
async def home(call: Call) -> Response:
    # The request every app makes most: written by the database (serializers.sqljson), on
    # PostgreSQL from the entities the process keeps (serializers.entity_cache).
    base, store = call.settings.base_url, call.store
    if store.is_sqlite:
        plan = home_page_plan(call.account_id, page_query(call), base, postgres=False)
    else:
        cache = entity_cache.cache_for(store, base)
        plan = entity_cache.home_page_plan(cache, call.account_id, page_query(call))
    page = await call.store.run(plan)
    return Response(page.body, media_type="application/json", headers=link_header(call, page.ids))


@api("read:statuses", access="optional")
async def public(call: Call) -> Response:
    p = call.params
    rows = await timelines.public(
        call.store,
        call.viewer_account_id,
        page_query(call),
        timelines.PublicFilter(
            local=bool(p.flag("local", False)),
            remote=bool(p.flag("remote", False)),
            only_media=bool(p.flag("only_media", False)),
        ),
    )
    return await _answer(call, rows, "public")


@api("read:statuses", access="optional")
async def tag(call: Call) -> Response:
    p = call.params
    name = str(call.request.path_params["hashtag"])
    rows = await timelines.tag(
        call.store,
        call.viewer_account_id,
        name,
        page_query(call),
        timelines.TagFilter(
            any=tuple(p.str_list("any", max_items=4)),
            all=tuple(p.str_list("all", max_items=4)),
            none=tuple(p.str_list("none", max_items=4)),
            local=bool(p.flag("local", False)),
            remote=bool(p.flag("remote", False)),
            only_media=bool(p.flag("only_media", False)),
        ),
    )
    return await _answer(call, rows, "public")
