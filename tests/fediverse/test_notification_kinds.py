"""Kinds of notification a member turned off are never written, whichever path writes them."""

from __future__ import annotations

import pytest

from fediverse import notifications
from fediverse.accounts import NewUser, create_user
from fediverse.errors import ValidationError
from fediverse.storage.database import Store

BASE = "http://kommun.test"


async def member(store: Store, name: str) -> int:
    made = await create_user(store, BASE, NewUser(name, f"{name}@kommun.example", None))
    return made.account_id


async def test_turned_off_kinds__are_skipped_by_notify_and_by_the_inbox_check(
    store: Store,
) -> None:
    anna, bo = await member(store, "anna"), await member(store, "bo")
    await notifications.set_types_off(store, anna, {"mention", "favourite"})
    assert await notifications.types_off(store, anna) == {"mention", "favourite"}
    async with store.write() as conn:
        assert await notifications.unsilenced(conn, [anna], bo, "mention") == []
        assert await notifications.unsilenced(conn, [anna], bo, "reblog") == [anna]
        skipped = await notifications.notify(
            store, conn, account_id=anna, from_account_id=bo, type="favourite"
        )
        written = await notifications.notify(
            store, conn, account_id=anna, from_account_id=bo, type="follow"
        )
    assert skipped is None and written is not None
    await notifications.set_types_off(store, anna, set())  # everything on again
    assert await notifications.types_off(store, anna) == set()


async def test_unknown_kinds__are_refused_and_change_nothing(store: Store) -> None:
    anna = await member(store, "anna")
    await notifications.set_types_off(store, anna, {"poll"})
    with pytest.raises(ValidationError):
        await notifications.set_types_off(store, anna, {"mention", "admin.report", "nonsense"})
    assert await notifications.types_off(store, anna) == {"poll"}
