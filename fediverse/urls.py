"""Where this instance's objects live: the URL shapes that ids are made of.

The domain stores ids (``uri``) of local objects as it stores remote ones, so these shapes
are part of the data; web/ serves its routes at exactly these paths.
"""

from __future__ import annotations


def actor_uri(base_url: str, username: str) -> str:
    return f"{base_url}/users/{username}"


def actor_urls(base_url: str, username: str) -> dict[str, str]:
    """Every URL of a local actor, by the accounts column that holds it."""
    uri = actor_uri(base_url, username)
    return {
        "uri": uri,
        "url": f"{base_url}/@{username}",
        "inbox_url": f"{uri}/inbox",
        "outbox_url": f"{uri}/outbox",
        "shared_inbox_url": f"{base_url}/inbox",
        "followers_url": f"{uri}/followers",
        "following_url": f"{uri}/following",
        "featured_url": f"{uri}/collections/featured",
        "public_key_id": f"{uri}#main-key",
    }


def instance_actor_urls(base_url: str) -> dict[str, str]:
    """The instance's own Application actor, which signs fetches."""
    uri = f"{base_url}/actor"
    return {
        "uri": uri,
        "url": f"{base_url}/about",
        "inbox_url": f"{uri}/inbox",
        "outbox_url": f"{uri}/outbox",
        "shared_inbox_url": f"{base_url}/inbox",
        "public_key_id": f"{uri}#main-key",
    }


def status_uri(base_url: str, username: str, status_id: int) -> str:
    return f"{actor_uri(base_url, username)}/statuses/{status_id}"
