"""Endorsements (featured accounts): ``/api/v1/endorsements``, pin and unpin an account."""

from __future__ import annotations

from starlette.responses import Response

from fediverse import endorsements
from web.mastodon.endpoint import Call, api, json
from web.mastodon.pagination import link_header, page_query
from web.mastodon.render import accounts_json, relationship_json


@api("read:accounts")
async def index(call: Call) -> Response:
    page = page_query(call, default=40, maximum=80)
    rows, keys = await endorsements.endorsed(call.store, call.account_id, page)
    return json(accounts_json(call, rows), headers=link_header(call, keys))


@api("write:accounts")
async def pin(call: Call) -> Response:
    await endorsements.endorse(call.store, call.account_id, call.path_id())
    return await relationship_json(call, call.path_id())


@api("write:accounts")
async def unpin(call: Call) -> Response:
    await endorsements.unendorse(call.store, call.account_id, call.path_id())
    return await relationship_json(call, call.path_id())
