"""Flag: a report from another server, kept in the audit log for the moderators."""

from __future__ import annotations

from activitypub.vocab import Activity, Flag
from federation.handlers.base import Context
from fediverse import audit


async def handle(ctx: Context, activity: Activity) -> None:
    objects = list(activity.objects) if isinstance(activity, Flag) else [activity.object_id]
    async with ctx.store.write() as conn:
        await audit.record(
            ctx.store,
            conn,
            actor=ctx.actor.uri,
            action="report.received",
            target_type="account",
            target=str(objects[0]) if objects else None,
            data={"objects": objects, "comment": (activity.content or "")[:5000]},
        )
