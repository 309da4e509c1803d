"""``/api/v1/groups``: Kollegium's own small REST API for groups, for the web UI and scripts.

Mastodon apps need none of it (they see a group as an account with ``group: true``, join
by following it and post by mentioning it); this adds what they cannot do: create and
edit groups, list members and join requests, approve, ban, and remove posts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.responses import Response
from starlette.routing import BaseRoute

from fediverse import directory, groups
from fediverse.errors import ValidationError
from fediverse.groups import Group, GroupChange, Member, NewGroup
from web.mastodon.endpoint import Call, api, json, route
from web.mastodon.pagination import link_header, page_query
from web.mastodon.render import statuses_json
from web.mastodon.serializers.accounts import serialize_account
from web.mastodon.serializers.common import iso_time


def serialize_group(group: Group, account: dict[str, Any], state: str | None) -> dict[str, Any]:
    return {
        "id": str(group.id),
        "name": group.username,
        "acct": account["acct"],
        "display_name": group.display_name,
        "note": group.note,
        "uri": group.uri,
        "url": account["url"],
        "local": group.is_local,
        "privacy": group.privacy,
        "partner_domains": list(group.partner_domains),
        "moderators_only_start_threads": group.moderators_only_start_threads,
        "members_count": group.members_count,
        "created_at": iso_time(group.created_at),
        "membership": state,
        "account": account,
    }


async def _groups_json(call: Call, found: Sequence[Group]) -> list[dict[str, Any]]:
    ids = [g.id for g in found]
    rows = await directory.accounts_by_id(call.store, ids)
    states = await groups.viewer_states(call.store, call.account_id, ids)
    base = call.settings.base_url
    return [
        serialize_group(g, serialize_account(rows[g.id], base), states.get(g.id))
        for g in found
        if g.id in rows
    ]


async def _group_json(call: Call, group_id: int) -> dict[str, Any]:
    return (await _groups_json(call, [await groups.get_group(call.store, group_id)]))[0]


def _partners(call: Call) -> tuple[str, ...] | None:
    p = call.params
    if not p.has("partner_domains"):
        return None
    raw = p.raw("partner_domains")
    if isinstance(raw, str):
        return tuple(d for d in raw.replace(",", " ").split() if d)
    return tuple(p.str_list("partner_domains", max_items=groups.MAX_PARTNERS + 1))


@api("read")
async def index(call: Call) -> Response:
    p = call.params
    limit = max(1, min(p.integer("limit", 40), 80))
    offset = p.integer("offset", 0)
    if offset < 0:
        raise ValidationError("offset must be 0 or more")
    found = await groups.list_groups(
        call.store, call.account_id, mine=bool(p.flag("mine", False)), limit=limit, offset=offset
    )
    return json(await _groups_json(call, found))


@api("write")
async def create(call: Call) -> Response:
    p = call.params
    new = NewGroup(
        username=p.required_str("name", max_length=100),
        display_name=p.text("display_name", "", max_length=1000),
        note=p.text("note", "", max_length=10_000),
        privacy=p.text("privacy", "internal", max_length=20),
        partner_domains=_partners(call) or (),
        moderators_only_start_threads=bool(p.flag("moderators_only_start_threads", False)),
    )
    group_id = await groups.create_group(call.runtime, call.account_id, new)
    return json(await _group_json(call, group_id))


@api("read")
async def show(call: Call) -> Response:
    return json(await _group_json(call, call.path_id()))


@api("write")
async def update(call: Call) -> Response:
    p = call.params
    change = GroupChange(
        display_name=p.text("display_name", max_length=1000),
        note=p.text("note", max_length=10_000),
        privacy=p.text("privacy", max_length=20),
        partner_domains=_partners(call),
        moderators_only_start_threads=p.flag("moderators_only_start_threads"),
    )
    await groups.update_group(call.runtime, call.account_id, call.path_id(), change)
    return json(await _group_json(call, call.path_id()))


async def _members_json(call: Call, found: list[Member]) -> Response:
    rows = await directory.accounts_by_id(call.store, [m.account_id for m in found])
    base = call.settings.base_url
    entities = [
        {
            "account": serialize_account(rows[m.account_id], base),
            "role": m.role,
            "state": m.state,
            "since": iso_time(m.since),
        }
        for m in found
        if m.account_id in rows
    ]
    return json(entities)


async def _members(call: Call, state: str) -> Response:
    p = call.params
    found = await groups.members(
        call.store,
        call.account_id,
        call.path_id(),
        state=state,
        limit=max(1, min(p.integer("limit", 40), 80)),
        max_id=p.id("max_id"),
    )
    return await _members_json(call, found)


@api("read")
async def members(call: Call) -> Response:
    state = call.params.text("state", "member", max_length=20)
    if state not in ("member", "banned"):
        raise ValidationError("state must be member or banned")
    return await _members(call, state)


@api("read")
async def join_requests(call: Call) -> Response:
    return await _members(call, "pending")


@api("write")
async def approve(call: Call) -> Response:
    await groups.approve(call.store, call.account_id, call.path_id(), call.path_id("account_id"))
    return json({})


@api("write")
async def reject(call: Call) -> Response:
    await groups.reject(call.store, call.account_id, call.path_id(), call.path_id("account_id"))
    return json({})


@api("write")
async def join(call: Call) -> Response:
    await groups.join(call.store, call.account_id, call.path_id())
    return json(await _group_json(call, call.path_id()))


@api("write")
async def leave(call: Call) -> Response:
    await groups.leave(call.store, call.account_id, call.path_id())
    return json(await _group_json(call, call.path_id()))


@api("read")
async def posts(call: Call) -> Response:
    rows = await groups.timeline(call.store, call.account_id, call.path_id(), page_query(call))
    return json(await statuses_json(call, rows), headers=link_header(call, [r["id"] for r in rows]))


@api("write")
async def remove_post(call: Call) -> Response:
    await groups.remove_post(
        call.runtime, call.account_id, call.path_id(), call.path_id("status_id")
    )
    return json({})


@api("write")
async def ban(call: Call) -> Response:
    account_id = call.params.required_id("account_id")
    await groups.ban(call.store, call.account_id, call.path_id(), account_id)
    return json({})


@api("write")
async def unban(call: Call) -> Response:
    await groups.unban(call.store, call.account_id, call.path_id(), call.path_id("account_id"))
    return json({})


@api("write")
async def set_role(call: Call) -> Response:
    role = call.params.required_str("role", max_length=20)
    await groups.set_role(
        call.store, call.account_id, call.path_id(), call.path_id("account_id"), role
    )
    return json({})


@api("read")
async def banned(call: Call) -> Response:
    return await _members(call, "banned")


def group_routes() -> list[BaseRoute]:
    base = "/api/v1/groups"
    one = base + "/{id}"
    return [
        *route(base, GET=index, POST=create),
        *route(one, GET=show, PATCH=update, PUT=update),
        *route(one + "/members", GET=members),
        *route(one + "/members/{account_id}/role", POST=set_role),
        *route(one + "/join_requests", GET=join_requests),
        *route(one + "/join_requests/{account_id}/approve", POST=approve),
        *route(one + "/join_requests/{account_id}/reject", POST=reject),
        *route(one + "/join", POST=join),
        *route(one + "/leave", POST=leave),
        *route(one + "/posts", GET=posts),
        *route(one + "/posts/{status_id}", DELETE=remove_post),
        *route(one + "/bans", GET=banned, POST=ban),
        *route(one + "/bans/{account_id}", DELETE=unban),
    ]
