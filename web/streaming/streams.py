"""Mastodon's stream names and the event-bus topics behind them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fediverse.errors import BadRequestError, ValidationError

TAG_STREAMS = ("hashtag", "hashtag:local")
STREAMS = (
    "user",
    "user:notification",
    "public",
    "public:local",
    "public:remote",
    *TAG_STREAMS,
    "direct",
)
NOTIFICATION_ONLY = "user:notification"


@dataclass(frozen=True, slots=True)
class Stream:
    """One stream a client asked for: its name, its tag if any, and the topic it reads."""

    name: str
    tag: str | None
    topic: str

    @property
    def label(self) -> list[str]:
        """How Mastodon names the stream in WebSocket messages: ``["hashtag", "skola"]``."""
        return [self.name, self.tag] if self.tag else [self.name]

    def carries(self, event_name: str) -> bool:
        return self.name != NOTIFICATION_ONLY or event_name == "notification"


def stream_for(name: str, params: Mapping[str, str], account_id: int) -> Stream:
    """The stream ``name`` for this account; a 400 for an unknown one or a missing tag."""
    if name not in STREAMS:
        raise BadRequestError(f"Unknown stream type {name!r}")
    if name in TAG_STREAMS:
        tag = (params.get("tag") or "").strip().lstrip("#").lower()
        if not tag:
            raise ValidationError("Missing tag name parameter")
        suffix = ":local" if name == "hashtag:local" else ""
        return Stream(name, tag, f"hashtag:{tag}{suffix}")
    if name in ("user", NOTIFICATION_ONLY):
        return Stream(name, None, f"user:{account_id}")
    if name == "direct":
        return Stream(name, None, f"direct:{account_id}")
    return Stream(name, None, "timeline:" + name)
