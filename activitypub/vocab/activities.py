"""Activities Mastodon sends (Create, Follow, Announce, ...) and the dispatch by type."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeAlias

from activitypub.errors import InvalidIdError, ParseError
from activitypub.vocab.actors import ACTOR_TYPES, Actor, parse_actor
from activitypub.vocab.construct import fast_constructor
from activitypub.vocab.fields import (
    RawObject,
    as_list,
    check_url,
    id_of,
    is_url,
    origin_of,
    read_audience,
    read_datetime,
    read_id_and_origin,
    read_optional_id,
    read_str,
    require_object,
    require_origin,
    type_of,
    url_and_origin,
)
from activitypub.vocab.media import Tag, parse_tags
from activitypub.vocab.objects import (
    GenericObject,
    Note,
    Tombstone,
    parse_article,
    parse_generic,
    parse_note,
    parse_question,
    parse_tombstone,
)

# Announce(Create(Note)) is as deep as real traffic goes; bound it so hostile input cannot recurse.
MAX_DEPTH = 4


@dataclass(frozen=True, slots=True)
class Activity:
    """An activity; ``object`` is an id or the embedded object, already parsed.

    ``id`` is None only for transient activities (GoToSocial sends its Deletes without one).
    """

    id: str | None
    type: str
    actor: str
    object: ObjectRef
    target: str | None = None
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    audience: tuple[str, ...] = ()
    published: datetime | None = None
    content: str | None = None
    summary: str | None = None
    tags: tuple[Tag, ...] = ()
    raw: RawObject = field(default_factory=dict, repr=False, compare=False)

    @property
    def object_id(self) -> str | None:
        """The id of the object, whether it came as an id or embedded."""
        if isinstance(self.object, str):
            return self.object
        return self.object.id


@dataclass(frozen=True, slots=True)
class Create(Activity):
    """Create: the object (usually an embedded Note) is new."""


@dataclass(frozen=True, slots=True)
class Update(Activity):
    """Update: the object (a post or the actor itself) changed."""


@dataclass(frozen=True, slots=True)
class Delete(Activity):
    """Delete: the object (an id or a Tombstone) is gone."""


@dataclass(frozen=True, slots=True)
class Follow(Activity):
    """Follow: the actor asks to follow the object."""


@dataclass(frozen=True, slots=True)
class Accept(Activity):
    """Accept: usually of a Follow, embedded or by id."""


@dataclass(frozen=True, slots=True)
class Reject(Activity):
    """Reject: usually of a Follow."""


@dataclass(frozen=True, slots=True)
class Undo(Activity):
    """Undo of the actor's own earlier activity."""


@dataclass(frozen=True, slots=True)
class Announce(Activity):
    """Announce: a boost, or a group relaying an activity to its members."""


@dataclass(frozen=True, slots=True)
class Like(Activity):
    """Like: a favourite (``content`` holds the emoji of a Misskey reaction)."""


@dataclass(frozen=True, slots=True)
class EmojiReact(Activity):
    """EmojiReact (Pleroma, Misskey): ``content`` is the emoji."""


@dataclass(frozen=True, slots=True)
class Block(Activity):
    """Block of the object actor."""


@dataclass(frozen=True, slots=True)
class Flag(Activity):
    """Flag: a report; ``objects`` lists the reported actor and posts, ``content`` the comment."""

    objects: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Move(Activity):
    """Move of the actor (the object) to a new account (the target)."""


@dataclass(frozen=True, slots=True)
class Add(Activity):
    """Add of the object to the target collection (pinned posts, group moderators)."""


@dataclass(frozen=True, slots=True)
class Remove(Activity):
    """Remove of the object from the target collection."""


APObject: TypeAlias = Note | Actor | Activity | Tombstone | GenericObject
ObjectRef: TypeAlias = str | APObject

ACTIVITY_TYPES: dict[str, type[Activity]] = {
    cls.__name__: cls
    for cls in (
        Create,
        Update,
        Delete,
        Follow,
        Accept,
        Reject,
        Undo,
        Announce,
        Like,
        EmojiReact,
        Block,
        Flag,
        Move,
        Add,
        Remove,
    )
}

_CONSTRUCTORS: dict[type[Activity], Callable[..., Activity]] = {
    cls: fast_constructor(cls) for cls in ACTIVITY_TYPES.values()
}

# Types whose embedded object must come from the activity's own server.
_AUTHORED = frozenset({"Create", "Update", "Delete"})


def _embedded_actor(value: object) -> object:
    """``actor`` may be an id, an embedded actor, or a one-item list of either."""
    return id_of(value)


def _parse_object(value: object, depth: int) -> ObjectRef:
    """The ``object`` of an activity: an id, or an embedded object parsed by its type."""
    if isinstance(value, list):
        if not value:
            raise ParseError("object is empty")
        value = value[0]
    if isinstance(value, str):
        return check_url(value, "object")
    return parse_document(require_object(value, "object"), depth + 1)


def _check_embedded(kind: str, actor: str, actor_origin: str, embedded: ObjectRef) -> None:
    """An embedded object must be vouched for by the server that sent the activity."""
    if isinstance(embedded, str):
        return
    if kind == "Undo" and isinstance(embedded, Activity) and embedded.actor != actor:
        raise InvalidIdError("an Undo may only undo the actor's own activity")
    if kind in _AUTHORED and embedded.id is not None:
        require_origin(origin_of(embedded.id), actor_origin, "object id")


def _flag_objects(raw: RawObject) -> tuple[str, ...]:
    objects = (id_of(item) for item in as_list(raw.get("object")))
    return tuple(item for item in objects if is_url(item))


def _build_activity(
    cls: type[Activity], raw: RawObject, kind: str, depth: int, *extra: Any
) -> Activity:
    activity_id = id_origin = None
    if raw.get("id") is not None:
        activity_id, id_origin = read_id_and_origin(raw, "id")
    actor, actor_origin = url_and_origin(_embedded_actor(raw.get("actor")), "actor")
    if activity_id is not None:
        require_origin(id_origin, actor_origin, "id")
    if raw.get("object") is None:
        raise ParseError("object is missing")
    embedded = _parse_object(raw["object"], depth)
    _check_embedded(kind, actor, actor_origin, embedded)
    # Positional, in field order: see fast_constructor.
    return _CONSTRUCTORS[cls](
        activity_id,
        kind,
        actor,
        embedded,
        read_optional_id(raw, "target"),
        read_audience(raw, "to"),
        read_audience(raw, "cc"),
        read_audience(raw, "audience"),
        read_datetime(raw, "published"),
        read_str(raw, "content"),
        read_str(raw, "summary"),
        parse_tags(raw.get("tag")),
        raw,
        *extra,
    )


def parse_activity(raw: RawObject, kind: str | None = None, depth: int = 0) -> Activity:
    """Parse one of the activity types in ``ACTIVITY_TYPES``."""
    kind = kind or type_of(raw)
    cls = ACTIVITY_TYPES.get(kind)
    if cls is None:
        raise ParseError(f"{kind} is not an activity type we handle")
    if cls is Flag:
        return _build_activity(Flag, raw, kind, depth, _flag_objects(raw))
    if cls is Move and read_optional_id(raw, "target") is None:
        raise ParseError("a Move needs a target")
    return _build_activity(cls, raw, kind, depth)


_OBJECT_PARSERS: dict[str, Callable[[RawObject, str], APObject]] = {
    "Note": parse_note,
    "ChatMessage": parse_note,
    "Article": parse_article,
    "Page": parse_article,
    "Question": parse_question,
    "Tombstone": parse_tombstone,
    **{kind: parse_actor for kind in ACTOR_TYPES},
}


def parse_document(raw: object, depth: int = 0) -> APObject:
    """Parse any document by its type; an unknown type becomes a GenericObject."""
    if depth > MAX_DEPTH:
        raise ParseError("objects are nested too deeply")
    document = require_object(raw, "document")
    kind = type_of(document)
    if kind in ACTIVITY_TYPES:
        return parse_activity(document, kind, depth)
    parser = _OBJECT_PARSERS.get(kind)
    if parser is None:
        return parse_generic(document, kind)
    return parser(document, kind)
