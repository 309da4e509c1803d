"""Announcements: members list, dismiss and react (``/api/v1/announcements``); admins make,
change and remove them and see who read each (``/api/v1/admin/announcements``, Kollegium's
own, as Mastodon makes announcements only in its web admin)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.responses import Response

from fediverse import announcements
from fediverse.errors import ValidationError
from web.mastodon.admin import acting, require_admin
from web.mastodon.endpoint import Call, api, json
from web.mastodon.params import Params
from web.mastodon.render import accounts_json
from web.mastodon.serializers.common import iso_time


def serialize_announcement(found: announcements.Announcement) -> dict[str, Any]:
    row = found.row
    return {
        "id": str(row["id"]),
        "content": row["content"],
        "starts_at": iso_time(row["starts_at"]),
        "ends_at": iso_time(row["ends_at"]),
        "all_day": bool(row["all_day"]),
        "published": bool(row["published"]),
        "published_at": iso_time(row["created_at"]),
        "updated_at": iso_time(row["updated_at"]),
        "read": found.read,
        "mentions": [],
        "statuses": [],
        "tags": [],
        "emojis": [],
        "reactions": [
            {"name": r.name, "count": r.count, "me": r.me, "url": None, "static_url": None}
            for r in found.reactions
        ],
    }


def _time(p: Params, name: str) -> int | None:
    value = p.text(name)
    if not value:
        return None
    try:
        return int(datetime.fromisoformat(value).timestamp() * 1000)
    except ValueError:
        raise ValidationError(f"{name} must be a time (ISO 8601)") from None


def _change(p: Params) -> announcements.AnnouncementChange:
    return announcements.AnnouncementChange(
        text=p.text("text", max_length=announcements.MAX_TEXT),
        starts_at=_time(p, "starts_at"),
        ends_at=_time(p, "ends_at"),
        all_day=p.flag("all_day"),
        published=p.flag("published"),
    )


@api("read")
async def index(call: Call) -> Response:
    dismissed = bool(call.params.flag("with_dismissed", False))
    found = await announcements.for_member(call.store, call.account_id, with_dismissed=dismissed)
    return json([serialize_announcement(a) for a in found])


@api("write:accounts")
async def dismiss(call: Call) -> Response:
    await announcements.dismiss(call.store, call.account_id, call.path_id())
    return json({})


@api("write:favourites")
async def react(call: Call) -> Response:
    name = str(call.request.path_params["name"])
    await announcements.react(call.store, call.account_id, call.path_id(), name)
    return json({})


@api("write:favourites")
async def unreact(call: Call) -> Response:
    name = str(call.request.path_params["name"])
    await announcements.unreact(call.store, call.account_id, call.path_id(), name)
    return json({})


async def _admin(call: Call) -> tuple[int, str]:
    require_admin(call)
    moderator = await acting(call)
    return call.account_id, moderator.actor


@api("admin:read")
async def admin_index(call: Call) -> Response:
    require_admin(call)
    return json(
        [serialize_announcement(a) for a in await announcements.all_announcements(call.store)]
    )


@api("admin:write")
async def admin_create(call: Call) -> Response:
    admin = await _admin(call)
    call.params.required_str("text", max_length=announcements.MAX_TEXT)
    s = call.settings
    made = await announcements.create(call.store, admin, _change(call.params), s.base_url, s.domain)
    found = [a for a in await announcements.all_announcements(call.store) if a.row["id"] == made]
    return json(serialize_announcement(found[0]))


@api("admin:write")
async def admin_update(call: Call) -> Response:
    admin = await _admin(call)
    s = call.settings
    await announcements.update_announcement(
        call.store, admin, call.path_id(), _change(call.params), s.base_url, s.domain
    )
    found = [
        a
        for a in await announcements.all_announcements(call.store)
        if a.row["id"] == call.path_id()
    ]
    return json(serialize_announcement(found[0]))


@api("admin:write")
async def admin_delete(call: Call) -> Response:
    admin = await _admin(call)
    await announcements.delete_announcement(call.store, admin, call.path_id())
    return json({})


@api("admin:read")
async def admin_read_by(call: Call) -> Response:
    require_admin(call)
    found = await announcements.read_by(call.store, call.path_id())
    return json(
        {"accounts": accounts_json(call, found.readers), "unread_count": found.unread_count}
    )
