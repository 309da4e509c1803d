"""The instance's public description (v1 and v2), its rules, peers and custom emojis."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from fediverse import about, media, polls, statuses
from fediverse.push import vapid_public_key
from web.mastodon.endpoint import Call, api, json
from web.mastodon.render import accounts_by_ids_json

SOFTWARE_VERSION = "0.1.0"
VERSION = f"4.3.0 (compatible; Kollegium {SOFTWARE_VERSION})"
THUMBNAIL_BLURHASH = "LfDSXcj[M{jt0.azWBaz]}jst7j["
SOURCE_URL = "https://github.com/kollegium/kollegium"
DESCRIPTION = "Kollegium: ett internt socialt nätverk för kommunens medarbetare."
SUPPORTED_MIME_TYPES = sorted(media.SUPPORTED.values())


def _configuration() -> dict[str, Any]:
    return {
        "accounts": {"max_featured_tags": 10, "max_pinned_statuses": 5},
        "statuses": {
            "max_characters": statuses.MAX_CHARACTERS,
            "max_media_attachments": statuses.MAX_MEDIA,
            "characters_reserved_per_url": statuses.URL_WEIGHT,
        },
        "media_attachments": {
            "supported_mime_types": SUPPORTED_MIME_TYPES,
            "image_size_limit": media.IMAGE_SIZE_LIMIT,
            "image_matrix_limit": media.IMAGE_MATRIX_LIMIT,
            "video_size_limit": 0,
            "video_frame_rate_limit": 0,
            "video_matrix_limit": 0,
        },
        "polls": {
            "max_options": polls.MAX_OPTIONS,
            "max_characters_per_option": polls.MAX_OPTION_CHARS,
            "min_expiration": polls.MIN_EXPIRATION_S,
            "max_expiration": polls.MAX_EXPIRATION_S,
        },
    }


async def _contact(call: Call, account_id: int | None) -> dict[str, Any] | None:
    if account_id is None:
        return None
    return (await accounts_by_ids_json(call, [account_id])).get(account_id)


def _streaming_url(call: Call) -> str:
    return ("wss://" if call.settings.scheme == "https" else "ws://") + call.settings.domain


@api(access="public")
async def instance_v1(call: Call) -> Response:
    stats = await about.instance_stats(call.store)
    base = call.settings.base_url
    configuration = _configuration()
    configuration["statuses"]["max_characters"] = statuses.MAX_CHARACTERS
    return json(
        {
            "uri": call.settings.domain,
            "title": "Kollegium",
            "short_description": DESCRIPTION,
            "description": DESCRIPTION,
            "email": "",
            "version": VERSION,
            "urls": {"streaming_api": _streaming_url(call)},
            "stats": {
                "user_count": stats.user_count,
                "status_count": stats.status_count,
                "domain_count": stats.domain_count,
            },
            "thumbnail": f"{base}/static/thumbnail.png",
            "languages": ["sv", "en"],
            "registrations": False,
            "approval_required": True,
            "invites_enabled": False,
            "configuration": configuration,
            "contact_account": await _contact(call, stats.contact_account_id),
            "rules": [],
        }
    )


@api(access="public")
async def instance_v2(call: Call) -> Response:
    stats = await about.instance_stats(call.store)
    base = call.settings.base_url
    configuration = _configuration()
    configuration["urls"] = {"streaming": _streaming_url(call), "status": None}
    configuration["vapid"] = {"public_key": await vapid_public_key(call.store)}
    configuration["translation"] = {"enabled": False}
    return json(
        {
            "domain": call.settings.domain,
            "title": "Kollegium",
            "version": VERSION,
            "source_url": SOURCE_URL,
            "description": DESCRIPTION,
            "usage": {"users": {"active_month": stats.active_month}},
            "thumbnail": {
                "url": f"{base}/static/thumbnail.png",
                "blurhash": THUMBNAIL_BLURHASH,
                "versions": {
                    "@1x": f"{base}/static/thumbnail.png",
                    "@2x": f"{base}/static/thumbnail.png",
                },
            },
            "icon": [],
            "languages": ["sv", "en"],
            "configuration": configuration,
            "registrations": {
                "enabled": False,
                "approval_required": True,
                "message": None,
                "url": None,
            },
            "api_versions": {"mastodon": 2},
            "contact": {"email": "", "account": await _contact(call, stats.contact_account_id)},
            "rules": [],
        }
    )


@api(access="public")
async def rules(call: Call) -> Response:
    return json([])


@api(access="public")
async def peers(call: Call) -> Response:
    return json(await about.peers(call.store))


@api(access="public")
async def custom_emojis(call: Call) -> Response:
    return json([])
