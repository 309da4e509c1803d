"""Remote accounts: what other servers told us about their actors, cached in ``accounts``.

federation/ fetches and parses actor documents and hands the plain values here; nothing in
this module talks to another server.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import orjson
from databases.core import Connection
from sqlalchemy import Insert, Table, case, func, insert, select, union, update
from sqlalchemy.dialects import postgresql, sqlite

from fediverse.ids import id_at, now_ms
from fediverse.rawsql import Raw
from fediverse.storage.database import Store
from fediverse.storage.tables import accounts, follow_requests, follows, mentions, statuses

REMOTE = "remote"  # ``suspension_origin`` of a suspension the actor's server made
# How far back an account's posts count as having reached the accounts they mention or
# answer, and at most how many, and how many inboxes that adds (Mastodon's
# AccountReachFinder: two days, 200 statuses, 2,000 inboxes).
RECENT_MS = 2 * 24 * 3_600_000
RECENT_STATUSES = 200
RECENT_INBOXES = 2_000
# A cached actor is fetched again when a request needs it and it is older than this.
STALE_AFTER_MS = 24 * 3_600_000


@dataclass(frozen=True, slots=True)
class RemoteActor:
    """An actor document reduced to the columns of ``accounts`` (HTML already sanitized)."""

    uri: str
    username: str
    domain: str
    inbox_url: str
    actor_type: str = "Person"
    display_name: str = ""
    note: str = ""
    locked: bool = False
    bot: bool = False
    discoverable: bool = False
    fields: tuple[tuple[str, str], ...] = ()
    url: str | None = None
    outbox_url: str | None = None
    shared_inbox_url: str | None = None
    followers_url: str | None = None
    following_url: str | None = None
    featured_url: str | None = None
    public_key_id: str | None = None
    public_key_pem: str | None = None
    avatar_remote_url: str | None = None
    header_remote_url: str | None = None
    ap_raw: str | None = None
    suspended: bool = False  # its server says so (``toot:suspended``)


@dataclass(frozen=True, slots=True)
class AccountRef:
    """What federation needs of an account, local or remote."""

    id: int
    username: str
    domain: str | None
    uri: str
    inbox_url: str | None
    shared_inbox_url: str | None
    followers_url: str | None
    public_key_id: str | None
    public_key_pem: str | None
    locked: bool
    fetched_at: int | None
    suspended_at: int | None
    suspension_origin: str | None = None  # local (ours) or remote (its server's)

    @property
    def is_local(self) -> bool:
        return self.domain is None

    @property
    def delivery_inbox(self) -> str | None:
        return self.shared_inbox_url or self.inbox_url

    def is_stale(self, now: int) -> bool:
        return self.domain is not None and (self.fetched_at or 0) < now - STALE_AFTER_MS


REF_COLUMNS = (
    accounts.c.id,
    accounts.c.username,
    accounts.c.domain,
    accounts.c.uri,
    accounts.c.inbox_url,
    accounts.c.shared_inbox_url,
    accounts.c.followers_url,
    accounts.c.public_key_id,
    accounts.c.public_key_pem,
    accounts.c.locked,
    accounts.c.fetched_at,
    accounts.c.suspended_at,
    accounts.c.suspension_origin,
)


def _ref(row: Any) -> AccountRef:
    values = [row[i] for i in range(len(REF_COLUMNS))]  # iterating a Record gives its keys
    values[9] = bool(values[9])
    return AccountRef(*values)


async def account_by(conn: Connection, where: Any) -> AccountRef | None:
    row = await conn.fetch_one(select(*REF_COLUMNS).where(where).limit(1))
    return None if row is None else _ref(row)


_REF_NAMES = tuple(c.name for c in REF_COLUMNS)
_REF_BY_URI = f"SELECT {', '.join(_REF_NAMES)} FROM accounts WHERE uri = ? LIMIT 1"  # noqa: S608
_REF_BY_ID = f"SELECT {', '.join(_REF_NAMES)} FROM accounts WHERE id = ? LIMIT 1"  # noqa: S608


async def _ref_by(conn: Connection, sql: str, value: object) -> AccountRef | None:
    """The two look-ups every inbox activity makes, as hand-written SQL (``fediverse.rawsql``):
    compiling them cost more than running them."""
    rows = await Raw(conn).rows(sql, _REF_NAMES, value)
    return None if not rows else _ref([rows[0][name] for name in _REF_NAMES])


async def account_by_uri(conn: Connection, uri: str) -> AccountRef | None:
    return await _ref_by(conn, _REF_BY_URI, uri)


async def account_by_id(conn: Connection, account_id: int) -> AccountRef | None:
    return await _ref_by(conn, _REF_BY_ID, account_id)


async def account_by_key_id(conn: Connection, key_id: str) -> AccountRef | None:
    return await account_by(conn, accounts.c.public_key_id == key_id)


async def local_account_by_username(conn: Connection, username: str) -> AccountRef | None:
    return await account_by(
        conn, (func.lower(accounts.c.username) == username.lower()) & accounts.c.domain.is_(None)
    )


def insert_ignoring_duplicates(store: Store, table: Table) -> Insert:
    """An INSERT that skips a row breaking a unique constraint (with RETURNING: no row)."""
    if store.is_sqlite:
        return sqlite.insert(table).on_conflict_do_nothing()
    return postgresql.insert(table).on_conflict_do_nothing()


def _columns(actor: RemoteActor) -> dict[str, Any]:
    values = asdict(actor)
    del values["suspended"]
    values["fields"] = orjson.dumps([{"name": n, "value": v} for n, v in actor.fields]).decode()
    values["bot"] = actor.bot or actor.actor_type in ("Service", "Application")
    return values


async def upsert_remote_account(store: Store, actor: RemoteActor) -> int:
    """Create or refresh the cached copy of a remote actor; returns its account id."""
    async with store.write() as conn:
        return await upsert_remote_account_on(store, conn, actor)


def _suspension(suspended: bool, now: int) -> dict[str, Any]:
    """What an actor document's ``suspended`` does to the row it updates: it suspends an
    account that is not (its origin remote); its absence lifts only a remote suspension,
    never one our moderators made (nor a deleted actor's)."""
    held = accounts.c.suspended_at.is_not(None)
    if suspended:
        return {
            "suspended_at": case((held, accounts.c.suspended_at), else_=now),
            "suspension_origin": case((held, accounts.c.suspension_origin), else_=REMOTE),
        }
    theirs = accounts.c.suspension_origin == REMOTE
    return {
        "suspended_at": case((theirs, None), else_=accounts.c.suspended_at),
        "suspension_origin": case((theirs, None), else_=accounts.c.suspension_origin),
    }


async def upsert_remote_account_on(store: Store, conn: Connection, actor: RemoteActor) -> int:
    now = now_ms()
    values = _columns(actor) | {"fetched_at": now, "updated_at": now}
    same = (accounts.c.uri == actor.uri) | (
        (func.lower(accounts.c.username) == actor.username.lower())
        & (func.lower(accounts.c.domain) == actor.domain.lower())
    )
    changed = await conn.fetch_all(
        update(accounts)
        .where(same)
        .values(**values, **_suspension(actor.suspended, now))
        .returning(accounts.c.id)
    )
    if changed:
        return int(changed[0][0])
    account_id = store.new_id()
    if actor.suspended:
        values |= {"suspended_at": now, "suspension_origin": REMOTE}
    await conn.execute(insert(accounts).values(id=account_id, created_at=now, **values))
    return account_id


async def mark_suspended(conn: Connection, account_id: int) -> None:
    """A remote actor deleted itself: keep the row (ids point at it), hide everything."""
    await conn.execute(
        update(accounts)
        .where(accounts.c.id == account_id, accounts.c.domain.is_not(None))
        .values(suspended_at=now_ms(), suspension_origin="local", updated_at=now_ms())
    )


async def follower_inboxes(conn: Connection, account_id: int) -> list[str]:
    """The shared inbox (or inbox) of every remote follower of a local account, once each;
    suspended followers get nothing."""
    return await _inboxes_across(conn, account_id, followers=True)


async def followed_inboxes(conn: Connection, account_id: int) -> list[str]:
    """The shared inbox (or inbox) of every remote account a local account follows."""
    return await _inboxes_across(conn, account_id, followers=False)


async def _inboxes_across(conn: Connection, account_id: int, *, followers: bool) -> list[str]:
    inbox = func.coalesce(accounts.c.shared_inbox_url, accounts.c.inbox_url)
    mine, theirs = (
        (follows.c.target_account_id, follows.c.account_id)
        if followers
        else (follows.c.account_id, follows.c.target_account_id)
    )
    query = (
        select(inbox)
        .select_from(follows.join(accounts, accounts.c.id == theirs))
        .where(mine == account_id, accounts.c.domain.is_not(None))
        .distinct()
    )
    if followers:
        query = query.where(accounts.c.suspended_at.is_(None))
    return [str(r[0]) for r in await conn.fetch_all(query) if r[0]]


async def recently_reached_inboxes(conn: Connection, account_id: int) -> list[str]:
    """The shared inbox (or inbox) of every remote account that a local account's recent
    federated posts mentioned or answered, or that it asks to follow (a request still
    pending), once each (bounded by ``RECENT_*``); suspended accounts get nothing. Those
    servers know the account without following it."""
    recent = (
        select(statuses.c.id, statuses.c.in_reply_to_account_id)
        .where(
            statuses.c.account_id == account_id,
            statuses.c.id >= id_at(now_ms() - RECENT_MS),
            statuses.c.local_only.is_(False),
            statuses.c.deleted_at.is_(None),
        )
        .order_by(statuses.c.id.desc())
        .limit(RECENT_STATUSES)
        .subquery()
    )
    reached = union(
        select(mentions.c.account_id).where(mentions.c.status_id.in_(select(recent.c.id))),
        select(recent.c.in_reply_to_account_id).where(recent.c.in_reply_to_account_id.is_not(None)),
        select(follow_requests.c.target_account_id).where(
            follow_requests.c.account_id == account_id
        ),
    )
    inbox = func.coalesce(accounts.c.shared_inbox_url, accounts.c.inbox_url)
    query = (
        select(inbox)
        .where(
            accounts.c.id.in_(reached),
            accounts.c.domain.is_not(None),
            accounts.c.suspended_at.is_(None),
        )
        .distinct()
        .limit(RECENT_INBOXES)
    )
    return [str(r[0]) for r in await conn.fetch_all(query) if r[0]]


async def mentioned_inboxes(conn: Connection, status_id: int) -> list[str]:
    inbox = func.coalesce(accounts.c.shared_inbox_url, accounts.c.inbox_url)
    query = (
        select(inbox)
        .select_from(mentions.join(accounts, accounts.c.id == mentions.c.account_id))
        .where(mentions.c.status_id == status_id, accounts.c.domain.is_not(None))
        .distinct()
    )
    return [str(r[0]) for r in await conn.fetch_all(query) if r[0]]


async def delivery_inboxes_for_status(conn: Connection, status_id: int) -> list[str]:
    """Every inbox a local status goes to: followers' (unless direct) and the mentioned.

    A reply also goes to the author of the post it answers, so threads stay whole.
    """
    row = await conn.fetch_one(
        select(
            statuses.c.account_id,
            statuses.c.visibility,
            statuses.c.local_only,
            statuses.c.in_reply_to_account_id,
            statuses.c.group_id,
        ).where(statuses.c.id == status_id)
    )
    if row is None or row[2]:
        return []
    found = await mentioned_inboxes(conn, status_id)
    if row[1] != "direct":
        found += await follower_inboxes(conn, int(row[0]))
    for other in (row[3], row[4]):  # the replied-to author, and a remote group posted to
        parent = await account_by_id(conn, int(other)) if other is not None else None
        if parent is not None and not parent.is_local and parent.delivery_inbox:
            found.append(parent.delivery_inbox)
    return sorted(set(found))
