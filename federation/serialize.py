"""Our accounts and statuses as ActivityPub documents (the ``to_*_ap`` side)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from activitypub.addressing import addressing_for
from activitypub.vocab import PUBLIC, RawObject
from activitypub.vocab.build import (
    build_activity,
    build_attachment,
    build_create,
    build_delete,
    build_hashtag,
    build_mention,
    build_note,
    build_update,
)
from activitypub.vocab.build_actor import ActorSpec, build_actor
from federation.local import LoadedStatus, LocalActor, profile_fields


def _moment(ms: int | None) -> datetime | None:
    return None if ms is None else datetime.fromtimestamp(ms / 1000, tz=UTC)


def to_actor_ap(actor: LocalActor, multikey: str | None) -> RawObject:
    """A local account as a Person (or the instance's Application), keys included; a
    suspended one minimal, as Mastodon serves it: no profile, only what finds and verifies it.
    """
    spec = _actor_spec(actor, multikey)
    if actor.row["suspended_at"] is not None:
        spec = replace(
            spec,
            name="",
            summary_html="",
            fields=(),
            icon=None,
            image=None,
            manually_approves_followers=False,
            discoverable=False,
            suspended=True,
        )
    return build_actor(spec)


def _actor_spec(actor: LocalActor, multikey: str | None) -> ActorSpec:
    row = actor.row
    uri = row["uri"]
    return ActorSpec(
        actor_id=uri,
        username=row["username"],
        inbox=row["inbox_url"],
        outbox=row["outbox_url"],
        followers=row["followers_url"] or f"{uri}/followers",
        following=row["following_url"] or f"{uri}/following",
        public_key_pem=row["public_key_pem"],
        public_key_id=row["public_key_id"],
        actor_type=row["actor_type"],
        name=row["display_name"],
        summary_html=row["note"],
        url=row["url"],
        shared_inbox=row["shared_inbox_url"],
        featured=row["featured_url"],
        multikeys=[(f"{uri}#ed25519-key", multikey)] if multikey else (),
        fields=profile_fields(row, actor.department),
        icon=actor.avatar,
        image=actor.header,
        manually_approves_followers=bool(row["locked"]),
        discoverable=bool(row["discoverable"]),
        published=_moment(row["created_at"]),
    )


def note_addressing(loaded: LoadedStatus) -> tuple[list[str], list[str]]:
    followers = loaded.author["followers_url"] or f"{loaded.author['uri']}/followers"
    return addressing_for(
        loaded.row["visibility"], followers, [uri for uri, _name in loaded.mentions]
    )


def to_note_ap(loaded: LoadedStatus, base_url: str) -> RawObject:
    """A status as the Note its id serves and its Create carries."""
    row = loaded.row
    to, cc = note_addressing(loaded)
    if loaded.group_uri is not None and loaded.group_uri not in to + cc:
        to = [*to, loaded.group_uri]
    tag_list = [build_mention(uri, name) for uri, name in loaded.mentions]
    tag_list += [build_hashtag(f"{base_url}/tags/{name.lower()}", name) for name in loaded.tags]
    note = build_note(
        note_id=row["uri"],
        attributed_to=loaded.author["uri"],
        content_html=row["content"],
        published=_moment(row["created_at"]) or datetime.now(UTC),
        to=to,
        cc=cc,
        url=row["url"],
        summary=row["spoiler_text"] or None,
        sensitive=bool(row["sensitive"]),
        in_reply_to=loaded.parent_uri,
        language=row["language"],
        updated=_moment(row["edited_at"]),
        tags=tag_list,
        attachments=[_attachment(m, base_url) for m in loaded.media],
        replies=f"{row['uri']}/replies",
    )
    if loaded.group_uri is not None:
        note = {**note, "audience": loaded.group_uri}
    return note


def _attachment(media: dict[str, Any], base_url: str) -> RawObject:
    url = media["remote_url"] or f"{base_url}/media/{media['file_path']}"
    return build_attachment(
        url=url,
        media_type=media["content_type"] or "application/octet-stream",
        name=media["description"] or None,
        blurhash=media["blurhash"],
    )


def to_create_ap(loaded: LoadedStatus, base_url: str) -> RawObject:
    note = to_note_ap(loaded, base_url)
    return build_create(f"{loaded.row['uri']}/activity", loaded.author["uri"], note)


def to_update_ap(loaded: LoadedStatus, base_url: str) -> RawObject:
    note = to_note_ap(loaded, base_url)
    stamp = loaded.row["edited_at"] or loaded.row["created_at"]
    activity_id = f"{loaded.row['uri']}#updates/{stamp}"
    return build_update(activity_id, loaded.author["uri"], note, _moment(stamp))


def to_announce_ap(loaded: LoadedStatus) -> RawObject:
    """A reblog row as the Announce of the boosted post (Mastodon's addressing)."""
    row, author = loaded.row, loaded.author
    followers = author["followers_url"] or f"{author['uri']}/followers"
    to, cc = ([PUBLIC], [followers]) if row["visibility"] == "public" else ([followers], [PUBLIC])
    return build_activity(
        "Announce",
        activity_id=row["uri"],
        actor=author["uri"],
        object=loaded.reblog_of_uri or "",
        to=to,
        cc=cc,
        published=_moment(row["created_at"]),
    )


def to_delete_ap(actor_uri: str, object_uri: str) -> RawObject:
    return build_delete(f"{object_uri}#delete", actor_uri, object_uri, [PUBLIC])
