"""The apps a user has let into their account, and taking that back."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_, select, update

from fediverse.ids import now_ms
from fediverse.storage.database import Store
from fediverse.storage.tables import oauth_applications, oauth_tokens


@dataclass(frozen=True, slots=True)
class ConnectedApp:
    application_id: int
    name: str
    website: str | None
    scopes: frozenset[str]
    authorized_at: int
    last_used_at: int | None


def _live(user_id: int, now: int) -> list[ColumnElement[bool]]:
    return [
        oauth_tokens.c.user_id == user_id,
        oauth_tokens.c.revoked_at.is_(None),
        or_(oauth_tokens.c.expires_at.is_(None), oauth_tokens.c.expires_at > now),
    ]


async def connected_apps(store: Store, user_id: int) -> list[ConnectedApp]:
    """Every app with a live token of this user, most recently authorized first."""
    query = (
        select(
            oauth_applications.c.id,
            oauth_applications.c.name,
            oauth_applications.c.website,
            func.min(oauth_tokens.c.created_at),
            func.max(oauth_tokens.c.last_used_at),
            oauth_tokens.c.scopes,
        )
        .join(oauth_applications, oauth_applications.c.id == oauth_tokens.c.application_id)
        .where(*_live(user_id, now_ms()))
        .group_by(
            oauth_applications.c.id,
            oauth_applications.c.name,
            oauth_applications.c.website,
            oauth_tokens.c.scopes,
        )
    )
    async with store.read() as conn:
        rows = await conn.fetch_all(query)
    by_app: dict[int, ConnectedApp] = {}
    for r in rows:
        seen = by_app.get(r[0])
        scopes = frozenset(r[5].split()) | (seen.scopes if seen else frozenset())
        first = min(r[3], seen.authorized_at) if seen else r[3]
        by_app[r[0]] = ConnectedApp(r[0], r[1], r[2], scopes, first, r[4])
    return sorted(by_app.values(), key=lambda a: a.authorized_at, reverse=True)


async def revoke_app(store: Store, user_id: int, application_id: int) -> None:
    """Revoke every token this user gave the app; their next request is refused."""
    now = now_ms()
    async with store.write() as conn:
        await conn.execute(
            update(oauth_tokens)
            .where(oauth_tokens.c.application_id == application_id, *_live(user_id, now))
            .values(revoked_at=now)
        )
