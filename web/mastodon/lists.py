"""Lists: ``/api/v1/lists`` (CRUD, members), ``/api/v1/timelines/list/:id``, and an account's."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from fediverse import lists
from fediverse.hydrate import Row
from web.mastodon.endpoint import Call, api, json
from web.mastodon.pagination import link_header, page_query
from web.mastodon.render import accounts_json, statuses_json


def serialize_list(row: Row) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "title": row["title"],
        "replies_policy": row["replies_policy"],
        "exclusive": bool(row["exclusive"]),
    }


def _change(call: Call) -> lists.ListChange:
    p = call.params
    return lists.ListChange(
        title=p.text("title", max_length=lists.MAX_TITLE),
        replies_policy=p.text("replies_policy"),
        exclusive=p.flag("exclusive"),
    )


@api("read:lists")
async def index(call: Call) -> Response:
    return json([serialize_list(r) for r in await lists.all_lists(call.store, call.account_id)])


@api("write:lists")
async def create(call: Call) -> Response:
    call.params.required_str("title", max_length=lists.MAX_TITLE)
    return json(serialize_list(await lists.create_list(call.store, call.account_id, _change(call))))


@api("read:lists")
async def show(call: Call) -> Response:
    return json(serialize_list(await lists.get_list(call.store, call.account_id, call.path_id())))


@api("write:lists")
async def update(call: Call) -> Response:
    row = await lists.update_list(call.store, call.account_id, call.path_id(), _change(call))
    return json(serialize_list(row))


@api("write:lists")
async def destroy(call: Call) -> Response:
    await lists.delete_list(call.store, call.account_id, call.path_id())
    return json({})


@api("read:lists")
async def members(call: Call) -> Response:
    # limit=0 asks for every member, as Mastodon allows.
    everyone = call.params.integer("limit", 40) == 0
    page = None if everyone else page_query(call, default=40, maximum=80)
    rows, keys = await lists.members(call.store, call.account_id, call.path_id(), page)
    headers = {} if everyone else link_header(call, keys)
    return json(accounts_json(call, rows), headers=headers)


@api("write:lists")
async def add_members(call: Call) -> Response:
    ids = call.params.id_list("account_ids", max_items=100)
    if not ids:
        from fediverse.errors import BadRequestError

        raise BadRequestError("param is missing or the value is empty: account_ids")
    await lists.add_members(call.store, call.account_id, call.path_id(), ids)
    return json({})


@api("write:lists")
async def remove_members(call: Call) -> Response:
    ids = call.params.id_list("account_ids", max_items=100)
    await lists.remove_members(call.store, call.account_id, call.path_id(), ids)
    return json({})


@api("read:lists")
async def of_account(call: Call) -> Response:
    found = await lists.lists_with(call.store, call.account_id, call.path_id())
    return json([serialize_list(r) for r in found])


@api("read:lists")
async def timeline(call: Call) -> Response:
    list_id = call.path_id("list_id")
    rows = await lists.timeline(call.store, call.account_id, list_id, page_query(call))
    entities = await statuses_json(call, rows, "home")
    return json(entities, headers=link_header(call, [r["id"] for r in rows]))
