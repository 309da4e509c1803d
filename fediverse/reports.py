"""Reports: filed by local staff (and forwarded as a Flag when they choose), received from
other servers as a Flag, and handled by moderators (assigned, resolved, reopened).

Every report notifies the instance's admins and moderators (``admin.report``); every
moderator's step is written to the audit log in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson
from databases.core import Connection
from sqlalchemy import and_, func, insert, select, update

from fediverse import audit
from fediverse.errors import NotFoundError, ValidationError
from fediverse.events import Event
from fediverse.ids import now_ms
from fediverse.outgoing import federate
from fediverse.paging import PageQuery, apply_page, newest_first
from fediverse.storage.database import Store
from fediverse.storage.tables import accounts, notifications, reports, statuses, users

CATEGORIES = ("spam", "legal", "violation", "other")
MAX_COMMENT = 1000
MAX_REMOTE_COMMENT = 5000
MAX_STATUSES = 100
STAFF_ROLES = ("admin", "moderator")


@dataclass(frozen=True, slots=True)
class Moderator:
    """Who acts, for the audit log: the account and its handle (or ``cli``)."""

    account_id: int | None
    actor: str


@dataclass(frozen=True, slots=True)
class NewReport:
    target_account_id: int
    status_ids: list[int] = field(default_factory=list)
    comment: str = ""
    category: str = "other"
    rule_ids: list[int] = field(default_factory=list)
    forward: bool = False


@dataclass(frozen=True, slots=True)
class ReportFilter:
    resolved: bool = False
    account_id: int | None = None  # who reported
    target_account_id: int | None = None


def check_report(new: NewReport) -> None:
    if new.category not in CATEGORIES:
        raise ValidationError(f"category must be one of {', '.join(CATEGORIES)}")
    if len(new.comment) > MAX_COMMENT:
        raise ValidationError(f"Validation failed: Comment is too long (maximum is {MAX_COMMENT})")
    if len(new.status_ids) > MAX_STATUSES:
        raise ValidationError(f"status_ids can name at most {MAX_STATUSES} statuses")


async def _target(conn: Connection, account_id: int) -> Any:
    row = await conn.fetch_one(
        select(accounts.c.id, accounts.c.domain, accounts.c.actor_type).where(
            accounts.c.id == account_id
        )
    )
    if row is None or row[2] == "Application":
        raise NotFoundError("Record not found")
    return row


async def _their_statuses(conn: Connection, target_id: int, ids: list[int]) -> list[int]:
    """The reported statuses, which must all be the target's own."""
    if not ids:
        return []
    found = await conn.fetch_all(
        select(statuses.c.id).where(statuses.c.id.in_(ids), statuses.c.account_id == target_id)
    )
    if len(found) != len(set(ids)):
        raise ValidationError("Validation failed: status_ids must be statuses of the account")
    return sorted(set(ids))


async def file_report(
    store: Store, reporter_id: int, new: NewReport, *, instance_actor_id: int | None = None
) -> int:
    """A local user's report; with ``forward`` and a remote target, a Flag goes to its server
    from the instance actor (``instance_actor_id``), by a durable job."""
    check_report(new)
    if new.target_account_id == reporter_id:
        raise ValidationError("Validation failed: You cannot report yourself")
    async with store.write() as conn:
        target = await _target(conn, new.target_account_id)
        status_ids = await _their_statuses(conn, target[0], new.status_ids)
        forward = bool(new.forward and target[1] is not None and instance_actor_id is not None)
        report_id = await _insert(store, conn, reporter_id, new, status_ids, forward=forward)
        if forward:
            await federate(
                store,
                conn,
                "report.forward",
                report_id=report_id,
                instance_actor_id=instance_actor_id,
            )
        await notify_staff(store, conn, report_id, reporter_id)
    return report_id


async def _insert(
    store: Store,
    conn: Connection,
    reporter_id: int,
    new: NewReport,
    status_ids: list[int],
    *,
    forward: bool,
    uri: str | None = None,
) -> int:
    report_id, now = store.new_id(), now_ms()
    await conn.execute(
        insert(reports).values(
            id=report_id,
            account_id=reporter_id,
            target_account_id=new.target_account_id,
            status_ids=orjson.dumps(status_ids).decode(),
            rule_ids=orjson.dumps(new.rule_ids).decode(),
            comment=new.comment,
            category=new.category,
            forwarded=forward,
            uri=uri,
            created_at=now,
            updated_at=now,
        )
    )
    return report_id


async def receive_report(
    store: Store,
    conn: Connection,
    *,
    reporter_id: int,
    target_account_id: int,
    status_ids: list[int],
    comment: str,
    uri: str | None,
) -> int | None:
    """A Flag from another server about one of ours; None when it was received already."""
    if uri is not None and await conn.fetch_val(select(reports.c.id).where(reports.c.uri == uri)):
        return None
    new = NewReport(target_account_id, status_ids, comment[:MAX_REMOTE_COMMENT])
    report_id = await _insert(store, conn, reporter_id, new, status_ids, forward=True, uri=uri)
    await notify_staff(store, conn, report_id, reporter_id)
    return report_id


async def notify_staff(store: Store, conn: Connection, report_id: int, from_id: int) -> None:
    """An ``admin.report`` notification for every admin and moderator who can sign in."""
    staff = await conn.fetch_all(
        select(users.c.account_id).where(users.c.role.in_(STAFF_ROLES), users.c.disabled.is_(False))
    )
    now = now_ms()
    for account_id in [r[0] for r in staff]:
        if account_id == from_id:
            continue
        notification_id = store.new_id()
        await conn.execute(
            insert(notifications).values(
                id=notification_id,
                account_id=account_id,
                from_account_id=from_id,
                type="admin.report",
                report_id=report_id,
                group_key=f"ungrouped-{notification_id}",
                created_at=now,
            )
        )
        event = {"notification_id": str(notification_id)}
        store.publish_after_commit(conn, Event(f"user:{account_id}", "notification", event))


def _where(found: ReportFilter) -> Any:
    conditions: list[Any] = [
        reports.c.action_taken_at.is_not(None)
        if found.resolved
        else reports.c.action_taken_at.is_(None)
    ]
    if found.account_id is not None:
        conditions.append(reports.c.account_id == found.account_id)
    if found.target_account_id is not None:
        conditions.append(reports.c.target_account_id == found.target_account_id)
    return and_(*conditions)


async def list_reports(store: Store, found: ReportFilter, page: PageQuery) -> list[dict[str, Any]]:
    """Reports, newest first: unresolved ones unless ``resolved``."""
    query = select(reports).where(_where(found))
    async with store.read() as conn:
        rows = await conn.fetch_all(apply_page(query, reports.c.id, page))
    return newest_first([dict(r._mapping) for r in rows], page)


async def get_report(store: Store, report_id: int) -> dict[str, Any]:
    async with store.read() as conn:
        return await _report(conn, report_id)


async def _report(conn: Connection, report_id: int) -> dict[str, Any]:
    row = await conn.fetch_one(select(reports).where(reports.c.id == report_id))
    if row is None:
        raise NotFoundError("Record not found")
    return dict(row._mapping)


async def own_report(store: Store, reporter_id: int, report_id: int) -> dict[str, Any]:
    found = await get_report(store, report_id)
    if found["account_id"] != reporter_id:
        raise NotFoundError("Record not found")
    return found


async def _change(
    store: Store, report_id: int, by: Moderator, action: str, **values: Any
) -> dict[str, Any]:
    async with store.write() as conn:
        await _report(conn, report_id)
        await conn.execute(
            update(reports).where(reports.c.id == report_id).values(updated_at=now_ms(), **values)
        )
        await record(store, conn, by, action, "report", report_id)
        return await _report(conn, report_id)


async def assign_to_self(store: Store, report_id: int, by: Moderator) -> dict[str, Any]:
    return await _change(store, report_id, by, "report.assign", assigned_account_id=by.account_id)


async def unassign(store: Store, report_id: int, by: Moderator) -> dict[str, Any]:
    return await _change(store, report_id, by, "report.unassign", assigned_account_id=None)


async def resolve(store: Store, report_id: int, by: Moderator) -> dict[str, Any]:
    return await _change(
        store,
        report_id,
        by,
        "report.resolve",
        action_taken_at=now_ms(),
        action_taken_by_account_id=by.account_id,
    )


async def reopen(store: Store, report_id: int, by: Moderator) -> dict[str, Any]:
    return await _change(
        store,
        report_id,
        by,
        "report.reopen",
        action_taken_at=None,
        action_taken_by_account_id=None,
    )


async def mark_resolved(conn: Connection, report_id: int, by: Moderator) -> None:
    """Resolve inside the caller's transaction (an account action taken on a report)."""
    await _report(conn, report_id)
    now = now_ms()
    await conn.execute(
        update(reports)
        .where(reports.c.id == report_id)
        .values(action_taken_at=now, action_taken_by_account_id=by.account_id, updated_at=now)
    )


async def record(
    store: Store,
    conn: Connection,
    by: Moderator,
    action: str,
    target_type: str,
    target: int,
    data: dict[str, Any] | None = None,
) -> None:
    await audit.record(
        store,
        conn,
        actor=by.actor,
        action=action,
        target_type=target_type,
        target=str(target),
        account_id=by.account_id,
        data=data,
    )


async def count_unresolved(store: Store) -> int:
    async with store.read() as conn:
        query = select(func.count()).select_from(reports).where(reports.c.action_taken_at.is_(None))
        return int(await conn.fetch_val(query) or 0)


def status_id_list(row: dict[str, Any]) -> list[int]:
    return [int(i) for i in orjson.loads(row["status_ids"] or "[]")]


async def reports_by_id(store: Store, ids: set[int]) -> dict[int, dict[str, Any]]:
    """Report rows for a page of ``admin.report`` notifications, in one query."""
    if not ids:
        return {}
    async with store.read() as conn:
        rows = await conn.fetch_all(select(reports).where(reports.c.id.in_(ids)))
    return {r._mapping["id"]: dict(r._mapping) for r in rows}
