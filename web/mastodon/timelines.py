"""Timeline routes: home, public and hashtag."""

from __future__ import annotations

from starlette.responses import Response

from fediverse import timelines
from fediverse.hydrate import Row
from fediverse.rawsql import Plan
from web.mastodon.auth import Viewer
from web.mastodon.endpoint import Call, api, json
from web.mastodon.pagination import link_header, page_query
from web.mastodon.render import statuses_json
from web.mastodon.serializers.sqljson import JsonPage, home_page_plan


async def _answer(call: Call, rows: list[Row], context: str) -> Response:
    entities = await statuses_json(call, rows, context)
    return json(entities, headers=link_header(call, [r["id"] for r in rows]))


@api("read:statuses", signs_in=True)
async def home(call: Call) -> Response:
    # Written by the database, the request every app makes most (serializers.sqljson),
    # in one trip with the token's check.
    postgres = not call.store.is_sqlite

    def page(viewer: Viewer) -> Plan[JsonPage]:
        assert viewer.account_id is not None
        return home_page_plan(
            viewer.account_id, page_query(call), call.settings.base_url, postgres=postgres
        )

    found = await call.store.run(call.signed_in(page))
    return Response(found.body, media_type="application/json", headers=link_header(call, found.ids))


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
