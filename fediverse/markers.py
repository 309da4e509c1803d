"""Timeline markers: where a user stopped reading home and notifications, for all their apps."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, update

from fediverse.errors import ValidationError
from fediverse.hydrate import Row
from fediverse.ids import now_ms
from fediverse.storage.database import Store
from fediverse.storage.tables import markers

TIMELINES = ("home", "notifications")


def check_timeline(name: str) -> str:
    if name not in TIMELINES:
        raise ValidationError(f"timeline must be one of {', '.join(TIMELINES)}")
    return name


async def get_markers(store: Store, account_id: int, timelines: Iterable[str]) -> dict[str, Row]:
    wanted = [check_timeline(t) for t in timelines]
    async with store.read() as conn:
        rows = await conn.fetch_all(
            select(markers).where(
                markers.c.account_id == account_id, markers.c.timeline.in_(wanted)
            )
        )
    return {r._mapping["timeline"]: r._mapping for r in rows}


async def set_markers(store: Store, account_id: int, positions: dict[str, int]) -> dict[str, Row]:
    """Move markers; each move counts up the marker's ``version``."""
    for name in positions:
        check_timeline(name)
    now = now_ms()
    async with store.write() as conn:
        for name, last_read_id in positions.items():
            moved = await conn.fetch_all(
                update(markers)
                .where(markers.c.account_id == account_id, markers.c.timeline == name)
                .values(last_read_id=last_read_id, version=markers.c.version + 1, updated_at=now)
                .returning(markers.c.timeline)
            )
            if not moved:
                await conn.execute(
                    markers.insert().values(
                        account_id=account_id,
                        timeline=name,
                        last_read_id=last_read_id,
                        version=1,
                        updated_at=now,
                    )
                )
    return await get_markers(store, account_id, positions)
