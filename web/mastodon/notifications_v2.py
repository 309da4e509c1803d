"""Grouped notifications, ``/api/v2/notifications`` (Mastodon 4.3), and the notification
policy and requests: the user's own hide filters apply as in v1, but Kollegium holds back
no notification for review, so the policy accepts everything and no requests wait.
Kollegium's own kinds of notification come only when named in ``types[]``, as in v1."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from fediverse import notification_groups as groups
from fediverse.errors import NotFoundError, ValidationError
from fediverse.filters import active_filters
from fediverse.group_requests import groups_of_requests
from fediverse.visibility import visible_rows
from web.mastodon.endpoint import Call, api, json
from web.mastodon.notifications import OWN_TYPES, unasked_own_types
from web.mastodon.pagination import link_header, page_query
from web.mastodon.render import accounts_by_ids_json, statuses_json
from web.mastodon.serializers.common import iso_time
from web.mastodon.serializers.filters import apply_filters

POLICY_FIELDS = (
    "for_not_following",
    "for_not_followers",
    "for_new_accounts",
    "for_private_mentions",
    "for_limited_accounts",
)


def _group_key(call: Call) -> str:
    key = str(call.request.path_params.get("group_key", ""))
    if not key or len(key) > 100:
        raise NotFoundError("Record not found")
    return key


def _serialize_group(group: groups.Group, group_account_id: int | None) -> dict[str, Any]:
    ids = [r["id"] for r in group.rows]
    newest = group.newest
    extra = {} if group_account_id is None else {"group_account_id": str(group_account_id)}
    return {
        "group_key": group.key,
        "notifications_count": len(group.rows),
        "type": group.type,
        "most_recent_notification_id": str(newest["id"]),
        "page_min_id": str(min(ids)),
        "page_max_id": str(max(ids)),
        "latest_page_notification_at": iso_time(newest["created_at"]),
        "sample_account_ids": [str(a) for a in group.sample_account_ids],
        "status_id": str(newest["status_id"]) if newest["status_id"] is not None else None,
        **extra,
    }


async def _answer(call: Call, found: list[groups.Group]) -> dict[str, Any]:
    """The grouped shape: groups, and the accounts and statuses they name, each once."""
    status_ids = [g.newest["status_id"] for g in found if g.newest["status_id"] is not None]
    shown = await statuses_json(call, await visible_rows(call.store, call.account_id, status_ids))
    active = await active_filters(call.store, call.account_id)
    if active:  # a hide filter of the notifications context drops the group, as in v1
        shown = apply_filters(shown, active, "notifications")
    visible = {int(s["id"]) for s in shown}
    kept = [g for g in found if g.newest["status_id"] is None or g.newest["status_id"] in visible]
    # A group of join requests is about one group, named by its newest request.
    request_groups = await groups_of_requests(
        call.store, {g.newest["follow_request_id"] for g in kept if g.type == "group_join_request"}
    )
    group_of = {g.key: request_groups.get(g.newest["follow_request_id"] or 0) for g in kept}
    wanted = {a for g in kept for a in g.sample_account_ids} | set(request_groups.values())
    people = await accounts_by_ids_json(call, sorted(wanted))
    kept = [
        g
        for g in kept
        if all(a in people for a in g.sample_account_ids)
        and (g.type != "group_join_request" or group_of[g.key] in people)
    ]
    return {
        "accounts": list(people.values()),
        "statuses": shown,
        "notification_groups": [_serialize_group(g, group_of[g.key]) for g in kept],
    }


@api("read:notifications")
async def index(call: Call) -> Response:
    p = call.params
    grouped = p.str_list("grouped_types", max_items=20) if p.has("grouped_types") else None
    expand = p.text("expand_accounts", "full")
    if expand not in ("full", "partial_avatars"):
        raise ValidationError("expand_accounts must be full or partial_avatars")
    types = p.str_list("types", max_items=20)
    found, ids = await groups.grouped_page(
        call.store,
        call.account_id,
        page_query(call, default=40, maximum=80),
        types=types,
        exclude_types=[*p.str_list("exclude_types", max_items=20), *unasked_own_types(types)],
        from_account_id=p.id("account_id"),
        grouped_types=groups.check_grouped_types(grouped)
        if grouped is not None
        else groups.GROUPED_TYPES,
    )
    return json(await _answer(call, found), headers=link_header(call, ids))


@api("read:notifications")
async def show(call: Call) -> Response:
    found = await groups.get_group(call.store, call.account_id, _group_key(call))
    return json(await _answer(call, [found]))


@api("read:notifications")
async def accounts(call: Call) -> Response:
    found = await groups.get_group(call.store, call.account_id, _group_key(call))
    ids = list(dict.fromkeys(r["from_account_id"] for r in found.rows))
    people = await accounts_by_ids_json(call, ids)
    return json([people[a] for a in ids if a in people])


@api("write:notifications")
async def dismiss(call: Call) -> Response:
    await groups.dismiss_group(call.store, call.account_id, _group_key(call))
    return json({})


@api("read:notifications")
async def unread_count(call: Call) -> Response:
    limit = max(1, min(call.params.integer("limit", 100), 1000))
    count = await groups.unread_group_count(
        call.store, call.account_id, limit=limit, exclude_types=OWN_TYPES
    )
    return json({"count": count})


def _policy() -> dict[str, Any]:
    return {
        **dict.fromkeys(POLICY_FIELDS, "accept"),
        "summary": {"pending_requests_count": 0, "pending_notifications_count": 0},
    }


@api("read:notifications")
async def policy(call: Call) -> Response:
    return json(_policy())


@api("write:notifications")
async def update_policy(call: Call) -> Response:
    """Only ``accept`` may be set: nothing is filtered, so nothing else would be honest."""
    for name in POLICY_FIELDS:
        value = call.params.text(name)
        if value is not None and value != "accept":
            raise ValidationError(f"{name}: this server accepts every notification")
    return json(_policy())


@api("read:notifications")
async def requests(call: Call) -> Response:
    return json([])
