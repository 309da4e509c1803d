"""Moderators' actions on accounts and statuses, the accounts they look through, and the
audit log that records all of it.

Actions follow Mastodon's admin API: ``none`` (a warning only), ``disable`` (a local user
may not sign in), ``sensitive`` (media marked sensitive), ``silence`` (kept out of public
timelines and the directory), ``suspend`` (hidden everywhere, tokens revoked); each has
its undoing. Taken on a report, an action resolves it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from databases.core import Connection
from sqlalchemy import and_, delete, func, select, update

from fediverse.editing import delete_status
from fediverse.errors import ForbiddenError, NotFoundError, ValidationError
from fediverse.ids import now_ms
from fediverse.outgoing import ACTOR_SUSPENSION, federate
from fediverse.paging import PageQuery, apply_page, newest_first
from fediverse.reports import Moderator, mark_resolved, record, status_id_list
from fediverse.runtime import Runtime
from fediverse.storage.database import Store
from fediverse.storage.functions import fold
from fediverse.storage.tables import (
    accounts,
    audit_log,
    follow_requests,
    follows,
    group_memberships,
    oauth_tokens,
    statuses,
    users,
)

ACTIONS = ("none", "disable", "sensitive", "silence", "suspend")
UNDO = {
    "enable": "disable",
    "unsensitive": "sensitive",
    "unsilence": "silence",
    "unsuspend": "suspend",
}
ACCOUNT_STATUSES = ("active", "pending", "disabled", "silenced", "suspended", "sensitized")


@dataclass(frozen=True, slots=True)
class AccountAction:
    type: str
    report_id: int | None = None
    text: str = ""


@dataclass(frozen=True, slots=True)
class AccountFilter:
    """Mastodon's v1/v2 admin account filters."""

    origin: str | None = None  # local, remote
    status: str | None = None  # one of ACCOUNT_STATUSES
    staff: bool = False
    username: str | None = None
    display_name: str | None = None
    by_domain: str | None = None
    email: str | None = None


async def _account(conn: Connection, account_id: int) -> dict[str, Any]:
    row = await conn.fetch_one(
        select(accounts.c.id, accounts.c.domain, accounts.c.actor_type, users.c.role)
        .select_from(accounts.outerjoin(users, users.c.account_id == accounts.c.id))
        .where(accounts.c.id == account_id)
    )
    if row is None or row[2] == "Application":
        raise NotFoundError("Record not found")
    return dict(row._mapping)


async def _refuse_outranked(conn: Connection, target: dict[str, Any], by: Moderator) -> None:
    """As in Mastodon, nobody acts on an equal or higher role: moderators not on staff,
    admins not on admins (the command line, acting as no account, may)."""
    if by.account_id is None or target["role"] not in ("admin", "moderator"):
        return
    if by.account_id == target["id"]:
        raise ValidationError("Validation failed: You cannot take action on your own account")
    own = await conn.fetch_val(select(users.c.role).where(users.c.account_id == by.account_id))
    if own != "admin" or target["role"] == "admin":
        raise ForbiddenError("This action is not allowed")


def _action_values(kind: str, now: int) -> dict[str, Any]:
    values: dict[str, dict[str, Any]] = {
        "sensitive": {"sensitized_at": now},
        "silence": {"silenced_at": now},
        "suspend": {"suspended_at": now, "suspension_origin": "local"},
        "unsensitive": {"sensitized_at": None},
        "unsilence": {"silenced_at": None},
        "unsuspend": {"suspended_at": None, "suspension_origin": None},
    }
    return values.get(kind, {})


async def _apply(conn: Connection, target: dict[str, Any], kind: str) -> None:
    now = now_ms()
    values = _action_values(kind, now)
    if values:
        await conn.execute(
            update(accounts).where(accounts.c.id == target["id"]).values(updated_at=now, **values)
        )
    if kind in ("disable", "enable"):
        if target["domain"] is not None:
            raise ValidationError("disable and enable apply to local accounts only")
        await conn.execute(
            update(users)
            .where(users.c.account_id == target["id"])
            .values(disabled=kind == "disable")
        )
    if kind == "suspend" and target["domain"] is None:
        await _revoke_tokens(conn, target["id"], now)


async def _announce(store: Store, conn: Connection, target: dict[str, Any], kind: str) -> None:
    """A local account's suspension, and its end, reach every server that knows it: its
    actor, minimal and marked ``suspended`` while it lasts (as Mastodon sends it)."""
    if kind in ("suspend", "unsuspend") and target["domain"] is None:
        await federate(store, conn, ACTOR_SUSPENSION, account_id=target["id"])


async def _reject_remote_follows(store: Store, conn: Connection, account_id: int) -> None:
    """A remote account our moderators suspend stays active on its own server, and would go
    on reading followers-only posts through its server's shared inbox. So, as in Mastodon,
    its follows of local accounts and its pending requests to them end, each with a Reject
    of its Follow sent to its own inbox; unsuspending does not bring them back."""
    local = select(accounts.c.id).where(accounts.c.domain.is_(None))
    ended: list[tuple[int, str | None]] = []
    for table in (follows, follow_requests):
        rows = await conn.fetch_all(
            delete(table)
            .where(table.c.account_id == account_id, table.c.target_account_id.in_(local))
            .returning(table.c.target_account_id, table.c.uri)
        )
        if table is follows:
            await _uncount_follows(conn, account_id, [int(r[0]) for r in rows])
        ended += [(int(r[0]), r[1]) for r in rows]
    for local_id, uri in ended:
        await federate(
            store,
            conn,
            "reject_follow",
            account_id=local_id,  # the followed local account signs the Reject
            target_account_id=account_id,
            uri=uri,
        )


async def _end_group_memberships(conn: Connection, account_id: int) -> None:
    """Its memberships of local groups end with its follows of them (each Rejected above),
    and with them any role it held there, so that joining again after an unsuspension
    starts as a plain member. A ban is no membership: it stays."""
    local = select(accounts.c.id).where(accounts.c.domain.is_(None))
    await conn.execute(
        delete(group_memberships).where(
            group_memberships.c.account_id == account_id,
            group_memberships.c.group_account_id.in_(local),
            group_memberships.c.state != "banned",
        )
    )


async def _uncount_follows(conn: Connection, follower_id: int, followed: list[int]) -> None:
    if not followed:
        return
    await conn.execute(
        update(accounts)
        .where(accounts.c.id == follower_id)
        .values(following_count=accounts.c.following_count - len(followed))
    )
    await conn.execute(
        update(accounts)
        .where(accounts.c.id.in_(followed))
        .values(followers_count=accounts.c.followers_count - 1)
    )


async def _revoke_tokens(conn: Connection, account_id: int, now: int) -> None:
    user_ids = select(users.c.id).where(users.c.account_id == account_id)
    await conn.execute(
        update(oauth_tokens)
        .where(oauth_tokens.c.user_id.in_(user_ids), oauth_tokens.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )


async def take_action(store: Store, target_id: int, action: AccountAction, by: Moderator) -> None:
    """One of ``ACTIONS`` on an account, in one transaction with its audit entry (and the
    report's resolution when taken on one)."""
    if action.type not in ACTIONS:
        raise ValidationError(f"type must be one of {', '.join(ACTIONS)}")
    if by.account_id == target_id:
        raise ValidationError("Validation failed: You cannot take action on your own account")
    async with store.write() as conn:
        target = await _account(conn, target_id)
        await _refuse_outranked(conn, target, by)
        await _apply(conn, target, action.type)
        await _announce(store, conn, target, action.type)
        if action.type == "suspend" and target["domain"] is not None:
            await _reject_remote_follows(store, conn, target["id"])
            await _end_group_memberships(conn, target["id"])
        if action.report_id is not None:
            await mark_resolved(conn, action.report_id, by)
        data = {"type": action.type, "report_id": action.report_id, "text": action.text[:1000]}
        await record(store, conn, by, f"account.{action.type}", "account", target_id, data)


async def undo_action(store: Store, target_id: int, kind: str, by: Moderator) -> None:
    """``enable``, ``unsensitive``, ``unsilence`` or ``unsuspend``."""
    if kind not in UNDO:
        raise ValidationError(f"unknown action {kind!r}")
    async with store.write() as conn:
        target = await _account(conn, target_id)
        await _refuse_outranked(conn, target, by)
        await _apply(conn, target, kind)
        await _announce(store, conn, target, kind)
        await record(store, conn, by, f"account.{kind}", "account", target_id)


async def remove_statuses(
    runtime: Runtime, status_ids: list[int], by: Moderator, *, report_id: int | None = None
) -> list[int]:
    """Delete statuses as their authors would (federated when they were); returns the ids
    that existed. Each removal is audited."""
    async with runtime.store.read() as conn:
        rows = await conn.fetch_all(
            select(statuses.c.id, statuses.c.account_id).where(
                statuses.c.id.in_(status_ids), statuses.c.reblog_of_id.is_(None)
            )
        )
    removed = []
    for status_id, author_id in [(r[0], r[1]) for r in rows]:
        await delete_status(runtime, author_id, status_id)
        async with runtime.store.write() as conn:
            data = {"account_id": str(author_id), "report_id": report_id}
            await record(runtime.store, conn, by, "status.remove", "status", status_id, data)
        removed.append(status_id)
    return removed


async def remove_reported_statuses(
    runtime: Runtime, report: dict[str, Any], by: Moderator
) -> list[int]:
    return await remove_statuses(runtime, status_id_list(report), by, report_id=report["id"])


ADMIN_ACCOUNT_QUERY = select(
    accounts.c.id,
    accounts.c.domain,
    accounts.c.silenced_at,
    accounts.c.suspended_at,
    accounts.c.sensitized_at,
    accounts.c.created_at,
    users.c.email,
    users.c.role,
    users.c.locale,
    users.c.disabled,
    users.c.confirmed_at,
    users.c.id.label("user_id"),
).select_from(accounts.outerjoin(users, users.c.account_id == accounts.c.id))


def _status_condition(status: str) -> Any:
    return {
        "active": and_(
            accounts.c.suspended_at.is_(None),
            func.coalesce(users.c.disabled, False).is_(False),
        ),
        "pending": users.c.confirmed_at.is_(None) & users.c.id.is_not(None),
        "disabled": users.c.disabled.is_(True),
        "silenced": accounts.c.silenced_at.is_not(None),
        "suspended": accounts.c.suspended_at.is_not(None),
        "sensitized": accounts.c.sensitized_at.is_not(None),
    }[status]


def _prefix(column: Any, value: str) -> Any:
    term = value.lower().replace("\\", "").replace("%", "\\%").replace("_", "\\_")
    return fold(column).like(term + "%", escape="\\")


def _account_conditions(found: AccountFilter) -> list[Any]:
    conditions: list[Any] = [accounts.c.actor_type != "Application"]
    if found.origin == "local":
        conditions.append(accounts.c.domain.is_(None))
    elif found.origin == "remote":
        conditions.append(accounts.c.domain.is_not(None))
    elif found.origin is not None:
        raise ValidationError("origin must be local or remote")
    if found.status is not None:
        if found.status not in ACCOUNT_STATUSES:
            raise ValidationError(f"status must be one of {', '.join(ACCOUNT_STATUSES)}")
        conditions.append(_status_condition(found.status))
    if found.staff:
        conditions.append(users.c.role.in_(("admin", "moderator")))
    for column, value in (
        (accounts.c.username, found.username),
        (accounts.c.display_name, found.display_name),
        (accounts.c.domain, found.by_domain),
        (users.c.email, found.email),
    ):
        if value:
            conditions.append(_prefix(column, value))
    return conditions


async def admin_accounts(
    store: Store, found: AccountFilter, page: PageQuery
) -> list[dict[str, Any]]:
    """Accounts with their users' sign-in state, newest first, for moderators."""
    query = ADMIN_ACCOUNT_QUERY.where(*_account_conditions(found))
    async with store.read() as conn:
        rows = await conn.fetch_all(apply_page(query, accounts.c.id, page))
    return newest_first([dict(r._mapping) for r in rows], page)


async def admin_account(store: Store, account_id: int) -> dict[str, Any]:
    async with store.read() as conn:
        row = await conn.fetch_one(
            ADMIN_ACCOUNT_QUERY.where(
                accounts.c.id == account_id, accounts.c.actor_type != "Application"
            )
        )
    if row is None:
        raise NotFoundError("Record not found")
    return dict(row._mapping)


@dataclass(frozen=True, slots=True)
class AuditFilter:
    actor: str | None = None  # a handle, or "cli"
    account_id: int | None = None  # the acting account
    action: str | None = None  # exact, or a prefix ending in "." as "report."


async def audit_page(store: Store, found: AuditFilter, page: PageQuery) -> list[dict[str, Any]]:
    """The audit log, newest first, with ``data`` decoded."""
    query = select(audit_log)
    if found.actor:
        query = query.where(audit_log.c.actor == found.actor)
    if found.account_id is not None:
        query = query.where(audit_log.c.account_id == found.account_id)
    if found.action and found.action.endswith("."):
        query = query.where(_prefix(audit_log.c.action, found.action))
    elif found.action:
        query = query.where(audit_log.c.action == found.action)
    async with store.read() as conn:
        rows = await conn.fetch_all(apply_page(query, audit_log.c.id, page))
    entries = newest_first([dict(r._mapping) for r in rows], page)
    for entry in entries:
        entry["data"] = orjson.loads(entry["data"] or "{}")
    return entries


async def admin_accounts_by_id(store: Store, ids: set[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    async with store.read() as conn:
        rows = await conn.fetch_all(ADMIN_ACCOUNT_QUERY.where(accounts.c.id.in_(ids)))
    return {r._mapping["id"]: dict(r._mapping) for r in rows}
