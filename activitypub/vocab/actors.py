"""Actors (Person, Service, Application, Group, Organization) parsed from remote JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeGuard

from activitypub.vocab.fields import (
    RawObject,
    as_list,
    is_url,
    kind_of,
    read_bool,
    read_datetime,
    read_id,
    read_ids,
    read_optional_id,
    read_str,
    same_origin,
)
from activitypub.vocab.media import (
    Attachment,
    PropertyValue,
    Tag,
    parse_image,
    parse_property_values,
    parse_tags,
)

ACTOR_TYPES = frozenset({"Person", "Service", "Application", "Group", "Organization"})


@dataclass(frozen=True, slots=True)
class PublicKey:
    """An actor's RSA key as Mastodon publishes it (``publicKey``, PEM)."""

    id: str
    owner: str
    pem: str


@dataclass(frozen=True, slots=True)
class Multikey:
    """A FEP-521a key from ``assertionMethod``."""

    id: str
    controller: str
    public_key_multibase: str


@dataclass(frozen=True, slots=True)
class Actor:
    """A remote actor; ``type`` is one of ``ACTOR_TYPES``."""

    id: str
    type: str
    inbox: str
    outbox: str | None = None
    followers: str | None = None
    following: str | None = None
    featured: str | None = None
    featured_tags: str | None = None
    shared_inbox: str | None = None
    preferred_username: str | None = None
    name: str | None = None
    summary: str | None = None
    url: str | None = None
    icon: Attachment | None = None
    image: Attachment | None = None
    manually_approves_followers: bool = False
    discoverable: bool = False
    indexable: bool = False
    memorial: bool = False
    suspended: bool = False
    published: datetime | None = None
    public_keys: tuple[PublicKey, ...] = ()
    assertion_methods: tuple[Multikey, ...] = ()
    fields: tuple[PropertyValue, ...] = ()
    tags: tuple[Tag, ...] = ()
    also_known_as: tuple[str, ...] = ()
    moved_to: str | None = None
    raw: RawObject = field(default_factory=dict, repr=False, compare=False)

    @property
    def public_key(self) -> PublicKey | None:
        """The first key that belongs to this actor, as Mastodon reads it."""
        return self.public_keys[0] if self.public_keys else None

    @property
    def is_group(self) -> bool:
        """True for Group actors (FEP-1b12 groups, Lemmy communities)."""
        return self.type == "Group"

    @property
    def is_bot(self) -> bool:
        """Mastodon shows Service and Application actors as bots."""
        return self.type in ("Service", "Application")


def _owned(key_id: object, owner: object, actor_id: str) -> TypeGuard[str]:
    """A key counts only if the actor owns it and its id lives on the actor's origin."""
    return is_url(key_id) and owner == actor_id and same_origin(key_id, actor_id)


def _public_keys(raw: RawObject, actor_id: str) -> tuple[PublicKey, ...]:
    """Keys whose id lives on the actor's origin and whose owner is the actor."""
    keys = []
    for item in as_list(raw.get("publicKey")):
        if not isinstance(item, dict):
            continue
        key_id, owner, pem = item.get("id"), item.get("owner", actor_id), item.get("publicKeyPem")
        if _owned(key_id, owner, actor_id) and isinstance(pem, str):
            keys.append(PublicKey(key_id, actor_id, pem))
    return tuple(keys)


def _multikeys(raw: RawObject, actor_id: str) -> tuple[Multikey, ...]:
    """FEP-521a keys controlled by the actor; anything else in the list is skipped."""
    keys = []
    for item in as_list(raw.get("assertionMethod")):
        if not isinstance(item, dict) or item.get("type") != "Multikey":
            continue
        key_id, controller = item.get("id"), item.get("controller")
        multibase = item.get("publicKeyMultibase")
        if _owned(key_id, controller, actor_id) and isinstance(multibase, str):
            keys.append(Multikey(key_id, actor_id, multibase))
    return tuple(keys)


def _shared_inbox(raw: RawObject) -> str | None:
    endpoints = raw.get("endpoints")
    if isinstance(endpoints, dict) and is_url(endpoints.get("sharedInbox")):
        return str(endpoints["sharedInbox"])
    # Misskey and Calckey also put it at the top level.
    return read_optional_id(raw, "sharedInbox")


def _url_of(raw: RawObject) -> str | None:
    for item in as_list(raw.get("url")):
        value = item.get("href") if isinstance(item, dict) else item
        if is_url(value):
            return value
    return None


def parse_actor(raw: RawObject, kind: str | None = None) -> Actor:
    """Parse an actor. Its id and inbox must be absolute http(s) URLs."""
    actor_id = read_id(raw, "id")
    return Actor(
        id=actor_id,
        type=kind or kind_of(raw) or "Person",
        inbox=read_id(raw, "inbox"),
        outbox=read_optional_id(raw, "outbox"),
        followers=read_optional_id(raw, "followers"),
        following=read_optional_id(raw, "following"),
        featured=read_optional_id(raw, "featured"),
        featured_tags=read_optional_id(raw, "featuredTags"),
        shared_inbox=_shared_inbox(raw),
        preferred_username=read_str(raw, "preferredUsername"),
        name=read_str(raw, "name"),
        summary=read_str(raw, "summary"),
        url=_url_of(raw),
        icon=parse_image(raw.get("icon")),
        image=parse_image(raw.get("image")),
        manually_approves_followers=read_bool(raw, "manuallyApprovesFollowers"),
        discoverable=read_bool(raw, "discoverable"),
        indexable=read_bool(raw, "indexable"),
        memorial=read_bool(raw, "memorial"),
        suspended=read_bool(raw, "suspended"),
        published=read_datetime(raw, "published"),
        public_keys=_public_keys(raw, actor_id),
        assertion_methods=_multikeys(raw, actor_id),
        fields=parse_property_values(raw.get("attachment")),
        tags=parse_tags(raw.get("tag")),
        also_known_as=read_ids(raw, "alsoKnownAs"),
        moved_to=read_optional_id(raw, "movedTo"),
        raw=raw,
    )
