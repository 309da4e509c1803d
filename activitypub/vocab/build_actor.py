"""Builder for our actor documents (Person, Group, Application), as Mastodon shapes them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from activitypub.vocab.build import format_datetime, with_context
from activitypub.vocab.fields import RawObject


@dataclass(frozen=True, slots=True)
class ActorSpec:
    """Plain values describing one of our actors; ``build_actor`` turns it into JSON."""

    actor_id: str
    username: str
    inbox: str
    outbox: str
    followers: str
    following: str
    public_key_pem: str
    actor_type: str = "Person"
    name: str = ""
    summary_html: str = ""
    url: str | None = None
    shared_inbox: str | None = None
    featured: str | None = None
    featured_tags: str | None = None
    public_key_id: str | None = None
    multikeys: Sequence[tuple[str, str]] = ()
    fields: Sequence[tuple[str, str]] = ()
    icon: tuple[str, str] | None = None
    image: tuple[str, str] | None = None
    manually_approves_followers: bool = False
    discoverable: bool = True
    indexable: bool = False
    published: datetime | None = None
    also_known_as: Sequence[str] = ()
    moved_to: str | None = None
    tags: Sequence[RawObject] = field(default_factory=tuple)
    suspended: bool = False  # Mastodon's ``toot:suspended``: only written when true


def _image(value: tuple[str, str] | None) -> RawObject | None:
    """An ``icon``/``image`` from ``(url, media_type)``."""
    if value is None:
        return None
    url, media_type = value
    return {"type": "Image", "mediaType": media_type, "url": url}


def _keys(spec: ActorSpec) -> dict[str, Any]:
    """``publicKey`` (Mastodon's RSA key) and FEP-521a ``assertionMethod`` Multikeys."""
    keys: dict[str, Any] = {
        "publicKey": {
            "id": spec.public_key_id or f"{spec.actor_id}#main-key",
            "owner": spec.actor_id,
            "publicKeyPem": spec.public_key_pem,
        }
    }
    if spec.multikeys:
        keys["assertionMethod"] = [
            {
                "id": key_id,
                "type": "Multikey",
                "controller": spec.actor_id,
                "publicKeyMultibase": multibase,
            }
            for key_id, multibase in spec.multikeys
        ]
    return keys


def _links(spec: ActorSpec) -> dict[str, Any]:
    links: dict[str, Any] = {
        "inbox": spec.inbox,
        "outbox": spec.outbox,
        "followers": spec.followers,
        "following": spec.following,
    }
    if spec.featured is not None:
        links["featured"] = spec.featured
    if spec.featured_tags is not None:
        links["featuredTags"] = spec.featured_tags
    if spec.shared_inbox is not None:
        links["endpoints"] = {"sharedInbox": spec.shared_inbox}
    return links


def _profile(spec: ActorSpec) -> dict[str, Any]:
    profile: dict[str, Any] = {
        "preferredUsername": spec.username,
        "name": spec.name,
        "summary": spec.summary_html,
        "url": spec.url or spec.actor_id,
        "manuallyApprovesFollowers": spec.manually_approves_followers,
        "discoverable": spec.discoverable,
        "indexable": spec.indexable,
        "tag": list(spec.tags),
        "attachment": [
            {"type": "PropertyValue", "name": name, "value": value} for name, value in spec.fields
        ],
    }
    if spec.published is not None:
        profile["published"] = format_datetime(spec.published)
    for key, value in (("icon", _image(spec.icon)), ("image", _image(spec.image))):
        if value is not None:
            profile[key] = value
    if spec.also_known_as:
        profile["alsoKnownAs"] = list(spec.also_known_as)
    if spec.moved_to is not None:
        profile["movedTo"] = spec.moved_to
    if spec.suspended:
        profile["suspended"] = True
    return profile


def build_actor(spec: ActorSpec) -> RawObject:
    """Our actor document with ``publicKey``, Multikeys, ``endpoints.sharedInbox`` and fields."""
    document = {"id": spec.actor_id, "type": spec.actor_type}
    return with_context({**document, **_links(spec), **_profile(spec), **_keys(spec)})
