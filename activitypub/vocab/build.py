"""Builders for our outgoing posts and activities, shaped the way Mastodon writes them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from activitypub.vocab.context import default_context
from activitypub.vocab.fields import RawObject


def format_datetime(moment: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, to the second, as Mastodon writes timestamps."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def embed(document: RawObject) -> RawObject:
    """A copy of ``document`` without its ``@context``, for nesting inside another."""
    return {key: value for key, value in document.items() if key != "@context"}


def with_context(document: RawObject) -> RawObject:
    return {"@context": default_context(), **document}


def _drop_none(document: dict[str, Any]) -> RawObject:
    return {key: value for key, value in document.items() if value is not None}


def build_mention(href: str, name: str) -> RawObject:
    """A Mention tag; ``name`` is ``@user@domain``."""
    return {"type": "Mention", "href": href, "name": name}


def build_hashtag(href: str, name: str) -> RawObject:
    """A Hashtag tag; ``name`` gets a leading ``#`` if it lacks one."""
    return {"type": "Hashtag", "href": href, "name": name if name.startswith("#") else f"#{name}"}


def build_emoji(emoji_id: str, shortcode: str, icon_url: str, media_type: str) -> RawObject:
    """A custom Emoji tag; ``shortcode`` without colons."""
    return {
        "id": emoji_id,
        "type": "Emoji",
        "name": f":{shortcode.strip(':')}:",
        "icon": {"type": "Image", "mediaType": media_type, "url": icon_url},
    }


def build_attachment(
    *,
    url: str,
    media_type: str,
    kind: str = "Document",
    name: str | None = None,
    blurhash: str | None = None,
    focal_point: tuple[float, float] | None = None,
    width: int | None = None,
    height: int | None = None,
) -> RawObject:
    """A media attachment; Mastodon sends every kind as a Document, alt text in ``name``."""
    return _drop_none(
        {
            "type": kind,
            "mediaType": media_type,
            "url": url,
            "name": name,
            "blurhash": blurhash,
            "focalPoint": list(focal_point) if focal_point is not None else None,
            "width": width,
            "height": height,
        }
    )


def build_note(
    *,
    note_id: str,
    attributed_to: str,
    content_html: str,
    published: datetime,
    to: Sequence[str],
    cc: Sequence[str],
    url: str | None = None,
    summary: str | None = None,
    sensitive: bool = False,
    in_reply_to: str | None = None,
    language: str | None = None,
    conversation: str | None = None,
    updated: datetime | None = None,
    tags: Sequence[RawObject] = (),
    attachments: Sequence[RawObject] = (),
    replies: str | None = None,
    quote: str | None = None,
) -> RawObject:
    """A Note with Mastodon's fields (``summary`` is the content warning)."""
    note = _post_fields(note_id, attributed_to, published, to, cc)
    note.update(
        type="Note",
        summary=summary or None,
        inReplyTo=in_reply_to,
        url=url or note_id,
        sensitive=sensitive,
        conversation=conversation,
        content=content_html,
        tag=list(tags),
        attachment=list(attachments),
    )
    if language:
        note["contentMap"] = {language: content_html}
    if updated is not None:
        note["updated"] = format_datetime(updated)
    if replies is not None:
        note["replies"] = {"id": replies, "type": "Collection"}
    if quote is not None:
        note["quote"] = quote
    return with_context(note)


def _post_fields(
    note_id: str, attributed_to: str, published: datetime, to: Sequence[str], cc: Sequence[str]
) -> dict[str, Any]:
    return {
        "id": note_id,
        "attributedTo": attributed_to,
        "published": format_datetime(published),
        "to": list(to),
        "cc": list(cc),
    }


def build_question(
    *,
    note: RawObject,
    options: Sequence[tuple[str, int]],
    multiple: bool,
    end_time: datetime,
    closed: datetime | None = None,
    voters_count: int | None = None,
) -> RawObject:
    """Turn a built Note into a poll (Question) with ``(answer, votes)`` options."""
    answers = [
        {"type": "Note", "name": name, "replies": {"type": "Collection", "totalItems": votes}}
        for name, votes in options
    ]
    question = {**note, "type": "Question", "endTime": format_datetime(end_time)}
    question["anyOf" if multiple else "oneOf"] = answers
    if closed is not None:
        question["closed"] = format_datetime(closed)
    if voters_count is not None:
        question["votersCount"] = voters_count
    return question


def build_tombstone(object_id: str) -> RawObject:
    """What a Delete of a post carries, as in Mastodon."""
    return {"id": object_id, "type": "Tombstone", "atomUri": object_id}


def build_activity(
    kind: str,
    *,
    activity_id: str,
    actor: str,
    object: str | RawObject,
    to: Sequence[str] = (),
    cc: Sequence[str] = (),
    published: datetime | None = None,
    target: str | None = None,
    content: str | None = None,
) -> RawObject:
    """Any activity; an embedded ``object`` loses its own ``@context``."""
    document: dict[str, Any] = {"id": activity_id, "type": kind, "actor": actor}
    if published is not None:
        document["published"] = format_datetime(published)
    if to:
        document["to"] = list(to)
    if cc:
        document["cc"] = list(cc)
    document["object"] = object if isinstance(object, str) else embed(object)
    if target is not None:
        document["target"] = target
    if content is not None:
        document["content"] = content
    return with_context(document)


def build_create(activity_id: str, actor: str, post: RawObject) -> RawObject:
    """Create of a post; the activity copies the post's addressing and time, as Mastodon does."""
    return build_activity(
        "Create",
        activity_id=activity_id,
        actor=actor,
        object=post,
        to=post.get("to", ()),
        cc=post.get("cc", ()),
        published=_parse_time(post.get("published")),
    )


def build_update(
    activity_id: str, actor: str, document: RawObject, published: datetime | None = None
) -> RawObject:
    """Update of a post (addressing copied from it) or of an actor (sent to Public)."""
    to = document.get("to") or ["https://www.w3.org/ns/activitystreams#Public"]
    return build_activity(
        "Update",
        activity_id=activity_id,
        actor=actor,
        object=document,
        to=to,
        cc=document.get("cc", ()),
        published=published,
    )


def build_delete(
    activity_id: str, actor: str, object_id: str, to: Sequence[str], cc: Sequence[str] = ()
) -> RawObject:
    """Delete of a post (sent as a Tombstone) or, when ``object_id == actor``, of the actor."""
    target: str | RawObject = actor if object_id == actor else build_tombstone(object_id)
    return build_activity(
        "Delete", activity_id=activity_id, actor=actor, object=target, to=to, cc=cc
    )


def build_announce(
    activity_id: str,
    actor: str,
    object: str | RawObject,
    to: Sequence[str],
    cc: Sequence[str],
    published: datetime,
) -> RawObject:
    """Announce (boost) of a post id, or a group relaying an embedded activity."""
    return build_activity(
        "Announce",
        activity_id=activity_id,
        actor=actor,
        object=object,
        to=to,
        cc=cc,
        published=published,
    )


def build_follow(activity_id: str, actor: str, target_actor: str) -> RawObject:
    """Follow of another actor (or joining a group)."""
    return build_activity("Follow", activity_id=activity_id, actor=actor, object=target_actor)


def build_accept(activity_id: str, actor: str, follow: str | RawObject) -> RawObject:
    """Accept of a Follow (embedded, as Mastodon sends it, or by id)."""
    return _answer("Accept", activity_id, actor, follow)


def build_reject(activity_id: str, actor: str, follow: str | RawObject) -> RawObject:
    """Reject of a Follow."""
    return _answer("Reject", activity_id, actor, follow)


def _answer(kind: str, activity_id: str, actor: str, follow: str | RawObject) -> RawObject:
    follower = follow.get("actor") if isinstance(follow, dict) else None
    to = [follower] if isinstance(follower, str) else []
    return build_activity(kind, activity_id=activity_id, actor=actor, object=follow, to=to)


def build_undo(activity_id: str, actor: str, activity: RawObject) -> RawObject:
    """Undo of one of our own activities, embedded; addressed like the original."""
    return build_activity(
        "Undo",
        activity_id=activity_id,
        actor=actor,
        object=activity,
        to=activity.get("to", ()),
        cc=activity.get("cc", ()),
    )


def build_like(activity_id: str, actor: str, object_id: str) -> RawObject:
    """Like (favourite) of a post."""
    return build_activity("Like", activity_id=activity_id, actor=actor, object=object_id)


def build_block(activity_id: str, actor: str, target_actor: str) -> RawObject:
    """Block of another actor."""
    return build_activity("Block", activity_id=activity_id, actor=actor, object=target_actor)


def build_flag(activity_id: str, actor: str, objects: Sequence[str], content: str) -> RawObject:
    """Flag (report): the reported actor first, then the posts; sent by the instance actor."""
    document = build_activity(
        "Flag", activity_id=activity_id, actor=actor, object=objects[0], content=content
    )
    document["object"] = list(objects)
    return document


def build_move(activity_id: str, actor: str, target: str) -> RawObject:
    """Move of our actor to a new account."""
    return build_activity("Move", activity_id=activity_id, actor=actor, object=actor, target=target)


def build_add(activity_id: str, actor: str, object_id: str, target: str) -> RawObject:
    """Add of an object to a collection (a pinned post to ``featured``)."""
    return build_activity(
        "Add", activity_id=activity_id, actor=actor, object=object_id, target=target
    )


def build_remove(activity_id: str, actor: str, object_id: str, target: str) -> RawObject:
    """Remove of an object from a collection."""
    return build_activity(
        "Remove", activity_id=activity_id, actor=actor, object=object_id, target=target
    )


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
