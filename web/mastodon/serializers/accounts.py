"""Account, CredentialAccount and Relationship entities."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from fediverse.relationships import Relationship
from fediverse.staff_profiles import json_list
from web.mastodon.serializers.common import (
    DEFAULT_AVATAR,
    DEFAULT_HEADER,
    iso_date,
    iso_midnight,
    iso_time,
    media_url,
)

Row = Mapping[str, Any]


def acct(row: Row) -> str:
    return row["username"] if row["domain"] is None else f"{row['username']}@{row['domain']}"


def _image(base_url: str, path: str | None, remote: str | None, default: str) -> str:
    return media_url(base_url, path) or remote or base_url + default


def _fields(raw: str) -> list[dict[str, Any]]:
    fields = orjson.loads(raw or "[]")
    return [
        {
            "name": f.get("name", ""),
            "value": f.get("value_html", f.get("value", "")),
            "verified_at": f.get("verified_at"),
        }
        for f in fields
        if isinstance(f, dict)
    ]


def serialize_account(row: Row, base_url: str, *, staff: bool = True) -> dict[str, Any]:
    """The Account entity; ``staff=False`` (a viewer who is not signed in) leaves out the
    staff directory's contact details, which are for colleagues only. A suspended account
    is shown blank and ``suspended`` (``blanked``)."""
    if _optional(row, "unavailable") or _optional(row, "suspended_at") is not None:
        return blanked(row, base_url, staff=staff)
    avatar = _image(base_url, row["avatar_path"], row["avatar_remote_url"], DEFAULT_AVATAR)
    header = _image(base_url, row["header_path"], row["header_remote_url"], DEFAULT_HEADER)
    return {
        "id": str(row["id"]),
        "username": row["username"],
        "acct": acct(row),
        "display_name": row["display_name"],
        "locked": bool(row["locked"]),
        "bot": bool(row["bot"]) or row["actor_type"] in ("Service", "Application"),
        "discoverable": bool(row["discoverable"]),
        "indexable": bool(row["discoverable"]),
        "group": row["actor_type"] == "Group",
        "created_at": iso_midnight(row["created_at"]),
        "note": row["note"],
        "url": row["url"] or row["uri"],
        "uri": row["uri"],
        "avatar": avatar,
        "avatar_static": avatar,
        "header": header,
        "header_static": header,
        "followers_count": row["followers_count"],
        "following_count": row["following_count"],
        "statuses_count": row["statuses_count"],
        "last_status_at": iso_date(row["last_status_at"]),
        "hide_collections": False,
        "noindex": not row["discoverable"],
        "emojis": [],
        "roles": [],
        "fields": _fields(row["fields"]),
        "kollegium": serialize_staff_profile(row, staff=staff),
    }


def blanked(row: Row, base_url: str, *, staff: bool = True) -> dict[str, Any]:
    """A suspended account as Mastodon serializes an unavailable one: its handle and
    links, ``suspended: true``, and nothing of its profile: no name, note, fields, emojis,
    roles or images, every flag off and, unlike Mastodon, its counts 0 too (they describe
    what is hidden)."""
    bare = {
        **row,
        "display_name": "",
        "note": "",
        "fields": "[]",
        "locked": False,
        "bot": False,
        "discoverable": False,
        "avatar_path": None,
        "avatar_remote_url": None,
        "header_path": None,
        "header_remote_url": None,
        "followers_count": 0,
        "following_count": 0,
        "statuses_count": 0,
        "actor_type": "Group" if row["actor_type"] == "Group" else "Person",
        "suspended_at": None,
        "unavailable": False,
    }
    entity = serialize_account(bare, base_url, staff=staff)
    empty = {"title": "", "department_id": None, "department_name": None}
    entity["kollegium"] = serialize_staff_profile(empty, staff=staff)
    entity["suspended"] = True
    return entity


def _optional(row: Row, key: str) -> Any:
    """A column some callers' rows lack (a record is not always a full mapping)."""
    try:
        return row[key]
    except KeyError:
        return None


def serialize_staff_profile(row: Row, *, staff: bool = True) -> dict[str, Any]:
    """The staff directory's fields (Kollegium-specific), empty for remote accounts; title
    and department only, unless ``staff``."""
    department_id = _optional(row, "department_id")
    name = _optional(row, "department_name")
    department = None
    if department_id is not None and name is not None:
        department = {"id": str(department_id), "name": name}
    profile = {
        "title": _optional(row, "title") or "",
        "department": department,
    }
    if not staff:
        return profile
    return {
        **profile,
        "phone": _optional(row, "phone") or "",
        "workplace": _optional(row, "workplace") or "",
        "languages": json_list(_optional(row, "languages")),
        "ask_me_about": json_list(_optional(row, "ask_me_about")),
    }


ROLE_PERMISSIONS = {"admin": "1", "moderator": "1036", "user": "0"}
ROLE_NAMES = {"admin": "Admin", "moderator": "Moderator", "user": ""}


def serialize_role(role: str) -> dict[str, Any]:
    return {
        "id": {"admin": "3", "moderator": "2"}.get(role, "-99"),
        "name": ROLE_NAMES.get(role, ""),
        "permissions": ROLE_PERMISSIONS.get(role, "0"),
        "color": "",
        "highlighted": role != "user",
    }


def serialize_credential_account(
    row: Row, base_url: str, *, role: str, preferences: Mapping[str, Any], requests: int
) -> dict[str, Any]:
    entity = serialize_account(row, base_url)
    source_fields = [
        {"name": f.get("name", ""), "value": f.get("value", ""), "verified_at": None}
        for f in orjson.loads(row["fields"] or "[]")
        if isinstance(f, dict)
    ]
    entity["source"] = {
        "privacy": preferences.get("default_privacy", "public"),
        "sensitive": bool(preferences.get("default_sensitive", False)),
        "language": preferences.get("default_language", ""),
        "local_only": bool(preferences.get("default_local_only", True)),
        "note": row["note_source"],
        "fields": source_fields,
        "follow_requests_count": requests,
        "hide_collections": False,
        "discoverable": bool(row["discoverable"]),
        "indexable": bool(row["discoverable"]),
    }
    entity["role"] = serialize_role(role)
    return entity


def serialize_relationship(rel: Relationship) -> dict[str, Any]:
    return {
        "id": str(rel.account_id),
        "following": rel.following,
        "showing_reblogs": rel.showing_reblogs,
        "notifying": rel.notifying,
        "languages": None,
        "followed_by": rel.followed_by,
        "blocking": rel.blocking,
        "blocked_by": rel.blocked_by,
        "muting": rel.muting,
        "muting_notifications": rel.muting_notifications,
        "requested": rel.requested,
        "requested_by": rel.requested_by,
        "domain_blocking": rel.domain_blocking,
        "endorsed": rel.endorsed,
        "note": rel.note,
    }


def account_time(ms: int | None) -> str | None:
    return iso_time(ms)
