"""Instance announcements: made by admins, shown to every member until they dismiss them,
with emoji reactions; and who has read each (for the web app's admin view).

Every change is announced on the ``announcements`` topic, which every user stream reads:
``announcement``, ``announcement.reaction`` and ``announcement.delete``, as Mastodon names them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from databases.core import Connection
from sqlalchemy import and_, delete, func, insert, or_, select, update

from fediverse import audit
from fediverse.errors import NotFoundError, ValidationError
from fediverse.events import Event
from fediverse.formatting import format_status_text
from fediverse.hydrate import ACCOUNT_QUERY, Row
from fediverse.ids import now_ms
from fediverse.storage.database import Store
from fediverse.storage.tables import (
    accounts,
    announcement_reactions,
    announcement_reads,
    announcements,
    users,
)

TOPIC = "announcements"
MAX_TEXT = 5000
MAX_REACTION = 32
_ASCII_WORD = re.compile(r"[A-Za-z0-9_:]")


@dataclass(frozen=True, slots=True)
class AnnouncementChange:
    """What an admin may set; None leaves a field as it is."""

    text: str | None = None
    starts_at: int | None = None
    ends_at: int | None = None
    all_day: bool | None = None
    published: bool | None = None


@dataclass(frozen=True, slots=True)
class Reaction:
    name: str
    count: int
    me: bool


@dataclass(frozen=True, slots=True)
class Announcement:
    """An announcement as one member sees it: read or not, and the reactions to it."""

    row: Row
    read: bool
    reactions: list[Reaction]


def _check(change: AnnouncementChange, *, creating: bool) -> None:
    if creating and not (change.text or "").strip():
        raise ValidationError("Validation failed: Text can't be blank")
    if change.text is not None and len(change.text) > MAX_TEXT:
        raise ValidationError(f"Validation failed: Text is too long (at most {MAX_TEXT})")
    if change.starts_at and change.ends_at and change.ends_at <= change.starts_at:
        raise ValidationError("Validation failed: Ends at must be after starts at")


def check_reaction(name: str) -> str:
    """A Unicode emoji (custom emojis do not exist here); 422 for anything else."""
    name = name.strip()
    if not name or len(name) > MAX_REACTION or _ASCII_WORD.search(name):
        raise ValidationError("Validation failed: Name is not a recognized emoji")
    return name


def _publish(store: Store, conn: Connection, name: str, data: dict[str, Any]) -> None:
    store.publish_after_commit(conn, Event(TOPIC, name, data))


async def _audit(
    store: Store, conn: Connection, admin: tuple[int, str], action: str, announcement_id: int
) -> None:
    """An admin's change to an announcement, in the audit log (``admin``: account id, name)."""
    await audit.record(
        store,
        conn,
        actor=admin[1],
        account_id=admin[0],
        action=action,
        target_type="announcement",
        target=str(announcement_id),
    )


async def _html(store: Store, text: str, base_url: str, domain: str) -> str:
    async with store.read() as conn:
        formatted = await format_status_text(conn, text, base_url=base_url, local_domain=domain)
    return formatted.html


async def create(
    store: Store, admin: tuple[int, str], change: AnnouncementChange, base_url: str, domain: str
) -> int:
    """Make an announcement (published unless told otherwise); audited."""
    _check(change, creating=True)
    text = (change.text or "").strip()
    content = await _html(store, text, base_url, domain)
    announcement_id, now = store.new_id(), now_ms()
    async with store.write() as conn:
        await conn.execute(
            insert(announcements).values(
                id=announcement_id,
                text=text,
                content=content,
                starts_at=change.starts_at,
                ends_at=change.ends_at,
                all_day=bool(change.all_day),
                published=True if change.published is None else change.published,
                created_by_account_id=admin[0],
                created_at=now,
                updated_at=now,
            )
        )
        await _audit(store, conn, admin, "announcement.create", announcement_id)
        if change.published is not False:
            _publish(store, conn, "announcement", {"announcement_id": str(announcement_id)})
    return announcement_id


async def update_announcement(
    store: Store,
    admin: tuple[int, str],
    announcement_id: int,
    change: AnnouncementChange,
    base_url: str,
    domain: str,
) -> None:
    _check(change, creating=False)
    values: dict[str, Any] = {
        k: v
        for k, v in (
            ("starts_at", change.starts_at),
            ("ends_at", change.ends_at),
            ("all_day", change.all_day),
            ("published", change.published),
        )
        if v is not None
    }
    if change.text is not None:
        values["text"] = change.text.strip()
        values["content"] = await _html(store, change.text.strip(), base_url, domain)
    async with store.write() as conn:
        done = await conn.fetch_all(
            update(announcements)
            .where(announcements.c.id == announcement_id)
            .values(**values, updated_at=now_ms())
            .returning(announcements.c.published)
        )
        if not done:
            raise NotFoundError("Record not found")
        await _audit(store, conn, admin, "announcement.update", announcement_id)
        event = "announcement" if done[0][0] else "announcement.delete"
        data = {"announcement_id": str(announcement_id)}
        _publish(store, conn, event, data)


async def delete_announcement(store: Store, admin: tuple[int, str], announcement_id: int) -> None:
    async with store.write() as conn:
        gone = await conn.fetch_all(
            delete(announcements)
            .where(announcements.c.id == announcement_id)
            .returning(announcements.c.id)
        )
        if not gone:
            raise NotFoundError("Record not found")
        await _audit(store, conn, admin, "announcement.delete", announcement_id)
        _publish(store, conn, "announcement.delete", {"announcement_id": str(announcement_id)})


def _active(now: int) -> Any:
    """Published, and (when given) begun and not ended."""
    return and_(
        announcements.c.published.is_(True),
        or_(announcements.c.starts_at.is_(None), announcements.c.starts_at <= now),
        or_(announcements.c.ends_at.is_(None), announcements.c.ends_at > now),
    )


async def _with_reactions(
    conn: Connection, rows: list[Row], viewer: int | None
) -> list[Announcement]:
    ids = [r["id"] for r in rows]
    if not ids:
        return []
    counts: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for r in await conn.fetch_all(
        select(
            announcement_reactions.c.announcement_id,
            announcement_reactions.c.name,
            announcement_reactions.c.account_id,
        )
        .where(announcement_reactions.c.announcement_id.in_(ids))
        .order_by(announcement_reactions.c.created_at)
    ):
        counts[r[0]][r[1]].append(r[2])
    read: set[int] = set()
    if viewer is not None:
        read = {
            r[0]
            for r in await conn.fetch_all(
                select(announcement_reads.c.announcement_id).where(
                    announcement_reads.c.account_id == viewer,
                    announcement_reads.c.announcement_id.in_(ids),
                )
            )
        }
    return [
        Announcement(
            row,
            row["id"] in read,
            [Reaction(name, len(who), viewer in who) for name, who in counts[row["id"]].items()],
        )
        for row in rows
    ]


async def for_member(
    store: Store, viewer: int, *, with_dismissed: bool = False
) -> list[Announcement]:
    """The active announcements, newest first; those dismissed only when asked for."""
    query = select(announcements).where(_active(now_ms()))
    if not with_dismissed:
        query = query.where(
            announcements.c.id.not_in(
                select(announcement_reads.c.announcement_id).where(
                    announcement_reads.c.account_id == viewer
                )
            )
        )
    async with store.read() as conn:
        rows = [r._mapping for r in await conn.fetch_all(query.order_by(announcements.c.id.desc()))]
        return await _with_reactions(conn, rows, viewer)


async def one_for_member(store: Store, viewer: int, announcement_id: int) -> Announcement:
    """One active announcement (what a stream event sends); 404 if it is not shown."""
    async with store.read() as conn:
        row = await conn.fetch_one(
            select(announcements).where(announcements.c.id == announcement_id, _active(now_ms()))
        )
        if row is None:
            raise NotFoundError("Record not found")
        [found] = await _with_reactions(conn, [row._mapping], viewer)
    return found


async def all_announcements(store: Store) -> list[Announcement]:
    """Every announcement, published or not (for admins), newest first."""
    async with store.read() as conn:
        rows = [
            r._mapping
            for r in await conn.fetch_all(select(announcements).order_by(announcements.c.id.desc()))
        ]
        return await _with_reactions(conn, rows, None)


async def _require_active(conn: Connection, announcement_id: int) -> None:
    found = await conn.fetch_val(
        select(announcements.c.id).where(announcements.c.id == announcement_id, _active(now_ms()))
    )
    if found is None:
        raise NotFoundError("Record not found")


async def dismiss(store: Store, viewer: int, announcement_id: int) -> None:
    """Mark an announcement read by the viewer; again changes nothing."""
    async with store.write() as conn:
        await _require_active(conn, announcement_id)
        done = await conn.fetch_val(
            select(func.count())
            .select_from(announcement_reads)
            .where(
                announcement_reads.c.announcement_id == announcement_id,
                announcement_reads.c.account_id == viewer,
            )
        )
        if not done:
            await conn.execute(
                insert(announcement_reads).values(
                    announcement_id=announcement_id, account_id=viewer, created_at=now_ms()
                )
            )


async def _reaction_event(conn: Connection, store: Store, announcement_id: int, name: str) -> None:
    count = await conn.fetch_val(
        select(func.count())
        .select_from(announcement_reactions)
        .where(
            announcement_reactions.c.announcement_id == announcement_id,
            announcement_reactions.c.name == name,
        )
    )
    _publish(
        store,
        conn,
        "announcement.reaction",
        {"name": name, "count": int(count or 0), "announcement_id": str(announcement_id)},
    )


async def react(store: Store, viewer: int, announcement_id: int, name: str) -> None:
    name = check_reaction(name)
    async with store.write() as conn:
        await _require_active(conn, announcement_id)
        mine = and_(
            announcement_reactions.c.announcement_id == announcement_id,
            announcement_reactions.c.account_id == viewer,
            announcement_reactions.c.name == name,
        )
        if not await conn.fetch_val(
            select(func.count()).select_from(announcement_reactions).where(mine)
        ):
            await conn.execute(
                insert(announcement_reactions).values(
                    announcement_id=announcement_id,
                    account_id=viewer,
                    name=name,
                    created_at=now_ms(),
                )
            )
        await _reaction_event(conn, store, announcement_id, name)


async def unreact(store: Store, viewer: int, announcement_id: int, name: str) -> None:
    name = check_reaction(name)
    async with store.write() as conn:
        await _require_active(conn, announcement_id)
        await conn.execute(
            delete(announcement_reactions).where(
                announcement_reactions.c.announcement_id == announcement_id,
                announcement_reactions.c.account_id == viewer,
                announcement_reactions.c.name == name,
            )
        )
        await _reaction_event(conn, store, announcement_id, name)


@dataclass(frozen=True, slots=True)
class ReadBy:
    """Who has read an announcement, and how many members have not yet."""

    readers: list[Row]  # accounts, in the order they read it
    unread_count: int


async def read_by(store: Store, announcement_id: int) -> ReadBy:
    """For admins and the web app: the members who dismissed an announcement."""
    async with store.read() as conn:
        if (
            await conn.fetch_val(
                select(announcements.c.id).where(announcements.c.id == announcement_id)
            )
            is None
        ):
            raise NotFoundError("Record not found")
        readers = await conn.fetch_all(
            ACCOUNT_QUERY.join(announcement_reads, announcement_reads.c.account_id == accounts.c.id)
            .where(announcement_reads.c.announcement_id == announcement_id)
            .order_by(announcement_reads.c.created_at)
        )
        members = await conn.fetch_val(
            select(func.count()).select_from(users).where(users.c.disabled.is_(False))
        )
    return ReadBy([r._mapping for r in readers], max(int(members or 0) - len(readers), 0))
