"""Status, MediaAttachment, Poll and StatusEdit entities, from a hydrated page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import orjson

from fediverse.hydrate import StatusPage
from fediverse.ids import now_ms
from web.mastodon.serializers.accounts import acct, serialize_account
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


class StatusSerializer:
    """Turns the statuses of one hydrated page into Mastodon entities, sharing account work."""

    def __init__(self, page: StatusPage, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self._accounts: dict[int, dict[str, Any]] = {}

    def account(self, account_id: int) -> dict[str, Any]:
        cached = self._accounts.get(account_id)
        if cached is None:
            cached = serialize_account(
                self.page.accounts[account_id],
                self.base_url,
                staff=self.page.viewer_account_id is not None,
            )
            self._accounts[account_id] = cached
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
        entity = {**self._original(row), "reblog": inner}
        entity.update(
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

    def _sensitized(self, account_id: int) -> bool:
        """Moderators marked everything of this account sensitive."""
        author = self.page.accounts.get(account_id)
        return author is not None and author.get("sensitized_at") is not None

    def _original(self, row: Row) -> dict[str, Any]:
        sid, page, marks = row["id"], self.page, self.page.marks
        signed_in = page.viewer_account_id is not None
        entity = {
            "id": str(sid),
            "created_at": iso_time(row["created_at"]),
            "in_reply_to_id": _str(row["in_reply_to_id"]),
            "in_reply_to_account_id": _str(row["in_reply_to_account_id"]),
            "sensitive": bool(row["sensitive"]) or self._sensitized(row["account_id"]),
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
            "application": self._application(row),
            "account": self.account(row["account_id"]),
            "media_attachments": [
                serialize_media(m, self.base_url) for m in page.media.get(sid, ())
            ],
            "mentions": [self._mention(a) for a in page.mentions.get(sid, ())],
            "tags": [self._tag(name) for name in page.tags.get(sid, ())],
            "emojis": [],
            "card": None,
            "poll": self._poll(sid),
            "filtered": [],
        }
        if signed_in:
            entity["favourited"] = sid in marks["favourited"]
            entity["reblogged"] = sid in marks["reblogged"]
            entity["muted"] = False
            entity["bookmarked"] = sid in marks["bookmarked"]
            entity["pinned"] = sid in marks["pinned"]
        return entity

    def _application(self, row: Row) -> dict[str, Any] | None:
        app = self.page.applications.get(row["application_id"] or 0)
        if app is None or row["account_id"] != self.page.viewer_account_id:
            return None
        return {"name": app["name"], "website": app["website"]}

    def _mention(self, account_id: int) -> dict[str, Any]:
        row = self.page.accounts[account_id]
        return {
            "id": str(account_id),
            "username": row["username"],
            "url": row["url"] or row["uri"],
            "acct": acct(row),
        }

    def _tag(self, name: str) -> dict[str, Any]:
        return {"name": name.lower(), "url": f"{self.base_url}/tags/{quote(name.lower())}"}

    def _poll(self, status_id: int) -> dict[str, Any] | None:
        row = self.page.polls.get(status_id)
        if row is None:
            return None
        own = self.page.own_votes.get(row["id"], []) if self.page.viewer_account_id else None
        return serialize_poll(row, own)


def _str(value: int | None) -> str | None:
    return str(value) if value is not None else None


def serialize_statuses(page: StatusPage, base_url: str) -> list[dict[str, Any]]:
    return StatusSerializer(page, base_url).all()
