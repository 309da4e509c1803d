"""``GET /api/v1/preferences``: the user's posting defaults, as apps read them."""

from __future__ import annotations

from starlette.responses import Response

from fediverse.statuses import preferences
from web.mastodon.endpoint import Call, api, json


@api("read:accounts")
async def show(call: Call) -> Response:
    async with call.store.read() as conn:
        prefs = await preferences(conn, call.account_id)
    return json(
        {
            "posting:default:visibility": prefs.get("default_privacy") or "public",
            "posting:default:sensitive": bool(prefs.get("default_sensitive")),
            "posting:default:language": prefs.get("default_language") or None,
            "posting:default:local_only": bool(prefs.get("default_local_only", True)),
            "reading:expand:media": prefs.get("expand_media") or "default",
            "reading:expand:spoilers": bool(prefs.get("expand_spoilers")),
        }
    )
