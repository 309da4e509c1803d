"""Mastodon's mapping between a post's visibility and its ``to`` / ``cc`` addressing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum

from activitypub.vocab.fields import PUBLIC, PUBLIC_ALIASES


class Visibility(StrEnum):
    """Mastodon's visibilities; ``limited`` is a direct post to people it does not mention."""

    PUBLIC = "public"
    UNLISTED = "unlisted"
    PRIVATE = "private"
    DIRECT = "direct"
    LIMITED = "limited"


def _unique(items: Iterable[str]) -> list[str]:
    """Drop repeats, keeping first-seen order (a mention may also be a follower)."""
    return list(dict.fromkeys(items))


def addressing_for(
    visibility: Visibility | str, followers_url: str, mentions: Sequence[str] = ()
) -> tuple[list[str], list[str]]:
    """The ``(to, cc)`` Mastodon writes for a post of this visibility.

    public: to Public, cc followers and mentions; unlisted: to followers, cc Public and
    mentions; private: to followers, cc mentions; direct and limited: to mentions only.
    """
    match Visibility(visibility):
        case Visibility.PUBLIC:
            return [PUBLIC], _unique([followers_url, *mentions])
        case Visibility.UNLISTED:
            return [followers_url], _unique([PUBLIC, *mentions])
        case Visibility.PRIVATE:
            return [followers_url], _unique(mentions)
        case _:
            return _unique(mentions), []


def _is_public(audience: Iterable[str]) -> bool:
    return any(item in PUBLIC_ALIASES for item in audience)


def visibility_from_addressing(
    to: Sequence[str],
    cc: Sequence[str],
    followers_url: str | None,
    mentions: Sequence[str] | None = None,
) -> Visibility:
    """Read a remote post's visibility the way Mastodon's StatusParser does.

    Public in ``to`` is public; in ``cc`` unlisted; the author's followers in ``to`` private;
    anything else direct. When ``mentions`` (the hrefs of the post's Mention tags) is given,
    a direct post addressed to someone it does not mention is limited, as in Mastodon.
    """
    if _is_public(to):
        return Visibility.PUBLIC
    if _is_public(cc):
        return Visibility.UNLISTED
    if followers_url is not None and followers_url in to:
        return Visibility.PRIVATE
    if mentions is not None and any(item not in mentions for item in (*to, *cc)):
        return Visibility.LIMITED
    return Visibility.DIRECT
