"""Local accounts: validation, uniqueness in the database itself, keys, the instance actor."""

from __future__ import annotations

import asyncio
import time

import pytest
from argon2 import PasswordHasher
from sqlalchemy import insert, select

from activitypub.keys import load_private_key_pem
from fediverse.accounts import (
    NewUser,
    create_user,
    ensure_instance_actor,
    find_user_by_login,
)
from fediverse.errors import ConflictError, ValidationError
from fediverse.storage.database import Store
from fediverse.storage.tables import accounts, audit_log, users

BASE = "https://kommun-a.test"


def new_user(**overrides: str) -> NewUser:
    values = {"username": "anna", "email": "anna@kommun-a.se", "password": "hemligt123"}
    return NewUser(**(values | overrides))  # type: ignore[arg-type]


async def test_a_new_user_gets_an_account_with_urls_keys_and_an_audit_entry(store: Store) -> None:
    created = await create_user(store, BASE, new_user(display_name="Anna Ärlig"))
    async with store.read() as conn:
        account = await conn.fetch_one(select(accounts).where(accounts.c.id == created.account_id))
        user = await conn.fetch_one(select(users).where(users.c.id == created.user_id))
        audit = await conn.fetch_all(select(audit_log))
    assert account is not None and user is not None
    assert account["uri"] == "https://kommun-a.test/users/anna"
    assert account["inbox_url"] == "https://kommun-a.test/users/anna/inbox"
    assert account["display_name"] == "Anna Ärlig"
    assert load_private_key_pem(account["private_key_pem"]).key_size == 2048  # type: ignore[union-attr]
    assert user["password_hash"].startswith("$argon2id$")
    assert [(a["action"], a["target"]) for a in audit] == [("user.create", "anna")]


async def test_the_database_itself_refuses_a_username_differing_only_in_case(store: Store) -> None:
    await create_user(store, BASE, new_user())
    with pytest.raises(Exception, match=r"(?i)unique"):
        async with store.write() as conn:
            await conn.execute(
                insert(accounts).values(
                    id=store.new_id(),
                    username="ANNA",
                    domain=None,
                    uri="https://x/2",
                    created_at=1,
                    updated_at=1,
                )
            )


async def test_the_same_username_on_another_domain_is_another_account(store: Store) -> None:
    await create_user(store, BASE, new_user())
    async with store.write() as conn:
        await conn.execute(
            insert(accounts).values(
                id=store.new_id(),
                username="anna",
                domain="kommun-b.test",
                uri="https://kommun-b.test/users/anna",
                created_at=1,
                updated_at=1,
            )
        )


@pytest.mark.parametrize(
    ("overrides", "error", "message"),
    [
        ({"email": "ANNA@kommun-a.se", "username": "anna2"}, ConflictError, "in use"),
        ({"email": "other@kommun-a.se"}, ConflictError, "is taken"),
        ({"username": "a" * 31}, ValidationError, "1-30 characters"),
        ({"email": "anna@"}, ValidationError, "invalid e-mail"),
        ({"password": "kort"}, ValidationError, "at least 8"),
        ({"role": "owner"}, ValidationError, "role must be one of"),
    ],
)
async def test_bad_new_users_are_refused_and_nothing_is_written(
    store: Store, overrides: dict[str, str], error: type[Exception], message: str
) -> None:
    await create_user(store, BASE, new_user())
    with pytest.raises(error, match=message):
        await create_user(store, BASE, new_user(**overrides))
    async with store.read() as conn:
        assert len(await conn.fetch_all(select(users))) == 1
        assert len(await conn.fetch_all(select(audit_log))) == 1


async def test_users_are_found_by_email_or_username_in_any_case(store: Store) -> None:
    created = await create_user(store, BASE, new_user())
    by_email = await find_user_by_login(store, "Anna@Kommun-A.se")
    by_name = await find_user_by_login(store, "ANNA")
    assert by_email is not None and by_name is not None
    assert by_email["id"] == by_name["id"] == created.user_id
    assert await find_user_by_login(store, "nobody") is None


async def test_the_instance_actor_is_made_once(store: Store) -> None:
    first = await ensure_instance_actor(store, "kommun-a.test", BASE)
    second = await ensure_instance_actor(store, "kommun-a.test", BASE)
    async with store.read() as conn:
        row = await conn.fetch_one(select(accounts).where(accounts.c.id == first))
    assert first == second
    assert row is not None
    assert (row["actor_type"], row["uri"]) == ("Application", "https://kommun-a.test/actor")


async def test_a_new_users_password_is_hashed_off_the_event_loop(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hashing (argon2, some 0.1 s of CPU at its real cost) holds neither the event loop nor
    the write transaction: here a hash that takes 0.3 s lets the loop go on ticking."""

    class SlowHasher(PasswordHasher):
        def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
            time.sleep(0.3)
            return super().hash(password, salt=salt)

    monkeypatch.setattr("fediverse.accounts._hasher", SlowHasher(1, 8, 1))
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        for _ in range(100):
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(tick())
    created = await create_user(store, BASE, new_user())
    ticker.cancel()
    assert ticks >= 10
    assert await find_user_by_login(store, created.email) is not None
