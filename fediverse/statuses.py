"""Posting statuses: validation, formatting, mentions, tags, media, polls, notifications."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import orjson
from databases.core import Connection
from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from fediverse.errors import NotFoundError, ValidationError
from fediverse.feeds import fan_out
from fediverse.formatting import Formatted, format_status_text
from fediverse.ids import now_ms
from fediverse.notifications import notify
from fediverse.outgoing import federate
from fediverse.polls import NewPoll, check_poll, create_poll
from fediverse.runtime import Runtime
from fediverse.storage.database import Store
from fediverse.storage.tables import (
    accounts,
    follows,
    idempotency_keys,
    media_attachments,
    mentions,
    statuses,
    statuses_tags,
    tags,
    users,
)
from fediverse.urls import status_uri
from fediverse.visibility import VISIBILITIES, can_see

MAX_CHARACTERS = 500
MAX_MEDIA = 4
URL_WEIGHT = 23
_URL = re.compile(r"https?://\S+")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")


@dataclass(frozen=True, slots=True)
class NewStatus:
    """What a client may send to post a status."""

    text: str = ""
    spoiler_text: str = ""
    sensitive: bool | None = None
    visibility: str | None = None
    language: str | None = None
    in_reply_to_id: int | None = None
    media_ids: tuple[int, ...] = ()
    poll: NewPoll | None = None
    local_only: bool | None = None
    idempotency_key: str | None = None
    application_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def text_length(text: str) -> int:
    """Characters as Mastodon counts them: every URL weighs 23."""
    return len(_URL.sub("x" * URL_WEIGHT, text))


def check_status(new: NewStatus, max_characters: int = MAX_CHARACTERS) -> None:
    """Refuse what Mastodon refuses, with its messages."""
    if not new.text.strip() and not new.media_ids and new.poll is None:
        raise ValidationError("Validation failed: Text can't be blank")
    if text_length(new.text) + len(new.spoiler_text) > max_characters:
        raise ValidationError(
            f"Validation failed: Text character limit of {max_characters} exceeded"
        )
    if len(new.media_ids) > MAX_MEDIA:
        raise ValidationError(f"Validation failed: You can attach at most {MAX_MEDIA} files")
    if new.media_ids and new.poll is not None:
        raise ValidationError("Validation failed: You cannot attach both media and a poll")
    if new.visibility is not None and new.visibility not in VISIBILITIES:
        raise ValidationError(
            f"Validation failed: Visibility must be one of {', '.join(VISIBILITIES)}"
        )
    if new.language is not None and not _LANGUAGE.match(new.language):
        raise ValidationError("Validation failed: Language is not a language code")
    if new.poll is not None:
        check_poll(new.poll)


async def preferences(conn: Connection, account_id: int) -> dict[str, Any]:
    """The posting defaults a user chose (``users.settings``), empty for remote accounts."""
    raw = await conn.fetch_val(select(users.c.settings).where(users.c.account_id == account_id))
    loaded = orjson.loads(raw or "{}")
    return loaded if isinstance(loaded, dict) else {}


async def _existing_for_key(conn: Connection, account_id: int, key: str | None) -> int | None:
    if key is None:
        return None
    found = await conn.fetch_val(
        select(idempotency_keys.c.status_id).where(
            idempotency_keys.c.account_id == account_id, idempotency_keys.c.key == key
        )
    )
    return int(found) if found is not None else None


async def _reply_target(conn: Connection, author_id: int, reply_to: int | None) -> Any:
    if reply_to is None:
        return None
    row = await conn.fetch_one(
        select(
            statuses.c.id, statuses.c.account_id, statuses.c.conversation_id, statuses.c.uri
        ).where(statuses.c.id == reply_to, statuses.c.reblog_of_id.is_(None), can_see(author_id))
    )
    if row is None:
        raise NotFoundError("Record not found")
    return row._mapping


async def attach_media(
    conn: Connection, author_id: int, status_id: int, media_ids: tuple[int, ...]
) -> None:
    """Attach the author's own, unattached (or already this status's) uploads."""
    if not media_ids:
        return
    attached = await conn.fetch_all(
        update(media_attachments)
        .where(
            media_attachments.c.id.in_(media_ids),
            media_attachments.c.account_id == author_id,
            (media_attachments.c.status_id.is_(None))
            | (media_attachments.c.status_id == status_id),
        )
        .values(status_id=status_id)
        .returning(media_attachments.c.id)
    )
    if len(attached) != len(set(media_ids)):
        raise ValidationError("Validation failed: media_ids names media that cannot be attached")


async def link_tags(store: Store, conn: Connection, status_id: int, names: tuple[str, ...]) -> None:
    if not names:
        return
    dialect = postgresql if not store.is_sqlite else sqlite
    rows = [
        {"id": store.new_id(), "name": n.lower(), "display_name": n, "created_at": now_ms()}
        for n in names
    ]
    await conn.execute(dialect.insert(tags).values(rows).on_conflict_do_nothing())
    found = await conn.fetch_all(
        select(tags.c.id).where(tags.c.name.in_([n.lower() for n in names]))
    )
    await conn.execute(
        insert(statuses_tags).values([{"status_id": status_id, "tag_id": r[0]} for r in found])
    )


async def link_mentions(
    store: Store, conn: Connection, status_id: int, author_id: int, account_ids: tuple[int, ...]
) -> None:
    rows = [
        {"id": store.new_id(), "status_id": status_id, "account_id": a}
        for a in dict.fromkeys(account_ids)
    ]
    if rows:
        await conn.execute(insert(mentions).values(rows))
    for account_id in dict.fromkeys(account_ids):
        await notify(
            store,
            conn,
            account_id=account_id,
            from_account_id=author_id,
            type="mention",
            status_id=status_id,
        )


def _defaults(new: NewStatus, prefs: dict[str, Any], reply: Any) -> tuple[str, bool, bool]:
    visibility = new.visibility or prefs.get("default_privacy") or "public"
    local_only = (
        new.local_only if new.local_only is not None else prefs.get("default_local_only", True)
    )
    sensitive = new.sensitive if new.sensitive is not None else bool(prefs.get("default_sensitive"))
    return visibility, bool(local_only), bool(sensitive or new.spoiler_text)


async def create_status(runtime: Runtime, author_id: int, new: NewStatus) -> int:
    """Post a status in one transaction; returns its id (the earlier one for a reused key)."""
    check_status(new)
    store, settings = runtime.store, runtime.settings
    async with store.write() as conn:
        existing = await _existing_for_key(conn, author_id, new.idempotency_key)
        if existing is not None:
            return existing
        author = await conn.fetch_one(select(accounts.c.username).where(accounts.c.id == author_id))
        assert author is not None
        reply = await _reply_target(conn, author_id, new.in_reply_to_id)
        formatted = await format_status_text(
            conn, new.text, base_url=settings.base_url, local_domain=settings.domain
        )
        status_id = store.new_id()
        row = _status_row(new, await preferences(conn, author_id), reply, formatted)
        row.update(
            id=status_id,
            account_id=author_id,
            uri=status_uri(settings.base_url, author._mapping["username"], status_id),
            url=f"{settings.base_url}/@{author._mapping['username']}/{status_id}",
            conversation_id=reply["conversation_id"] if reply else status_id,
        )
        await conn.execute(insert(statuses).values(**row))
        await _link_everything(store, conn, status_id, author_id, new, formatted)
        await fan_out(conn, status_id, author_id, visibility=row["visibility"])
        await _count_new(conn, author_id, reply)
        await _notify_subscribers(store, conn, author_id, status_id, reply, row["visibility"])
        if new.idempotency_key:
            await conn.execute(
                insert(idempotency_keys).values(
                    id=store.new_id(),
                    account_id=author_id,
                    key=new.idempotency_key,
                    status_id=status_id,
                    created_at=now_ms(),
                )
            )
        if not row["local_only"]:
            await federate(store, conn, "status.create", status_id=status_id)
        return status_id


def _status_row(
    new: NewStatus, prefs: dict[str, Any], reply: Any, formatted: Formatted
) -> dict[str, Any]:
    visibility, local_only, sensitive = _defaults(new, prefs, reply)
    return {
        "local": True,
        "text": new.text,
        "content": formatted.html,
        "spoiler_text": new.spoiler_text,
        "sensitive": sensitive,
        "visibility": visibility,
        "local_only": local_only,
        "language": new.language or prefs.get("default_language") or None,
        "in_reply_to_id": reply["id"] if reply else None,
        "in_reply_to_account_id": reply["account_id"] if reply else None,
        "in_reply_to_uri": reply["uri"] if reply else None,
        "application_id": new.application_id,
        "created_at": now_ms(),
    }


async def _link_everything(
    store: Store,
    conn: Connection,
    status_id: int,
    author_id: int,
    new: NewStatus,
    formatted: Formatted,
) -> None:
    await attach_media(conn, author_id, status_id, new.media_ids)
    if new.poll is not None:
        poll_id = await create_poll(
            store, conn, status_id=status_id, account_id=author_id, poll=check_poll(new.poll)
        )
        await conn.execute(
            update(statuses).where(statuses.c.id == status_id).values(poll_id=poll_id)
        )
    await link_tags(store, conn, status_id, formatted.tags)
    await link_mentions(store, conn, status_id, author_id, formatted.mentioned_account_ids)


async def _count_new(conn: Connection, author_id: int, reply: Any) -> None:
    await conn.execute(
        update(accounts)
        .where(accounts.c.id == author_id)
        .values(statuses_count=accounts.c.statuses_count + 1, last_status_at=now_ms())
    )
    if reply is not None:
        await conn.execute(
            update(statuses)
            .where(statuses.c.id == reply["id"])
            .values(replies_count=statuses.c.replies_count + 1)
        )


async def _notify_subscribers(
    store: Store, conn: Connection, author_id: int, status_id: int, reply: Any, visibility: str
) -> None:
    """Followers who asked to be told of new posts hear of this one (not of replies to others)."""
    if visibility == "direct" or (reply is not None and reply["account_id"] != author_id):
        return
    rows = await conn.fetch_all(
        select(follows.c.account_id).where(
            follows.c.target_account_id == author_id, follows.c.notify.is_(True)
        )
    )
    for follower in [r[0] for r in rows]:
        await notify(
            store,
            conn,
            account_id=follower,
            from_account_id=author_id,
            type="status",
            status_id=status_id,
        )


async def visible_rows(store: Store, viewer: int | None, ids: list[int]) -> list[Any]:
    """The statuses among ``ids`` that the viewer may see, in the order asked."""
    from fediverse.hydrate import STATUS_COLUMNS

    if not ids:
        return []
    async with store.read() as conn:
        rows = await conn.fetch_all(
            select(*STATUS_COLUMNS).where(statuses.c.id.in_(ids), can_see(viewer))
        )
    by_id = {r._mapping["id"]: r._mapping for r in rows}
    return [by_id[i] for i in dict.fromkeys(ids) if i in by_id]


async def visible_row(store: Store, viewer: int | None, status_id: int) -> Any:
    rows = await visible_rows(store, viewer, [status_id])
    if not rows:
        raise NotFoundError("Record not found")
    return rows[0]


async def count_statuses(store: Store) -> int:
    async with store.read() as conn:
        return int(await conn.fetch_val(select(func.count()).select_from(statuses)) or 0)
