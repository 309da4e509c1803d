"""``/api/v1/markers``: read positions of home and notifications."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from fediverse import markers, notifications
from fediverse.errors import BadRequestError
from fediverse.hydrate import Row
from web.mastodon.endpoint import Call, api, json
from web.mastodon.serializers.common import iso_time


def _entities(found: dict[str, Row]) -> dict[str, Any]:
    return {
        name: {
            "last_read_id": str(row["last_read_id"]),
            "version": row["version"],
            "updated_at": iso_time(row["updated_at"]),
        }
        for name, row in found.items()
    }


@api("read:statuses")
async def show(call: Call) -> Response:
    wanted = call.params.str_list("timeline", max_items=2) or list(markers.TIMELINES)
    return json(_entities(await markers.get_markers(call.store, call.account_id, wanted)))


@api("write:statuses")
async def update(call: Call) -> Response:
    positions = {}
    for name in markers.TIMELINES:
        sub = call.params.sub(name)
        if sub.has("last_read_id"):
            positions[name] = sub.required_id("last_read_id")
    if not positions:
        raise BadRequestError("param is missing or the value is empty: home or notifications")
    found = await markers.set_markers(call.store, call.account_id, positions)
    if "notifications" in positions:
        # Read up to the marker: what unread_count counts, as Mastodon counts from the marker.
        await notifications.mark_read(call.store, call.account_id, positions["notifications"])
    return json(_entities(found))
