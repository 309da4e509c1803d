"""Add: a remote actor pins one of its posts."""

from __future__ import annotations

from activitypub.vocab import Activity
from federation.handlers.base import Context
from federation.handlers.featured import set_featured


async def handle(ctx: Context, activity: Activity) -> None:
    await set_featured(ctx, activity, pinned=True)
