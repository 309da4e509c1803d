"""Posts (Note, Article, Question), Tombstone and unknown objects parsed from remote JSON."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from activitypub.errors import ParseError
from activitypub.vocab.construct import fast_constructor
from activitypub.vocab.fields import (
    RawObject,
    as_list,
    first_text,
    id_of,
    is_url,
    origin_of,
    read_audience,
    read_datetime,
    read_id,
    read_id_and_origin,
    read_ids,
    read_int,
    read_language_map,
    read_optional_id,
    read_str,
    require_origin,
)
from activitypub.vocab.media import Attachment, Tag, parse_attachments, parse_tags

# Keys under which servers name the post being quoted, most standard first.
_QUOTE_KEYS = ("quote", "quoteUrl", "quoteUri", "_misskey_quote")


@dataclass(frozen=True, slots=True)
class Note:
    """A post. ``content`` falls back to the first ``contentMap`` entry, as in Mastodon."""

    id: str
    type: str
    attributed_to: tuple[str, ...]
    content: str | None = None
    content_map: Mapping[str, str] = field(default_factory=dict)
    summary: str | None = None
    name: str | None = None
    sensitive: bool = False
    published: datetime | None = None
    updated: datetime | None = None
    in_reply_to: str | None = None
    url: str | None = None
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    audience: tuple[str, ...] = ()
    conversation: str | None = None
    quote: str | None = None
    tags: tuple[Tag, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    replies: str | None = None
    language: str | None = None
    media_type: str | None = None
    raw: RawObject = field(default_factory=dict, repr=False, compare=False)

    @property
    def author(self) -> str | None:
        """The first ``attributedTo`` actor (Lemmy and others may list several)."""
        return self.attributed_to[0] if self.attributed_to else None


@dataclass(frozen=True, slots=True)
class Article(Note):
    """A long-form post (Article, or Lemmy's Page), shown by Mastodon as a link."""


@dataclass(frozen=True, slots=True)
class PollOption:
    """One answer of a poll and the votes it has so far."""

    name: str
    votes: int = 0


@dataclass(frozen=True, slots=True)
class Question(Note):
    """A poll: ``multiple`` is True for ``anyOf`` polls; ``closed`` is when voting ended."""

    options: tuple[PollOption, ...] = ()
    multiple: bool = False
    end_time: datetime | None = None
    closed: datetime | None = None
    voters_count: int | None = None


@dataclass(frozen=True, slots=True)
class Tombstone:
    """What remains of a deleted object."""

    id: str
    former_type: str | None = None
    deleted: datetime | None = None


@dataclass(frozen=True, slots=True)
class GenericObject:
    """Any type we do not model: kept so it can be stored and ignored, never an error."""

    type: str
    id: str | None
    raw: RawObject = field(default_factory=dict, repr=False, compare=False)


_Post = TypeVar("_Post", bound=Note)


def _quote_of(raw: RawObject) -> str | None:
    for key in _QUOTE_KEYS:
        value = raw.get(key)
        if value is not None and is_url(value := id_of(value)):
            return value
    return None


def _conversation_of(raw: RawObject) -> str | None:
    # ``conversation`` may be an OStatus tag: URI, so it is kept as an opaque string.
    value = id_of(raw.get("conversation"))
    if isinstance(value, str) and value:
        return value
    context = id_of(raw.get("context"))
    return context if is_url(context) else None


def _media_type_of(raw: RawObject) -> str | None:
    value = raw.get("mediaType")
    return value if isinstance(value, str) else None


def _build_post(new: Callable[..., _Post], raw: RawObject, kind: str, *extra: Any) -> _Post:
    """Build any kind of post from the fields they all share (plus ``extra`` for polls)."""
    note_id, note_origin = read_id_and_origin(raw, "id")
    attributed_to = _attributed_to(raw, note_origin)
    content_map = read_language_map(raw, "contentMap")
    summary_map = read_language_map(raw, "summaryMap")
    name_map = read_language_map(raw, "nameMap")
    language_map = content_map or name_map or summary_map
    # Positional, in field order: see fast_constructor.
    return new(
        note_id,
        kind,
        attributed_to,
        first_text(read_str(raw, "content"), content_map),
        content_map,
        first_text(read_str(raw, "summary"), summary_map),
        first_text(read_str(raw, "name"), name_map),
        raw.get("sensitive") is True,
        read_datetime(raw, "published"),
        read_datetime(raw, "updated"),
        read_optional_id(raw, "inReplyTo"),
        _url_of(raw),
        read_audience(raw, "to"),
        read_audience(raw, "cc"),
        read_audience(raw, "audience"),
        _conversation_of(raw),
        _quote_of(raw),
        parse_tags(raw.get("tag")),
        parse_attachments(raw.get("attachment")),
        read_optional_id(raw, "replies"),
        next(iter(language_map), None),
        _media_type_of(raw),
        raw,
        *extra,
    )


def _attributed_to(raw: RawObject, note_origin: str) -> tuple[str, ...]:
    """The ``attributedTo`` actors; the first must be on the post's origin."""
    value = raw.get("attributedTo")
    if isinstance(value, str):
        origin = origin_of(value)
        if origin is None:
            return ()
        authors: tuple[str, ...] = (value,)
    else:
        authors = read_ids(raw, "attributedTo")
        origin = origin_of(authors[0]) if authors else note_origin
    require_origin(origin, note_origin, "id")
    return authors


def _url_of(raw: RawObject) -> str | None:
    """The human-facing URL: a string, a Link, or a list of them (text/html preferred)."""
    value = raw.get("url")
    if isinstance(value, str):
        return value if is_url(value) else None
    candidates = []
    for item in as_list(value):
        if isinstance(item, str) and is_url(item):
            candidates.append((True, item))
        elif isinstance(item, dict) and is_url(item.get("href")):
            candidates.append((item.get("mediaType") in (None, "text/html"), item["href"]))
    preferred = [url for is_html, url in candidates if is_html]
    if preferred:
        return preferred[0]
    return candidates[0][1] if candidates else None


_new_note = fast_constructor(Note)
_new_article = fast_constructor(Article)
_new_question = fast_constructor(Question)
_new_tombstone = fast_constructor(Tombstone)
_new_generic = fast_constructor(GenericObject)


def parse_note(raw: RawObject, kind: str = "Note") -> Note:
    """Parse a Note (or any post-like type Mastodon shows as a status)."""
    return _build_post(_new_note, raw, kind)


def parse_article(raw: RawObject, kind: str = "Article") -> Article:
    """Parse an Article or Page."""
    return _build_post(_new_article, raw, kind)


def _poll_option(raw: object) -> PollOption | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        return None
    replies = raw.get("replies")
    votes = read_int(replies, "totalItems") if isinstance(replies, dict) else None
    return PollOption(raw["name"], votes or 0)


def _closed_of(raw: RawObject, end_time: datetime | None) -> datetime | None:
    # ``closed`` may be a timestamp or, from some servers, just ``true``.
    closed = read_datetime(raw, "closed")
    if closed is None and raw.get("closed") is True:
        return end_time
    return closed


def parse_question(raw: RawObject, kind: str = "Question") -> Question:
    """Parse a poll; exactly one of ``oneOf`` / ``anyOf`` holds its options."""
    multiple = raw.get("anyOf") is not None and raw.get("oneOf") is None
    found = (_poll_option(item) for item in as_list(raw.get("anyOf" if multiple else "oneOf")))
    options = tuple(option for option in found if option is not None)
    if not options:
        raise ParseError("a Question needs oneOf or anyOf options")
    end_time = read_datetime(raw, "endTime")
    return _build_post(
        _new_question,
        raw,
        kind,
        options,
        multiple,
        end_time,
        _closed_of(raw, end_time),
        read_int(raw, "votersCount"),
    )


def parse_tombstone(raw: RawObject, kind: str = "Tombstone") -> Tombstone:
    """Parse a Tombstone."""
    former = raw.get("formerType")
    return _new_tombstone(
        read_id(raw, "id"),
        former if isinstance(former, str) else None,
        read_datetime(raw, "deleted"),
    )


def parse_generic(raw: RawObject, kind: str) -> GenericObject:
    """Keep an object of a type we do not model."""
    object_id = raw.get("id")
    return _new_generic(kind, object_id if is_url(object_id) else None, raw)
