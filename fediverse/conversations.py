"""Direct conversations, as each participant sees them: the threads of direct statuses they
wrote or were mentioned in, newest activity first, with what they read and removed.

Read from the statuses themselves (grouped by ``conversation_id``) rather than kept in a
table of their own: only ``conversation_marks`` is written, when a user reads or removes one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select

from fediverse.errors import NotFoundError
from fediverse.hydrate import Row, load_status_rows
from fediverse.paging import PageQuery
from fediverse.storage.database import Store
from fediverse.storage.tables import conversation_marks, mentions, statuses
from fediverse.visibility import mentioned_status_ids


@dataclass(frozen=True, slots=True)
class Conversation:
    id: int
    last_status: Row
    participant_ids: list[int]  # everyone in it but the viewer
    unread: bool


def _direct(viewer: int) -> Any:
    return and_(
        statuses.c.visibility == "direct",
        statuses.c.deleted_at.is_(None),
        statuses.c.conversation_id.is_not(None),
        or_(statuses.c.account_id == viewer, statuses.c.id.in_(mentioned_status_ids(viewer))),
    )


def _latest(viewer: int) -> Any:
    """(conversation_id, last_status_id) of each conversation the viewer has not removed."""
    cm = conversation_marks
    marks = and_(cm.c.account_id == viewer, cm.c.conversation_id == statuses.c.conversation_id)
    return (
        select(statuses.c.conversation_id, func.max(statuses.c.id).label("last_status_id"))
        .select_from(statuses.outerjoin(cm, marks))
        .where(_direct(viewer))
        .group_by(statuses.c.conversation_id)
        .having(func.max(statuses.c.id) > func.coalesce(func.max(cm.c.hidden_before_id), 0))
    )


async def conversations(store: Store, viewer: int, page: PageQuery) -> list[Conversation]:
    """A page of the viewer's conversations, paged by their last status."""
    latest = _latest(viewer).subquery()
    query = select(latest.c.conversation_id, latest.c.last_status_id)
    if page.max_id is not None:
        query = query.where(latest.c.last_status_id < page.max_id)
    if page.since_id is not None:
        query = query.where(latest.c.last_status_id > page.since_id)
    if page.min_id is not None:
        query = query.where(latest.c.last_status_id > page.min_id)
        query = query.order_by(latest.c.last_status_id.asc())
    else:
        query = query.order_by(latest.c.last_status_id.desc())
    async with store.read() as conn:
        pairs = [(r[0], r[1]) for r in await conn.fetch_all(query.limit(page.limit))]
        if page.min_id is not None:
            pairs.reverse()
        return await _load(conn, viewer, pairs)


async def _load(conn: Any, viewer: int, pairs: list[tuple[int, int]]) -> list[Conversation]:
    if not pairs:
        return []
    ids = [c for c, _ in pairs]
    last_rows = await load_status_rows(conn, [s for _, s in pairs])
    people: dict[int, set[int]] = defaultdict(set)
    in_thread = select(statuses.c.id, statuses.c.conversation_id, statuses.c.account_id).where(
        statuses.c.conversation_id.in_(ids), _direct(viewer)
    )
    members = in_thread.subquery()
    for row in await conn.fetch_all(select(members.c.conversation_id, members.c.account_id)):
        people[row[0]].add(row[1])
    for row in await conn.fetch_all(
        select(members.c.conversation_id, mentions.c.account_id).join(
            mentions, mentions.c.status_id == members.c.id
        )
    ):
        people[row[0]].add(row[1])
    reads = {
        r[0]: r[1]
        for r in await conn.fetch_all(
            select(
                conversation_marks.c.conversation_id, conversation_marks.c.last_read_status_id
            ).where(
                conversation_marks.c.account_id == viewer,
                conversation_marks.c.conversation_id.in_(ids),
            )
        )
    }
    found = []
    for conversation_id, last_id in pairs:
        last = last_rows[last_id]
        unread = last["account_id"] != viewer and last_id > reads.get(conversation_id, 0)
        others = sorted(people[conversation_id] - {viewer})
        found.append(Conversation(conversation_id, last, others, unread))
    return found


async def conversation_of(store: Store, viewer: int, conversation_id: int) -> Conversation | None:
    """One conversation as the viewer sees it (for the stream); None if removed or unknown."""
    latest = _latest(viewer).where(statuses.c.conversation_id == conversation_id).subquery()
    async with store.read() as conn:
        row = await conn.fetch_one(select(latest.c.conversation_id, latest.c.last_status_id))
        if row is None:
            return None
        found = await _load(conn, viewer, [(row[0], row[1])])
    return found[0]


async def _mark(store: Store, viewer: int, conversation_id: int, column: str) -> Conversation:
    """Set a mark (read up to, or removed before) at the conversation's last status."""
    async with store.write() as conn:
        last = await conn.fetch_val(
            select(func.max(statuses.c.id)).where(
                statuses.c.conversation_id == conversation_id, _direct(viewer)
            )
        )
        if last is None:
            raise NotFoundError("Record not found")
        where = and_(
            conversation_marks.c.account_id == viewer,
            conversation_marks.c.conversation_id == conversation_id,
        )
        present = await conn.fetch_val(
            select(func.count()).select_from(conversation_marks).where(where)
        )
        if present:
            await conn.execute(conversation_marks.update().where(where).values({column: last}))
        else:
            await conn.execute(
                conversation_marks.insert().values(
                    account_id=viewer, conversation_id=conversation_id, **{column: last}
                )
            )
        [found] = await _load(conn, viewer, [(conversation_id, last)])
    return found


async def mark_read(store: Store, viewer: int, conversation_id: int) -> Conversation:
    return await _mark(store, viewer, conversation_id, "last_read_status_id")


async def remove(store: Store, viewer: int, conversation_id: int) -> None:
    """Take a conversation off the viewer's list, until a new status arrives in it."""
    await _mark(store, viewer, conversation_id, "hidden_before_id")
