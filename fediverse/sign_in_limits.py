"""Sign-in attempts, limited per network address as Mastodon limits them.

Every wrong password (web app, OAuth consent page, password grant) is written down with the
address it came from. An address with 25 failures in the last five minutes is refused,
before its password is even checked, until the oldest of them is five minutes old. The
failures are rows in the database, so every process of an instance counts the same ones.
Nothing is kept per account: locking an account would let anyone lock a colleague out.
"""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select

from fediverse.errors import KollegiumError
from fediverse.ids import now_ms
from fediverse.storage.database import Store
from fediverse.storage.tables import sign_in_failures

WINDOW_MS = 5 * 60 * 1000
LIMIT = 25  # Mastodon's Rack::Attack: 25 sign-in attempts an address in 5 minutes


class TooManyAttemptsError(KollegiumError):
    """Too many failed sign-ins from one address; ``retry_after`` is in seconds."""

    status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__("Too many requests")
        self.retry_after = retry_after


async def check(store: Store, address: str) -> None:
    """Refuse an address that failed ``LIMIT`` times within the window."""
    now = now_ms()
    async with store.read() as conn:
        row = await conn.fetch_one(
            select(func.count(), func.min(sign_in_failures.c.created_at)).where(
                sign_in_failures.c.address == address,
                sign_in_failures.c.created_at > now - WINDOW_MS,
            )
        )
    count, oldest = (row[0], row[1]) if row is not None else (0, None)
    if count >= LIMIT and oldest is not None:
        raise TooManyAttemptsError(max(1, (oldest + WINDOW_MS - now) // 1000 + 1))


async def failed(store: Store, address: str) -> None:
    """Write down a failure; failures older than the window go."""
    now = now_ms()
    async with store.write() as conn:
        await conn.execute(
            insert(sign_in_failures).values(id=store.new_id(), address=address, created_at=now)
        )
        await conn.execute(
            delete(sign_in_failures).where(sign_in_failures.c.created_at <= now - WINDOW_MS)
        )
