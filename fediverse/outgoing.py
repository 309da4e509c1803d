"""The one outgoing hook: a ``federate`` job, enqueued with the change it announces."""

from __future__ import annotations

from typing import Any

from databases.core import Connection

from fediverse.jobs import JobQueue
from fediverse.storage.database import Store

FEDERATE = "federate"
# A local account suspended or unsuspended: its actor, to every server that knows it.
ACTOR_SUSPENSION = "actor.suspension"


async def federate(store: Store, conn: Connection, kind: str, **fields: Any) -> None:
    """Enqueue ``{"kind": kind, **fields}`` for federation, inside ``conn``'s transaction."""
    await JobQueue(store).enqueue(conn, FEDERATE, {"kind": kind, **fields})


def federate_statement(queue: JobQueue, kind: str, **fields: Any) -> tuple[str, list[object]]:
    """``federate`` as a statement, for a transaction of hand-written SQL
    (``Store.write_plan``); the caller wakes ``queue`` once that has committed."""
    return queue.insert_statement(FEDERATE, {"kind": kind, **fields})
