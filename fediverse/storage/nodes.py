"""Id nodes: each process that writes claims a node number so its snowflakes never collide.

A claim is a lease in the ``id_nodes`` table, renewed while the process lives; the node of
a process that died is free again once its lease has run out.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket

from sqlalchemy import delete, insert, select, text, update

from fediverse.errors import StorageError
from fediverse.ids import MAX_NODE, SnowflakeGenerator, now_ms
from fediverse.storage.database import Store
from fediverse.storage.tables import id_nodes

LEASE_MS = 10 * 60_000
RENEW_SECONDS = 60.0
log = logging.getLogger(__name__)


def make_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


async def claim_node(store: Store, holder: str) -> int:
    """Claim the lowest free node, make the store use it, and return it."""
    now = now_ms()
    async with store.write() as conn:
        if not store.is_sqlite:
            # Two processes starting together must not pick the same free node.
            await conn.execute(text("LOCK TABLE id_nodes IN EXCLUSIVE MODE"))
        rows = await conn.fetch_all(select(id_nodes.c.node).where(id_nodes.c.expires_at > now))
        taken = {row[0] for row in rows}
        node = next((n for n in range(MAX_NODE + 1) if n not in taken), None)
        if node is None:
            raise StorageError(f"all {MAX_NODE + 1} id nodes are in use; too many processes")
        await conn.execute(delete(id_nodes).where(id_nodes.c.node == node))
        await conn.execute(
            insert(id_nodes).values(node=node, holder=holder, expires_at=now + LEASE_MS)
        )
    store.use_ids(SnowflakeGenerator(node))
    return node


async def renew_node(store: Store, node: int, holder: str) -> int:
    """Extend the lease; if it was lost, claim a new node. Returns the node in use."""
    async with store.write() as conn:
        # RETURNING, because databases' SQLite execute() reports a stale lastrowid, not a count.
        renewed = await conn.fetch_all(
            update(id_nodes)
            .where(id_nodes.c.node == node, id_nodes.c.holder == holder)
            .values(expires_at=now_ms() + LEASE_MS)
            .returning(id_nodes.c.node)
        )
    if renewed:
        return node
    log.warning("id node lease lost; claiming another", extra={"node": node})
    return await claim_node(store, holder)


async def release_node(store: Store, node: int, holder: str) -> None:
    async with store.write() as conn:
        await conn.execute(
            delete(id_nodes).where(id_nodes.c.node == node, id_nodes.c.holder == holder)
        )


async def keep_node(store: Store, node: int, holder: str) -> None:
    """Renew the lease until cancelled."""
    while True:
        await asyncio.sleep(RENEW_SECONDS)
        node = await renew_node(store, node, holder)
