"""Whom to follow: local colleagues followed by the people one follows (friends of friends),
then the most followed; never oneself, anyone already followed, blocked, muted, suspended,
undiscoverable, or dismissed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import desc, func, insert, select

from fediverse.errors import NotFoundError
from fediverse.hydrate import ACCOUNT_QUERY, Row
from fediverse.ids import now_ms
from fediverse.storage.database import Store
from fediverse.storage.tables import accounts, blocks, follows, mutes, suggestion_dismissals


@dataclass(frozen=True, slots=True)
class Suggestion:
    account: Row
    source: str  # "friends_of_friends" or "most_followed", as Mastodon 4.3 names them


def _excluded(viewer: int) -> list[Any]:
    return [
        accounts.c.id != viewer,
        accounts.c.domain.is_(None),
        accounts.c.discoverable.is_(True),
        accounts.c.suspended_at.is_(None),
        accounts.c.actor_type != "Group",
        accounts.c.id.not_in(
            select(follows.c.target_account_id).where(follows.c.account_id == viewer)
        ),
        accounts.c.id.not_in(
            select(blocks.c.target_account_id).where(blocks.c.account_id == viewer)
        ),
        accounts.c.id.not_in(
            select(blocks.c.account_id).where(blocks.c.target_account_id == viewer)
        ),
        accounts.c.id.not_in(select(mutes.c.target_account_id).where(mutes.c.account_id == viewer)),
        accounts.c.id.not_in(
            select(suggestion_dismissals.c.target_account_id).where(
                suggestion_dismissals.c.account_id == viewer
            )
        ),
    ]


async def suggestions(store: Store, viewer: int, *, limit: int) -> list[Suggestion]:
    friends = follows.alias("friends")
    theirs = follows.alias("theirs")
    shared = func.count().label("shared")
    fof = (
        select(theirs.c.target_account_id, shared)
        .join(friends, friends.c.target_account_id == theirs.c.account_id)
        .where(friends.c.account_id == viewer)
        .group_by(theirs.c.target_account_id)
        .subquery()
    )
    async with store.read() as conn:
        first = await conn.fetch_all(
            ACCOUNT_QUERY.join(fof, fof.c.target_account_id == accounts.c.id)
            .where(*_excluded(viewer))
            .order_by(desc(fof.c.shared), accounts.c.followers_count.desc(), accounts.c.id)
            .limit(limit)
        )
        found = [Suggestion(r._mapping, "friends_of_friends") for r in first]
        if len(found) < limit:
            seen = [s.account["id"] for s in found]
            rest = await conn.fetch_all(
                ACCOUNT_QUERY.where(*_excluded(viewer), accounts.c.id.not_in(seen or [-1]))
                .order_by(
                    accounts.c.followers_count.desc(),
                    accounts.c.last_status_at.desc(),
                    accounts.c.id,
                )
                .limit(limit - len(found))
            )
            found += [Suggestion(r._mapping, "most_followed") for r in rest]
    return found


async def dismiss(store: Store, viewer: int, target: int) -> None:
    async with store.write() as conn:
        if await conn.fetch_val(select(accounts.c.id).where(accounts.c.id == target)) is None:
            raise NotFoundError("Record not found")
        done = await conn.fetch_val(
            select(func.count())
            .select_from(suggestion_dismissals)
            .where(
                suggestion_dismissals.c.account_id == viewer,
                suggestion_dismissals.c.target_account_id == target,
            )
        )
        if not done:
            await conn.execute(
                insert(suggestion_dismissals).values(
                    account_id=viewer, target_account_id=target, created_at=now_ms()
                )
            )
