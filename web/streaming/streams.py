"""Mastodon's stream names and the event-bus topics behind them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fediverse import lists
from fediverse.announcements import TOPIC as ANNOUNCEMENTS
from fediverse.errors import BadRequestError, ValidationError
from fediverse.runtime import Runtime
from fediverse.streams import home_topics

TAG_STREAMS = ("hashtag", "hashtag:local")
STREAMS = (
    "user",
    "user:notification",
    "public",
    "public:local",
    "public:remote",
    *TAG_STREAMS,
    "direct",
    "list",
)
NOTIFICATION_ONLY = "user:notification"


@dataclass(frozen=True, slots=True)
class Stream:
    """One stream a client asked for: its name, its tag if any, and the topics it reads."""

    name: str
    tag: str | None
    topics: frozenset[str]

    @property
    def label(self) -> list[str]:
        """How Mastodon names the stream in WebSocket messages: ``["hashtag", "skola"]``."""
        return [self.name, self.tag] if self.tag else [self.name]

    def carries(self, event_name: str) -> bool:
        return self.name != NOTIFICATION_ONLY or event_name == "notification"

    @property
    def list_id(self) -> int | None:
        """The list of a ``list`` stream (its tag holds the id)."""
        return int(self.tag) if self.name == "list" and self.tag else None


def stream_for(name: str, params: Mapping[str, str], account_id: int) -> Stream:
    """The stream ``name`` for this account; a 400 for an unknown one or a missing tag."""
    if name not in STREAMS:
        raise BadRequestError(f"Unknown stream type {name!r}")
    if name in TAG_STREAMS:
        tag = (params.get("tag") or "").strip().lstrip("#").lower()
        if not tag:
            raise ValidationError("Missing tag name parameter")
        suffix = ":local" if name == "hashtag:local" else ""
        return Stream(name, tag, frozenset({f"hashtag:{tag}{suffix}"}))
    if name in ("user", NOTIFICATION_ONLY):
        return Stream(name, None, frozenset({f"user:{account_id}"}))
    if name == "direct":
        return Stream(name, None, frozenset({f"direct:{account_id}"}))
    if name == "list":
        list_id = (params.get("list") or "").strip()
        if not list_id.isdigit() or len(list_id) > 19:
            raise ValidationError("Missing list name parameter")
        return Stream(name, list_id, frozenset())
    return Stream(name, None, frozenset({"timeline:" + name}))


async def open_stream(
    runtime: Runtime, name: str, params: Mapping[str, str], account_id: int
) -> Stream:
    """``stream_for``, with the home stream widened to the authors the account follows."""
    stream = stream_for(name, params, account_id)
    if stream.name == "list" and stream.tag is not None:
        # A list streams its members' posts; someone else's list is a 404.
        found = await lists.member_ids(runtime.store, account_id, int(stream.tag))
        return Stream(stream.name, stream.tag, frozenset(f"author:{m}" for m in found))
    if stream.name != "user":
        return stream
    async with runtime.store.read() as conn:
        topics = await home_topics(conn, account_id)
    # Announcements reach every member's user stream, as in Mastodon.
    return Stream(stream.name, None, frozenset({*topics, ANNOUNCEMENTS}))
