"""Notification routes: list, one, dismiss, clear, unread count.

Kollegium's own kinds of notification (``OWN_TYPES``) reach a client only when it names
them in ``types[]``: no Mastodon app knows them, and apps have crashed on a type they did
not know. README.md, "Join requests in Mastodon apps", says why and what they look like.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.responses import Response

from fediverse import notifications
from fediverse.filters import active_filters
from fediverse.group_requests import groups_of_requests
from fediverse.hydrate import load_accounts, load_status_page
from fediverse.reports import reports_by_id
from fediverse.storage.database import Store
from fediverse.visibility import visible_rows
from web.mastodon.endpoint import Call, api, json
from web.mastodon.pagination import link_header, page_query
from web.mastodon.serializers.accounts import serialize_account
from web.mastodon.serializers.admin import serialize_report
from web.mastodon.serializers.common import iso_time
from web.mastodon.serializers.filters import apply_filters
from web.mastodon.serializers.statuses import StatusSerializer

OWN_TYPES = ("group_join_request",)


def unasked_own_types(types: Sequence[str]) -> list[str]:
    """Kollegium's own types that a request did not name in ``types[]``: left out."""
    return [t for t in OWN_TYPES if t not in types]


async def _entities(call: Call, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return await notification_entities(call.store, call.settings.base_url, call.account_id, rows)


async def notification_entities(
    store: Store, base: str, account_id: int, rows: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Notifications with their accounts and statuses, loaded for the whole page at once
    (also what the streaming API sends)."""
    status_ids = [r["status_id"] for r in rows if r["status_id"] is not None]
    status_rows = await visible_rows(store, account_id, status_ids)
    found_reports = await reports_by_id(store, {r["report_id"] for r in rows if r.get("report_id")})
    request_groups = await groups_of_requests(
        store, {r["follow_request_id"] for r in rows if r.get("follow_request_id")}
    )
    targets = {r["target_account_id"] for r in found_reports.values()}
    wanted = {r["from_account_id"] for r in rows} | targets | set(request_groups.values())
    async with store.read() as conn:
        page = await load_status_page(conn, status_rows, account_id)
        people = await load_accounts(conn, wanted)
    serializer = StatusSerializer(page, base)
    result = []
    for row in rows:
        entity = _entity(row, people, serializer, base)
        if entity is None:
            continue
        group = people.get(request_groups.get(row.get("follow_request_id") or 0, 0))
        if row["type"] == "group_join_request":
            if group is None:
                continue
            entity["group_account"] = serialize_account(group, base)
        report = found_reports.get(row.get("report_id") or 0)
        if report is not None:
            target = people.get(report["target_account_id"])
            entity["report"] = serialize_report(
                report, serialize_account(target, base) if target else None
            )
        result.append(entity)
    return await _filtered(store, account_id, result)


def _entity(
    row: dict[str, Any], people: dict[int, Any], serializer: StatusSerializer, base: str
) -> dict[str, Any] | None:
    """A notification's common fields; None when its sender or status is not to be shown."""
    if row["from_account_id"] not in people:
        return None
    if row["status_id"] is not None and row["status_id"] not in serializer.page.statuses:
        return None
    return {
        "id": str(row["id"]),
        "type": row["type"],
        "created_at": iso_time(row["created_at"]),
        "group_key": row["group_key"] or f"ungrouped-{row['id']}",
        "account": serialize_account(people[row["from_account_id"]], base),
        "status": serializer.status(row["status_id"]) if row["status_id"] else None,
    }


async def _filtered(
    store: Store, account_id: int, found: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The user's filters on the notifications' statuses: ``filtered`` set, and those a
    ``hide`` filter of the notifications context matches left out."""
    shown = [n["status"] for n in found if n["status"] is not None]
    if not shown:
        return found
    active = await active_filters(store, account_id)
    if not active:
        return found
    kept = {id(s) for s in apply_filters(shown, active, "notifications")}
    return [n for n in found if n["status"] is None or id(n["status"]) in kept]


@api("read:notifications")
async def index(call: Call) -> Response:
    p = call.params
    types = p.str_list("types", max_items=20)
    rows = await notifications.list_notifications(
        call.store,
        call.account_id,
        page_query(call, default=40, maximum=80),
        types=types,
        exclude_types=[*p.str_list("exclude_types", max_items=20), *unasked_own_types(types)],
        from_account_id=p.id("account_id"),
    )
    return json(await _entities(call, rows), headers=link_header(call, [r["id"] for r in rows]))


@api("read:notifications")
async def show(call: Call) -> Response:
    row = await notifications.get_notification(call.store, call.account_id, call.path_id())
    found = await _entities(call, [row])
    if not found:
        from fediverse.errors import NotFoundError

        raise NotFoundError("Record not found")
    return json(found[0])


@api("write:notifications")
async def dismiss(call: Call) -> Response:
    await notifications.dismiss(call.store, call.account_id, call.path_id())
    return json({})


@api("write:notifications")
async def clear(call: Call) -> Response:
    await notifications.clear(call.store, call.account_id)
    return json({})


@api("read:notifications")
async def unread_count(call: Call) -> Response:
    limit = max(1, min(call.params.integer("limit", 100), 1000))
    count = await notifications.unread_count(
        call.store, call.account_id, limit=limit, exclude_types=OWN_TYPES
    )
    return json({"count": count})
