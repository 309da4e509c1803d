"""Status, MediaAttachment, Poll and StatusEdit entities, from a hydrated page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import orjson

from fediverse.hydrate import StatusPage
from fediverse.ids import now_ms
from web.mastodon.serializers.accounts import serialize_account
from web.mastodon.serializers.common import iso_time, media_url

Row = Mapping[str, Any]


def serialize_media(row: Row, base_url: str) -> dict[str, Any]:
    meta = orjson.loads(row["meta"] or "{}")
    if row["focus_x"] is not None:
        meta["focus"] = {"x": row["focus_x"] / 1000, "y": row["focus_y"] / 1000}
    url = media_url(base_url, row["file_path"]) or row["remote_url"]
    return {
        "id": str(row["id"]),
        "type": row["type"],
        "url": url,
        "preview_url": media_url(base_url, row["thumbnail_path"]) or url,
        "remote_url": row["remote_url"],
        "preview_remote_url": None,
        "text_url": None,
        "meta": meta,
        "description": row["description"] or None,
        "blurhash": row["blurhash"],
    }


def serialize_poll(row: Row, own_votes: list[int] | None) -> dict[str, Any]:
    options = orjson.loads(row["options"])
    tallies = orjson.loads(row["tallies"] or "[]")
    tallies += [0] * (len(options) - len(tallies))
    expired = row["expires_at"] is not None and row["expires_at"] <= now_ms()
    hide = row["hide_totals"] and not expired
    entity: dict[str, Any] = {
        "id": str(row["id"]),
        "expires_at": iso_time(row["expires_at"]),
        "expired": expired,
        "multiple": bool(row["multiple"]),
        "votes_count": row["votes_count"],
        "voters_count": row["voters_count"] if row["multiple"] else row["votes_count"],
        "options": [
            {"title": title, "votes_count": None if hide else tallies[i]}
            for i, title in enumerate(options)
        ],
        "emojis": [],
    }
    if own_votes is not None:
        entity["voted"] = bool(own_votes)
        entity["own_votes"] = sorted(own_votes)
    return entity


class EntityCache:
    """Entities kept with the rows they were built from, and reused while those rows read
    the same: every request still reads the rows, so a change made by any process shows at
    once, and only the building is saved. Bounded; the oldest entry goes first."""

    def __init__(self, size: int) -> None:
        self._entries: dict[Any, tuple[Any, dict[str, Any]]] = {}
        self._size = size

    def get(self, key: Any, source: Any) -> dict[str, Any] | None:
        entry = self._entries.get(key)
        if entry is not None and entry[0] == source:
            return entry[1]
        return None

    def put(self, key: Any, source: Any, entity: dict[str, Any]) -> dict[str, Any]:
        if key not in self._entries and len(self._entries) >= self._size:
            del self._entries[next(iter(self._entries))]
        self._entries[key] = (source, entity)
        return entity


# Cached entities are shared between responses: nothing may change them after they are
# built. What differs per viewer (marks, polls, the application) is added to a copy.
# About 2 KB a status and 2 KB an account: some 60 MB when full, enough for the first pages
# of 10,000 busy users.
ACCOUNTS = EntityCache(10_000)
STATUSES = EntityCache(20_000)


class StatusSerializer:
    """Turns the statuses of one hydrated page into Mastodon entities, sharing account work."""

    def __init__(self, page: StatusPage, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.staff = page.viewer_account_id is not None

    def account(self, account_id: int) -> dict[str, Any]:
        row = self.page.accounts[account_id]
        key = (account_id, self.base_url, self.staff)
        source = tuple(row.values())
        cached = ACCOUNTS.get(key, source)
        if cached is None:
            entity = serialize_account(row, self.base_url, staff=self.staff)
            cached = ACCOUNTS.put(key, source, entity)
        return cached

    def all(self) -> list[dict[str, Any]]:
        return [self.status(status_id) for status_id in self.page.order]

    def status(self, status_id: int) -> dict[str, Any]:
        row = self.page.statuses[status_id]
        if row["reblog_of_id"] is not None:
            return self._reblog(row)
        return self._original(row)

    def _reblog(self, row: Row) -> dict[str, Any]:
        inner = self._original(self.page.statuses[row["reblog_of_id"]])
        entity = self._original(row)
        entity.update(
            reblog=inner,
            content="",
            media_attachments=[],
            mentions=[],
            tags=[],
            poll=None,
            favourited=inner["favourited"],
            reblogged=inner["reblogged"],
            bookmarked=inner["bookmarked"],
            pinned=False,
        )
        return entity

    def _original(self, row: Row) -> dict[str, Any]:
        """The status as this viewer sees it: a copy of the shared part, with their marks."""
        sid, page, marks = row["id"], self.page, self.page.marks
        entity = dict(self._shared(row))
        entity["application"] = self._application(row)
        entity["poll"] = self._poll(sid)
        if page.viewer_account_id is not None:
            entity["favourited"] = sid in marks["favourited"]
            entity["reblogged"] = sid in marks["reblogged"]
            entity["muted"] = False
            entity["bookmarked"] = sid in marks["bookmarked"]
            entity["pinned"] = sid in marks["pinned"]
        return entity

    def _shared(self, row: Row) -> dict[str, Any]:
        """What every viewer sees of the status, from the cache while its sources match."""
        sid, page = row["id"], self.page
        account = self.account(row["account_id"])
        sensitized = page.accounts[row["account_id"]].get("sensitized_at") is not None
        mentioned = tuple(self.account(a) for a in page.mentions.get(sid, ()))
        media = page.media.get(sid, ())
        tags = page.tags.get(sid, ())
        # Everything the entity is built from (an entity compares by value, so what it does
        # not show, like the author being sensitized, must be here on its own).
        source = (tuple(row.values()), account, sensitized, mentioned, media, tags)
        key = (sid, self.base_url, self.staff)
        cached = STATUSES.get(key, source)
        if cached is not None:
            return cached
        entity = {
            "id": str(sid),
            "created_at": iso_time(row["created_at"]),
            "in_reply_to_id": _str(row["in_reply_to_id"]),
            "in_reply_to_account_id": _str(row["in_reply_to_account_id"]),
            "sensitive": bool(row["sensitive"]) or sensitized,
            "spoiler_text": row["spoiler_text"],
            "visibility": row["visibility"],
            "language": row["language"],
            "uri": row["uri"],
            "url": row["url"] or row["uri"],
            "replies_count": row["replies_count"],
            "reblogs_count": row["reblogs_count"],
            "favourites_count": row["favourites_count"],
            "edited_at": iso_time(row["edited_at"]),
            "local_only": bool(row["local_only"]),
            "content": row["content"],
            "reblog": None,
            "application": None,
            "account": account,
            "media_attachments": [serialize_media(m, self.base_url) for m in media],
            "mentions": [_mention(a) for a in mentioned],
            "tags": [self._tag(name) for name in tags],
            "emojis": [],
            "card": None,
            "poll": None,
            "filtered": [],
        }
        return STATUSES.put(key, source, entity)

    def _application(self, row: Row) -> dict[str, Any] | None:
        app = self.page.applications.get(row["application_id"] or 0)
        if app is None or row["account_id"] != self.page.viewer_account_id:
            return None
        return {"name": app["name"], "website": app["website"]}

    def _tag(self, name: str) -> dict[str, Any]:
        return {"name": name.lower(), "url": f"{self.base_url}/tags/{quote(name.lower())}"}

    def _poll(self, status_id: int) -> dict[str, Any] | None:
        row = self.page.polls.get(status_id)
        if row is None:
            return None
        own = self.page.own_votes.get(row["id"], []) if self.page.viewer_account_id else None
        return serialize_poll(row, own)


def _mention(account: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": account["id"],
        "username": account["username"],
        "url": account["url"],
        "acct": account["acct"],
    }


def _str(value: int | None) -> str | None:
    return str(value) if value is not None else None


def serialize_statuses(page: StatusPage, base_url: str) -> list[dict[str, Any]]:
    return StatusSerializer(page, base_url).all()
