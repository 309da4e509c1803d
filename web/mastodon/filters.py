"""Filters: ``/api/v2/filters`` with keywords and statuses, and the v1 view of them."""

from __future__ import annotations

from starlette.responses import Response

from fediverse import filters
from web.mastodon.endpoint import Call, api, json
from web.mastodon.params import Params
from web.mastodon.serializers.filters import (
    serialize_filter,
    serialize_filter_status,
    serialize_keyword,
    serialize_v1,
)


def _expires_in(p: Params) -> tuple[int | None, bool]:
    """Seconds until the filter expires, and whether an empty value cleared it."""
    if p.has("expires_in") and p.raw("expires_in") in ("", None):
        return None, True
    return p.integer("expires_in"), False


def _keyword(p: Params) -> filters.KeywordChange:
    return filters.KeywordChange(
        keyword=p.text("keyword", max_length=filters.MAX_TEXT),
        whole_word=p.flag("whole_word"),
        id=p.id("id"),
        destroy=bool(p.flag("_destroy", False)),
    )


def _change(call: Call) -> filters.FilterChange:
    p = call.params
    expires_in, cleared = _expires_in(p)
    attributes = p.sub("keywords_attributes")
    keywords = tuple(_keyword(attributes.sub(key)) for key in sorted(attributes.data, key=str))
    context = p.str_list("context", max_items=5) if p.has("context") else None
    return filters.FilterChange(
        title=p.text("title", max_length=filters.MAX_TEXT),
        context=tuple(context) if context is not None else None,
        action=p.text("filter_action"),
        expires_in=expires_in,
        clear_expiry=cleared,
        keywords=keywords,
    )


@api("read:filters")
async def index(call: Call) -> Response:
    found = await filters.all_filters(call.store, call.account_id)
    return json([serialize_filter(f) for f in found])


@api("read:filters")
async def show(call: Call) -> Response:
    return json(
        serialize_filter(await filters.get_filter(call.store, call.account_id, call.path_id()))
    )


@api("write:filters")
async def create(call: Call) -> Response:
    made = await filters.create_filter(call.store, call.account_id, _change(call))
    return json(serialize_filter(made))


@api("write:filters")
async def update(call: Call) -> Response:
    changed = await filters.update_filter(
        call.store, call.account_id, call.path_id(), _change(call)
    )
    return json(serialize_filter(changed))


@api("write:filters")
async def destroy(call: Call) -> Response:
    await filters.delete_filter(call.store, call.account_id, call.path_id())
    return json({})


@api("read:filters")
async def keywords(call: Call) -> Response:
    found = await filters.get_filter(call.store, call.account_id, call.path_id("filter_id"))
    return json([serialize_keyword(k) for k in found.keywords])


@api("write:filters")
async def add_keyword(call: Call) -> Response:
    row = await filters.add_keyword(
        call.store, call.account_id, call.path_id("filter_id"), _keyword(call.params)
    )
    return json(serialize_keyword(row))


@api("read:filters")
async def show_keyword(call: Call) -> Response:
    return json(
        serialize_keyword(await filters.get_keyword(call.store, call.account_id, call.path_id()))
    )


@api("write:filters")
async def update_keyword(call: Call) -> Response:
    row = await filters.update_keyword(
        call.store, call.account_id, call.path_id(), _keyword(call.params)
    )
    return json(serialize_keyword(row))


@api("write:filters")
async def destroy_keyword(call: Call) -> Response:
    await filters.delete_keyword(call.store, call.account_id, call.path_id())
    return json({})


@api("read:filters")
async def statuses(call: Call) -> Response:
    found = await filters.get_filter(call.store, call.account_id, call.path_id("filter_id"))
    return json([serialize_filter_status(s) for s in found.statuses])


@api("write:filters")
async def add_status(call: Call) -> Response:
    status_id = call.params.required_id("status_id")
    row = await filters.add_status(
        call.store, call.account_id, call.path_id("filter_id"), status_id
    )
    return json(serialize_filter_status(row))


@api("read:filters")
async def show_status(call: Call) -> Response:
    row = await filters.get_filtered_status(call.store, call.account_id, call.path_id())
    return json(serialize_filter_status(row))


@api("write:filters")
async def destroy_status(call: Call) -> Response:
    await filters.delete_status(call.store, call.account_id, call.path_id())
    return json({})


# The v1 view: each keyword is a filter of its own.


@api("read:filters")
async def v1_index(call: Call) -> Response:
    found = await filters.all_filters(call.store, call.account_id)
    return json([serialize_v1(f, k) for f in found for k in f.keywords])


async def _v1_one(call: Call) -> tuple[filters.Filter, int]:
    keyword = await filters.get_keyword(call.store, call.account_id, call.path_id())
    found = await filters.get_filter(call.store, call.account_id, keyword["filter_id"])
    return found, int(keyword["id"])


@api("read:filters")
async def v1_show(call: Call) -> Response:
    found, keyword_id = await _v1_one(call)
    [keyword] = [k for k in found.keywords if k["id"] == keyword_id]
    return json(serialize_v1(found, keyword))


@api("write:filters")
async def v1_create(call: Call) -> Response:
    p = call.params
    phrase = p.required_str("phrase", max_length=filters.MAX_TEXT)
    expires_in, cleared = _expires_in(p)
    change = filters.FilterChange(
        title=phrase,
        context=tuple(p.str_list("context", max_items=5)),
        action="hide" if p.flag("irreversible", False) else "warn",
        expires_in=expires_in,
        clear_expiry=cleared,
        keywords=(filters.KeywordChange(phrase, p.flag("whole_word", True)),),
    )
    made = await filters.create_filter(call.store, call.account_id, change)
    return json(serialize_v1(made, made.keywords[0]))


@api("write:filters")
async def v1_destroy(call: Call) -> Response:
    found, keyword_id = await _v1_one(call)
    if len(found.keywords) == 1 and not found.statuses:
        await filters.delete_filter(call.store, call.account_id, found.id)
    else:
        await filters.delete_keyword(call.store, call.account_id, keyword_id)
    return json({})
