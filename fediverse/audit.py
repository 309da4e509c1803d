"""The audit log: every admin action, written in the same transaction as the action."""

from __future__ import annotations

from typing import Any

import orjson
from databases.core import Connection
from sqlalchemy import insert, select

from fediverse.ids import now_ms
from fediverse.storage.database import Store
from fediverse.storage.tables import audit_log


async def record(
    store: Store,
    conn: Connection,
    *,
    actor: str,
    action: str,
    target_type: str | None = None,
    target: str | None = None,
    account_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Write one entry on ``conn``; ``actor`` is a handle, or ``cli`` for the command line."""
    await conn.execute(
        insert(audit_log).values(
            id=store.new_id(),
            account_id=account_id,
            actor=actor,
            action=action,
            target_type=target_type,
            target=target,
            data=orjson.dumps(data or {}).decode(),
            created_at=now_ms(),
        )
    )


async def recent(store: Store, limit: int = 50) -> list[dict[str, Any]]:
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    async with store.read() as conn:
        rows = await conn.fetch_all(query)
    return [dict(row._mapping) for row in rows]
