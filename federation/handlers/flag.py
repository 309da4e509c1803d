"""Flag: a report from another server about one of our accounts (and some of its posts),
kept as a report for the moderators, who are notified, and noted in the audit log."""

from __future__ import annotations

from databases.core import Connection
from sqlalchemy import select

from activitypub.vocab import Activity, Flag
from federation.handlers.base import Context, local_target
from fediverse import audit, reports
from fediverse.storage.tables import statuses


async def _reported_statuses(conn: Connection, target_id: int, uris: list[str]) -> list[int]:
    if not uris:
        return []
    rows = await conn.fetch_all(
        select(statuses.c.id).where(statuses.c.uri.in_(uris), statuses.c.account_id == target_id)
    )
    return sorted(r[0] for r in rows)


async def handle(ctx: Context, activity: Activity) -> None:
    objects = list(activity.objects) if isinstance(activity, Flag) else [activity.object_id]
    uris = [str(o) for o in objects if o]
    comment = (activity.content or "")[: reports.MAX_REMOTE_COMMENT]
    async with ctx.store.write() as conn:
        target = None
        for uri in uris:
            target = await local_target(conn, uri)
            if target is not None:
                break
        if target is None:
            return  # about nobody of ours: nothing for our moderators
        report_id = await reports.receive_report(
            ctx.store,
            conn,
            reporter_id=ctx.actor.id,
            target_account_id=target.id,
            status_ids=await _reported_statuses(conn, target.id, uris),
            comment=comment,
            uri=activity.id,
        )
        if report_id is None:
            return
        await audit.record(
            ctx.store,
            conn,
            actor=ctx.actor.uri,
            action="report.received",
            target_type="report",
            target=str(report_id),
            data={"objects": uris, "account_id": str(target.id)},
        )
