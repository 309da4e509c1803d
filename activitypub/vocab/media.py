"""Attachments and tags (Mention, Hashtag, Emoji) found on remote objects and actors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypeAlias

from activitypub.vocab.construct import fast_constructor
from activitypub.vocab.fields import (
    RawObject,
    as_list,
    is_url,
    kind_of,
    read_datetime,
    read_int,
)

MEDIA_TYPES = frozenset({"Image", "Document", "Video", "Audio"})


@dataclass(frozen=True, slots=True)
class Attachment:
    """A media attachment (Image, Document, Video or Audio); ``name`` is the alt text."""

    type: str
    url: str
    media_type: str | None = None
    name: str | None = None
    blurhash: str | None = None
    focal_point: tuple[float, float] | None = None
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True, slots=True)
class PropertyValue:
    """A profile field (schema.org PropertyValue) as Mastodon shows it."""

    name: str
    value: str


@dataclass(frozen=True, slots=True)
class Mention:
    """A mention of an actor by its id."""

    href: str
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Hashtag:
    """A hashtag; ``name`` keeps the leading ``#`` when the sender wrote one."""

    name: str
    href: str | None = None


@dataclass(frozen=True, slots=True)
class Emoji:
    """A custom emoji: ``name`` is the shortcode with colons, ``icon_url`` the picture."""

    name: str
    icon_url: str
    id: str | None = None
    icon_media_type: str | None = None
    updated: datetime | None = None


Tag: TypeAlias = Mention | Hashtag | Emoji

_new_attachment = fast_constructor(Attachment)
_new_mention = fast_constructor(Mention)


def _link_href(value: object) -> tuple[str | None, str | None]:
    """Find the first http(s) href among a URL, a Link object or a list of them."""
    for item in as_list(value):
        if isinstance(item, str) and is_url(item):
            return item, None
        if isinstance(item, dict):
            href = item.get("href", item.get("url"))
            media_type = item.get("mediaType")
            if is_url(href):
                return href, media_type if isinstance(media_type, str) else None
    return None, None


def _focal_point(value: object) -> tuple[float, float] | None:
    """Mastodon's ``focalPoint``: two numbers between -1 and 1."""
    if not isinstance(value, list) or len(value) != 2:
        return None
    x, y = value
    # What Mastodon sends, checked without the calls the general case needs.
    if type(x) is float and type(y) is float and -1.0 <= x <= 1.0 and -1.0 <= y <= 1.0:
        return x, y
    if _is_unit(x) and _is_unit(y):
        return float(x), float(y)
    return None


def _is_unit(value: object) -> bool:
    """A number between -1 and 1 (booleans are not numbers here)."""
    # A tuple, not ``int | float``: that builds a union and checks through it on every call.
    return isinstance(value, (int, float)) and not isinstance(value, bool) and -1 <= value <= 1


def _text(raw: RawObject, key: str) -> str | None:
    """A string field of an embedded item; other types are ignored, not errors."""
    value = raw.get(key)
    return value if isinstance(value, str) else None


def parse_attachment(raw: object) -> Attachment | None:
    """Parse one media attachment; anything we cannot show gives None."""
    if not isinstance(raw, dict):
        return None
    kind = kind_of(raw)
    if kind not in MEDIA_TYPES:
        return None
    url = raw.get("url")
    link_media_type = None
    if not is_url(url):
        url, link_media_type = _link_href(url)
        if url is None:
            return None
    media_type, name, blurhash = raw.get("mediaType"), raw.get("name"), raw.get("blurhash")
    if not (isinstance(name, str) and name):
        # GoToSocial puts the alt text in ``summary``; Mastodon and the rest in ``name``.
        name = raw.get("summary")
    focal_point = raw.get("focalPoint")
    # Positional, in field order: see fast_constructor.
    return _new_attachment(
        kind,
        url,
        media_type if isinstance(media_type, str) and media_type else link_media_type,
        name if isinstance(name, str) else None,
        blurhash if isinstance(blurhash, str) else None,
        None if focal_point is None else _focal_point(focal_point),
        read_int(raw, "width"),
        read_int(raw, "height"),
    )


def parse_attachments(value: object) -> tuple[Attachment, ...]:
    """Parse the media among an ``attachment`` value or list."""
    if value is None:
        return ()
    attachments = []
    for item in as_list(value):
        attachment = parse_attachment(item)
        if attachment is not None:
            attachments.append(attachment)
    return tuple(attachments)


def parse_image(value: object) -> Attachment | None:
    """Parse an actor's ``icon`` or ``image``: an Image object, a list of them, or a URL."""
    for item in as_list(value):
        if isinstance(item, str) and is_url(item):
            return Attachment(type="Image", url=item)
        if isinstance(item, dict):
            url, media_type = _link_href(item.get("url"))
            if url is not None:
                return Attachment("Image", url, _text(item, "mediaType") or media_type)
    return None


def parse_property_values(value: object) -> tuple[PropertyValue, ...]:
    """The profile fields among an actor's ``attachment`` list."""
    fields = []
    for item in as_list(value):
        if isinstance(item, dict) and item.get("type") == "PropertyValue":
            name, text = item.get("name"), item.get("value")
            if isinstance(name, str) and isinstance(text, str):
                fields.append(PropertyValue(name, text))
    return tuple(fields)


def _parse_mention(raw: RawObject) -> Mention | None:
    href, name = raw.get("href"), raw.get("name")
    if not is_url(href):
        return None
    return _new_mention(href, name if isinstance(name, str) else None)


def _parse_hashtag(raw: RawObject) -> Hashtag | None:
    name = _text(raw, "name")
    if not name:
        return None
    href = raw.get("href")
    return Hashtag(name, href if is_url(href) else None)


def _parse_emoji(raw: RawObject) -> Emoji | None:
    name = _text(raw, "name")
    icon = raw.get("icon")
    if not name or not isinstance(icon, dict):
        return None
    url, media_type = _link_href(icon.get("url"))
    if url is None:
        return None
    emoji_id = raw.get("id")
    return Emoji(
        name=name,
        icon_url=url,
        id=emoji_id if is_url(emoji_id) else None,
        icon_media_type=_text(icon, "mediaType") or media_type,
        updated=read_datetime(raw, "updated"),
    )


_TAG_PARSERS = {"Mention": _parse_mention, "Hashtag": _parse_hashtag, "Emoji": _parse_emoji}


def parse_tag(raw: object) -> Tag | None:
    """Parse one tag; unknown or incomplete tags give None (Mastodon skips them too)."""
    if not isinstance(raw, dict):
        return None
    parser = _TAG_PARSERS.get(kind_of(raw) or "")
    return parser(raw) if parser is not None else None


def parse_tags(value: object) -> tuple[Tag, ...]:
    """Parse a ``tag`` value or list, dropping what we do not understand."""
    if value is None:
        return ()
    tags = []
    for item in as_list(value):
        tag = parse_tag(item)
        if tag is not None:
            tags.append(tag)
    return tuple(tags)


__all__ = [
    "Attachment",
    "Emoji",
    "Hashtag",
    "Mention",
    "PropertyValue",
    "Tag",
    "parse_attachment",
    "parse_attachments",
    "parse_image",
    "parse_property_values",
    "parse_tag",
    "parse_tags",
]
