"""Loading and serializing entities for a response: the bridge from domain rows to JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.responses import Response

from fediverse.filters import ActiveFilters, active_filters_plan
from fediverse.hydrate import Row, StatusPage, load_accounts, load_status_page, status_page_plan
from fediverse.rawsql import Plan
from fediverse.relationships import relationships
from fediverse.visibility import visible_rows
from web.mastodon.endpoint import Call, json
from web.mastodon.serializers.accounts import serialize_account, serialize_relationship
from web.mastodon.serializers.filters import apply_filters
from web.mastodon.serializers.statuses import StatusSerializer


async def status_page(call: Call, rows: Sequence[Row]) -> StatusPage:
    async with call.store.read() as conn:
        return await load_status_page(conn, rows, call.viewer_account_id)


async def statuses_json(
    call: Call, rows: Sequence[Row], context: str | None = None
) -> list[dict[str, Any]]:
    """Status entities with the viewer's filters applied: ``filtered`` set on each, and in a
    timeline of ``context`` (home, public, ...) those a ``hide`` filter matches left out.

    The page's hydration and the viewer's filters are read in one trip (on SQLite)."""
    viewer = call.viewer_account_id
    page, active = await call.store.run(_page_plan(rows, viewer))
    entities = StatusSerializer(page, call.settings.base_url).all()
    if active and entities:
        entities = apply_filters(entities, active, context)
    return entities


def _page_plan(
    rows: Sequence[Row], viewer: int | None
) -> Plan[tuple[StatusPage, ActiveFilters | None]]:
    page = yield from status_page_plan(rows, viewer)
    if viewer is None or not rows:
        return page, None
    active = yield from active_filters_plan([viewer])
    return page, active[viewer]


async def status_json(call: Call, status_id: int) -> dict[str, Any]:
    """One status the viewer may see, as an entity (404 otherwise)."""
    rows = await visible_rows(call.store, call.viewer_account_id, [status_id])
    if not rows:
        from fediverse.errors import NotFoundError

        raise NotFoundError("Record not found")
    return (await statuses_json(call, rows))[0]


def accounts_json(call: Call, rows: Sequence[Row]) -> list[dict[str, Any]]:
    staff = call.viewer_account_id is not None
    return [serialize_account(row, call.settings.base_url, staff=staff) for row in rows]


async def accounts_by_ids_json(call: Call, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    async with call.store.read() as conn:
        found = await load_accounts(conn, ids)
    staff = call.viewer_account_id is not None
    return {
        i: serialize_account(row, call.settings.base_url, staff=staff) for i, row in found.items()
    }


async def relationship_json(call: Call, target_id: int) -> Response:
    """The viewer's relationship with ``target_id``: what every relationship action answers."""
    found = await relationships(call.store, call.account_id, [target_id])
    return json(serialize_relationship(found[0]))
