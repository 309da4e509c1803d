"""Changing and removing statuses: edits with their history, deletes that return the source."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from databases.core import Connection
from sqlalchemy import delete, insert, select, update

from fediverse.errors import NotFoundError
from fediverse.formatting import format_status_text
from fediverse.hydrate import STATUS_COLUMNS, StatusPage, load_status_page
from fediverse.ids import now_ms
from fediverse.notifications import notify
from fediverse.outgoing import federate
from fediverse.runtime import Runtime
from fediverse.search import index_status
from fediverse.statuses import NewStatus, attach_media, check_status, link_tags
from fediverse.storage.database import Store
from fediverse.storage.tables import (
    accounts,
    media_attachments,
    mentions,
    polls,
    status_edits,
    statuses,
    statuses_tags,
)
from fediverse.streams import announce_status, status_topics


@dataclass(frozen=True, slots=True)
class StatusEdit:
    text: str
    spoiler_text: str
    sensitive: bool | None
    language: str | None
    media_ids: tuple[int, ...] | None


async def _own_status(conn: Connection, account_id: int, status_id: int) -> Any:
    row = await conn.fetch_one(
        select(*STATUS_COLUMNS).where(
            statuses.c.id == status_id,
            statuses.c.account_id == account_id,
            statuses.c.reblog_of_id.is_(None),
        )
    )
    if row is None:
        raise NotFoundError("Record not found")
    return row._mapping


async def _snapshot(store: Store, conn: Connection, status: Any, created_at: int) -> None:
    media = await conn.fetch_all(
        select(media_attachments.c.id)
        .where(media_attachments.c.status_id == status["id"])
        .order_by(media_attachments.c.id)
    )
    poll = await conn.fetch_val(select(polls.c.options).where(polls.c.status_id == status["id"]))
    await conn.execute(
        insert(status_edits).values(
            id=store.new_id(),
            status_id=status["id"],
            account_id=status["account_id"],
            text=status["text"],
            content=status["content"],
            spoiler_text=status["spoiler_text"],
            sensitive=status["sensitive"],
            media=orjson.dumps([r[0] for r in media]).decode(),
            poll_options=poll,
            created_at=created_at,
        )
    )


async def edit_status(runtime: Runtime, account_id: int, status_id: int, edit: StatusEdit) -> None:
    """Edit one's own status; the first edit also keeps the original in the history."""
    media = edit.media_ids or ()
    check_status(
        NewStatus(
            text=edit.text, spoiler_text=edit.spoiler_text, media_ids=media, language=edit.language
        )
    )
    store, settings = runtime.store, runtime.settings
    async with store.write() as conn:
        status = await _own_status(conn, account_id, status_id)
        if status["edited_at"] is None:
            await _snapshot(store, conn, status, status["created_at"])
        formatted = await format_status_text(
            conn, edit.text, base_url=settings.base_url, local_domain=settings.domain
        )
        if edit.media_ids is not None:
            await conn.execute(
                update(media_attachments)
                .where(
                    media_attachments.c.status_id == status_id, media_attachments.c.id.not_in(media)
                )
                .values(status_id=None)
            )
            await attach_media(conn, account_id, status_id, media)
        now = now_ms()
        changed = await conn.fetch_all(
            update(statuses)
            .where(statuses.c.id == status_id)
            .values(
                text=edit.text,
                content=formatted.html,
                spoiler_text=edit.spoiler_text,
                sensitive=bool(
                    edit.sensitive if edit.sensitive is not None else status["sensitive"]
                )
                or bool(edit.spoiler_text),
                language=edit.language or status["language"],
                edited_at=now,
            )
            .returning(*STATUS_COLUMNS)
        )
        await _relink(
            store, conn, status_id, account_id, formatted.tags, formatted.mentioned_account_ids
        )
        await _snapshot(store, conn, changed[0]._mapping, now)
        await index_status(store, conn, status_id, edit.spoiler_text, formatted.html)
        await _notify_rebloggers(store, conn, account_id, status_id)
        topics = status_topics(
            author_id=account_id,
            visibility=status["visibility"],
            local_author=True,
            tags=formatted.tags,
            mentioned_ids=formatted.mentioned_account_ids,
        )
        announce_status(store, conn, "status.update", status_id, topics)
        if not status["local_only"]:
            await federate(store, conn, "status.update", status_id=status_id)


async def _relink(
    store: Store,
    conn: Connection,
    status_id: int,
    author: int,
    tags: tuple[str, ...],
    mentioned: tuple[int, ...],
) -> None:
    await conn.execute(delete(statuses_tags).where(statuses_tags.c.status_id == status_id))
    await link_tags(store, conn, status_id, tags)
    before = {
        r[0]
        for r in await conn.fetch_all(
            select(mentions.c.account_id).where(mentions.c.status_id == status_id)
        )
    }
    await conn.execute(delete(mentions).where(mentions.c.status_id == status_id))
    rows = [
        {"id": store.new_id(), "status_id": status_id, "account_id": a}
        for a in dict.fromkeys(mentioned)
    ]
    if rows:
        await conn.execute(insert(mentions).values(rows))
    for account_id in dict.fromkeys(mentioned):
        if account_id not in before:
            await notify(
                store,
                conn,
                account_id=account_id,
                from_account_id=author,
                type="mention",
                status_id=status_id,
            )


async def _notify_rebloggers(store: Store, conn: Connection, author: int, status_id: int) -> None:
    rows = await conn.fetch_all(
        select(statuses.c.account_id).where(statuses.c.reblog_of_id == status_id).distinct()
    )
    for account_id in [r[0] for r in rows]:
        await notify(
            store,
            conn,
            account_id=account_id,
            from_account_id=author,
            type="update",
            status_id=status_id,
        )


async def delete_status(runtime: Runtime, account_id: int, status_id: int) -> StatusPage:
    """Delete one's own status; returns it as it was, with its source, for redrafting."""
    store = runtime.store
    async with store.write() as conn:
        status = await _own_status(conn, account_id, status_id)
        page = await load_status_page(conn, [status], account_id)
        topics = status_topics(
            author_id=account_id,
            visibility=status["visibility"],
            local_author=True,
            tags=page.tags.get(status_id, []),
            mentioned_ids=page.mentions.get(status_id, []),
        )
        announce_status(store, conn, "delete", status_id, topics)
        if not status["local_only"]:
            await federate(
                store,
                conn,
                "status.delete",
                status_id=status_id,
                account_id=account_id,
                uri=status["uri"],
                inboxes=await _delivery_inboxes(conn, status_id),
            )
        await conn.execute(
            update(media_attachments)
            .where(media_attachments.c.status_id == status_id)
            .values(status_id=None)
        )
        await conn.execute(delete(statuses).where(statuses.c.id == status_id))
        await conn.execute(
            update(accounts)
            .where(accounts.c.id == account_id)
            .values(statuses_count=accounts.c.statuses_count - 1)
        )
        if status["in_reply_to_id"] is not None:
            await conn.execute(
                update(statuses)
                .where(statuses.c.id == status["in_reply_to_id"])
                .values(replies_count=statuses.c.replies_count - 1)
            )
    return page


async def _delivery_inboxes(conn: Connection, status_id: int) -> list[str]:
    """Where the delete must go; federation computes it once its helper exists."""
    try:
        from fediverse import remote
    except ImportError:
        return []
    finder = getattr(remote, "delivery_inboxes_for_status", None)
    if finder is None:
        return []
    return list(await finder(conn, status_id))


async def history(store: Store, status_id: int) -> list[dict[str, Any]]:
    async with store.read() as conn:
        rows = await conn.fetch_all(
            select(status_edits)
            .where(status_edits.c.status_id == status_id)
            .order_by(status_edits.c.id)
        )
    return [dict(r._mapping) for r in rows]
