"""``/api/v1/domain_blocks``: the domains a user hides."""

from __future__ import annotations

from starlette.responses import Response

from fediverse import domain_blocks
from web.mastodon.endpoint import Call, api, json
from web.mastodon.pagination import link_header, page_query


@api("read:blocks")
async def index(call: Call) -> Response:
    page = page_query(call, default=100, maximum=200)
    names, keys = await domain_blocks.blocked_domains(call.store, call.account_id, page)
    return json(names, headers=link_header(call, keys))


@api("write:blocks")
async def block(call: Call) -> Response:
    domain = call.params.required_str("domain", max_length=domain_blocks.MAX_DOMAIN)
    await domain_blocks.block(call.store, call.account_id, domain, call.settings.domain)
    return json({})


@api("write:blocks")
async def unblock(call: Call) -> Response:
    domain = call.params.required_str("domain", max_length=domain_blocks.MAX_DOMAIN)
    await domain_blocks.unblock(call.store, call.account_id, domain)
    return json({})
