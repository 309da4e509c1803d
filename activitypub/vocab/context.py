"""The ``@context`` we put on our outgoing documents, matching the terms Mastodon uses."""

from __future__ import annotations

from typing import Any

from activitypub.contexts import (
    ACTIVITYSTREAMS,
    DATA_INTEGRITY_V1,
    MULTIKEY_V1,
    SECURITY_V1,
)

TOOT = "http://joinmastodon.org/ns#"

# Mastodon's context extensions (its ActivityPub::Adapter), plus the FEP-521a term it lacks.
EXTENSIONS: dict[str, Any] = {
    "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
    "sensitive": "as:sensitive",
    "Hashtag": "as:Hashtag",
    "movedTo": {"@id": "as:movedTo", "@type": "@id"},
    "alsoKnownAs": {"@id": "as:alsoKnownAs", "@type": "@id"},
    "toot": TOOT,
    "Emoji": "toot:Emoji",
    "featured": {"@id": "toot:featured", "@type": "@id"},
    "featuredTags": {"@id": "toot:featuredTags", "@type": "@id"},
    "focalPoint": {"@container": "@list", "@id": "toot:focalPoint"},
    "blurhash": "toot:blurhash",
    "discoverable": "toot:discoverable",
    "indexable": "toot:indexable",
    "memorial": "toot:memorial",
    "suspended": "toot:suspended",
    "votersCount": "toot:votersCount",
    "schema": "http://schema.org#",
    "PropertyValue": "schema:PropertyValue",
    "value": "schema:value",
    "ostatus": "http://ostatus.org#",
    "atomUri": "ostatus:atomUri",
    "inReplyToAtomUri": "ostatus:inReplyToAtomUri",
    "conversation": "ostatus:conversation",
    "assertionMethod": {
        "@id": "https://w3id.org/security#assertionMethod",
        "@type": "@id",
        "@container": "@set",
    },
}


def default_context() -> list[Any]:
    """A fresh ``@context`` list for one outgoing document (callers may extend it)."""
    return [
        ACTIVITYSTREAMS,
        SECURITY_V1,
        DATA_INTEGRITY_V1,
        MULTIKEY_V1,
        dict(EXTENSIONS),
    ]
