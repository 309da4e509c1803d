"""What every activity handler gets: the process's Federation and the verified sender."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from databases.core import Connection

from activitypub.vocab import Activity
from federation.receipts import Receipt
from federation.service import Federation
from fediverse.remote import AccountRef, account_by_uri
from fediverse.storage.database import Store

FEDERATE = "federate"


@dataclass(frozen=True, slots=True)
class Context:
    fed: Federation
    actor: AccountRef  # the remote actor who sent (and signed) the activity
    receipt: Receipt = field(default_factory=Receipt)

    @property
    def store(self) -> Store:
        return self.fed.runtime.store

    async def federate(self, conn: Connection, payload: dict[str, Any]) -> None:
        """Send something back (an Accept, say) by the same durable path as everything else."""
        await self.fed.runtime.queue.enqueue(conn, FEDERATE, payload)


Handler = Callable[[Context, Activity], Awaitable[None]]


async def local_target(conn: Connection, uri: str | None) -> AccountRef | None:
    """The local account an activity is about, or None when it is not ours."""
    if uri is None:
        return None
    account = await account_by_uri(conn, uri)
    return account if account is not None and account.is_local else None
