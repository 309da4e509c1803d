"""Remote posts into statuses (the ``*_from_ap`` side): visibility, mentions, tags, the
parent of a reply (fetched when missing, to a bounded depth), sanitized content.
"""

from __future__ import annotations

from dataclasses import replace
from html import escape

import orjson
from databases.core import Connection

from activitypub.addressing import Visibility, visibility_from_addressing
from activitypub.errors import ActivityPubError
from activitypub.html import sanitize_html
from activitypub.vocab import GenericObject, Hashtag, Mention, Note, RawObject, parse_post_document
from activitypub.vocab.fields import is_url, same_origin
from federation.errors import FetchError, InvalidActivityError, PolicyRefusedError
from federation.receipts import Receipt
from federation.service import Federation
from fediverse.events import Event
from fediverse.feeds import fan_out_statement
from fediverse.ids import now_ms
from fediverse.notifications import notification_statement, unsilenced
from fediverse.remote import AccountRef, account_by_uri
from fediverse.remote_relations import has_local_followers
from fediverse.remote_statuses import (
    RemoteStatus,
    StatusRef,
    remote_status_insert,
    remote_status_statements,
    status_by_uri,
)
from fediverse.storage.database import Store
from fediverse.streams import status_topics

MAX_THREAD_DEPTH = 3
MAX_CONTENT_CHARS = 100_000


def _ms(note: Note) -> int:
    return int(note.published.timestamp() * 1000) if note.published else now_ms()


def _visibility(note: Note, author: AccountRef) -> str:
    mentions = [t.href for t in note.tags if isinstance(t, Mention)]
    found = visibility_from_addressing(note.to, note.cc, author.followers_url, mentions)
    return "direct" if found is Visibility.LIMITED else found.value


def _content(note: Note) -> str:
    html = (note.content or "")[:MAX_CONTENT_CHARS]
    if note.type in ("Note", "Question", "ChatMessage"):
        return sanitize_html(html)
    # Articles, pages and the like are shown as Mastodon shows them: title, then a link.
    title = f"<p><strong>{escape(note.name)}</strong></p>" if note.name else ""
    link = note.url or note.id
    return (
        title
        + sanitize_html(html if note.type == "Article" else "")
        + (f'<p><a href="{escape(link)}">{escape(link)}</a></p>' if note.type != "Article" else "")
    )


async def _mentioned(conn: Connection, note: Note) -> list[AccountRef]:
    found = []
    for tag in note.tags:
        if isinstance(tag, Mention):
            account = await account_by_uri(conn, tag.href)
            if account is not None:
                found.append(account)
    return found


def status_from_ap(
    note: Note,
    author: AccountRef,
    parent: StatusRef | None,
    mentioned: list[AccountRef],
) -> RemoteStatus:
    return RemoteStatus(
        uri=note.id,
        account_id=author.id,
        content=_content(note),
        visibility=_visibility(note, author),
        created_at=_ms(note),
        url=note.url if is_url(note.url) else None,
        spoiler_text=(note.summary or "")[:1000] if note.type == "Note" else "",
        sensitive=note.sensitive,
        language=(note.language or None) and note.language[:10],
        in_reply_to_id=parent.id if parent else None,
        in_reply_to_account_id=parent.account_id if parent else None,
        in_reply_to_uri=note.in_reply_to,
        edited_at=int(note.updated.timestamp() * 1000) if note.updated else None,
        ap_raw=orjson.dumps(note.raw).decode(),
        mentioned_ids=tuple(a.id for a in mentioned),
        tag_names=tuple(t.name for t in note.tags if isinstance(t, Hashtag)),
    )


def media_links(note: Note) -> str:
    """Attachments as plain links, for a domain whose media we do not fetch or store."""
    links = "<br>".join(
        f'<a href="{escape(a.url)}" rel="nofollow noopener">{escape(a.name or a.url)}</a>'
        for a in note.attachments
        if is_url(a.url)
    )
    return f"<p>{links}</p>" if links else ""


def generic_as_note(obj: GenericObject, actor: str) -> Note:
    """Video, Event, Audio ... shown as a post with their name and a link, as Mastodon does."""
    raw = obj.raw
    url = raw.get("url") if is_url(raw.get("url")) else obj.id
    if obj.id is None or not same_origin(obj.id, actor):
        raise InvalidActivityError("the object is not on its actor's origin")
    return Note(
        id=obj.id,
        type=obj.type,
        attributed_to=(actor,),
        name=raw.get("name") if isinstance(raw.get("name"), str) else None,
        content=raw.get("content") if isinstance(raw.get("content"), str) else None,
        url=url if isinstance(url, str) else None,
        to=tuple(x for x in raw.get("to", []) if isinstance(x, str))
        if isinstance(raw.get("to"), list)
        else (),
        cc=tuple(x for x in raw.get("cc", []) if isinstance(x, str))
        if isinstance(raw.get("cc"), list)
        else (),
        raw=raw,
    )


async def is_relevant(
    conn: Connection, note: Note, author: AccountRef, parent: StatusRef | None
) -> bool:
    """Mastodon keeps a post only when someone here asked for it: a follower, a mention, a reply."""
    return await _relevant(conn, author, parent, await _mentioned(conn, note))


async def _relevant(
    conn: Connection, author: AccountRef, parent: StatusRef | None, mentioned: list[AccountRef]
) -> bool:
    if parent is not None and parent.local:
        return True
    if any(a.is_local for a in mentioned):
        return True
    return await has_local_followers(conn, author.id)


async def parent_of(fed: Federation, note: Note, depth: int) -> StatusRef | None:
    """The status a reply answers, fetched and stored when missing (to a bounded depth)."""
    if note.in_reply_to is None:
        return None
    async with fed.runtime.store.read() as conn:
        found = await status_by_uri(conn, note.in_reply_to)
    if found is not None or depth >= MAX_THREAD_DEPTH:
        return found
    try:
        await fed.policy.check_url(note.in_reply_to)
        document = await fed.fetcher.fetch_object(note.in_reply_to)
        parent_note = parse_post_document(document)
        if parent_note.author is None or not same_origin(parent_note.id, parent_note.author):
            return None
        author = await fed.actors.by_uri(parent_note.author)
    except (FetchError, ActivityPubError, InvalidActivityError, PolicyRefusedError):
        return None  # a lost parent (or one on a refused domain) does not lose the reply
    return await store_note(fed, parent_note, author, depth=depth + 1, require_relevance=False)


async def store_note(
    fed: Federation,
    note: Note,
    author: AccountRef,
    *,
    depth: int = 0,
    require_relevance: bool = True,
    receipt: Receipt | None = None,
) -> StatusRef | None:
    """Store a remote post (and notify the mentioned and the replied-to); idempotent.

    With ``receipt``, a new post is written in the same transaction as the worker's
    processed mark of the stored activity, which then costs no transaction of its own."""
    parent = await parent_of(fed, note, depth)
    store = fed.runtime.store
    # Everything that only reads happens before the write, beside other writers; the write
    # is then one transaction in one trip to the database (Store.insert_then).
    async with store.read() as conn:
        existing = await status_by_uri(conn, note.id)
        if existing is not None:
            return existing
        mentioned = await _mentioned(conn, note)
        if require_relevance and not await _relevant(conn, author, parent, mentioned):
            return None
        told = await unsilenced(conn, _to_tell(mentioned, parent), author.id)
    status = status_from_ap(note, author, parent, mentioned)
    if note.attachments and await fed.policy.rejects_media(author.domain or ""):
        status = replace(status, content=status.content + media_links(note))
    status_id = store.new_id()
    told_of = [
        notification_statement(
            store, account_id=a, from_account_id=author.id, type="mention", status_id=status_id
        )
        for a in told
    ]
    insert, values = remote_status_insert(status, status_id)
    then = [
        *remote_status_statements(store, status, status_id),
        fan_out_statement(status_id, author.id, visibility=status.visibility),
        *(statement for statement, _ in told_of),
        *(receipt.statements() if receipt else ()),
    ]
    if not await store.insert_then(insert, values, then):
        async with store.read() as conn:  # it arrived meanwhile by another delivery
            return await status_by_uri(conn, note.id)
    if receipt is not None:
        receipt.marked = True
    for _, event in told_of:
        await _publish(store, event)
    # Home, public and hashtag streams hear of it as of a local post (the web app's live
    # updates, and every Mastodon app's streaming).
    for topic in status_topics(
        author_id=author.id,
        visibility=status.visibility,
        local_author=False,
        tags=status.tag_names,
        mentioned_ids=told,
    ):
        await _publish(store, Event(topic, "update", {"status_id": str(status_id)}))
    return StatusRef(status_id, author.id, False, False, status.visibility)


def _to_tell(mentioned: list[AccountRef], parent: StatusRef | None) -> list[int]:
    """Who hears of a new remote post: the local accounts it mentions, and the local author
    of the post it replies to (told of it as a mention, as Mastodon does)."""
    told = [a.id for a in mentioned if a.is_local]
    if parent is not None and parent.local:
        told.append(parent.account_id)
    return told


async def _publish(store: Store, event: Event) -> None:
    if store.events is not None:
        await store.events.publish(event)


def note_of(obj: object, actor: str) -> Note:
    """The post an activity carries, as a Note; unknown object types as Mastodon shows them."""
    if isinstance(obj, Note):
        return obj
    if isinstance(obj, GenericObject):
        return generic_as_note(obj, actor)
    raise InvalidActivityError("the object is not a post")


def raw_of(obj: object) -> RawObject:
    return getattr(obj, "raw", {}) or {}
