"""Local accounts and the users who sign in to them."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from databases.core import Connection
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, insert, select

from activitypub.keys import (
    generate_ed25519_private_key,
    generate_rsa_private_key,
    private_key_to_pem,
    public_key_to_pem,
)
from fediverse import audit
from fediverse.errors import ConflictError, ValidationError
from fediverse.ids import now_ms
from fediverse.storage.database import Store
from fediverse.storage.tables import accounts, users
from fediverse.urls import actor_urls, instance_actor_urls

ROLES = ("admin", "moderator", "user")
USERNAME = re.compile(r"^[a-z0-9_]{1,30}$")
MIN_PASSWORD = 8
_hasher = PasswordHasher()


@dataclass(frozen=True, slots=True)
class NewUser:
    """What it takes to create a member of staff."""

    username: str
    email: str
    password: str | None
    role: str = "user"
    display_name: str = ""
    locale: str = "sv"


@dataclass(frozen=True, slots=True)
class CreatedUser:
    user_id: int
    account_id: int
    username: str
    email: str
    role: str


def check_new_user(new: NewUser) -> NewUser:
    """Normalize and validate; raise ValidationError naming the first bad field."""
    username = new.username.strip().lower()
    if not USERNAME.match(username):
        raise ValidationError(
            "username must be 1-30 characters: lower-case letters a-z, digits and underscores"
        )
    try:
        email = validate_email(new.email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ValidationError(f"invalid e-mail address {new.email!r}: {exc}") from exc
    if new.password is not None and len(new.password) < MIN_PASSWORD:
        raise ValidationError(f"password must be at least {MIN_PASSWORD} characters")
    if new.role not in ROLES:
        raise ValidationError(f"role must be one of {', '.join(ROLES)}")
    if len(new.display_name) > 200:
        raise ValidationError("display name must be at most 200 characters")
    return NewUser(username, email, new.password, new.role, new.display_name.strip(), new.locale)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def new_key_columns() -> dict[str, str]:
    """A fresh RSA key (for HTTP signatures) and Ed25519 key (for integrity proofs)."""
    rsa_key = generate_rsa_private_key()
    return {
        "private_key_pem": private_key_to_pem(rsa_key),
        "public_key_pem": public_key_to_pem(rsa_key.public_key()),
        "ed25519_private_key_pem": private_key_to_pem(generate_ed25519_private_key()),
    }


async def create_user(
    store: Store, base_url: str, new: NewUser, *, actor: str = "cli"
) -> CreatedUser:
    """Create a local account with its user, in one transaction, recorded in the audit log."""
    new = check_new_user(new)
    # Outside the transaction and off the event loop: the keys and the password's hash
    # (argon2: some 0.1 s of CPU) are slow, and would hold the one writer of SQLite and
    # every other request of the process.
    keys = await asyncio.to_thread(new_key_columns)
    hashed = await asyncio.to_thread(hash_password, new.password) if new.password else None
    async with store.write() as conn:
        await _refuse_taken(conn, new)
        account_id = await _insert_account(store, conn, base_url, new, keys)
        user_id = store.new_id()
        await conn.execute(insert(users).values(**_user_row(user_id, account_id, new, hashed)))
        await audit.record(
            store,
            conn,
            actor=actor,
            action="user.create",
            target_type="account",
            target=new.username,
            account_id=None,
            data={"role": new.role, "email": new.email},
        )
    return CreatedUser(user_id, account_id, new.username, new.email, new.role)


async def _refuse_taken(conn: Connection, new: NewUser) -> None:
    taken = await conn.fetch_val(
        select(func.count())
        .select_from(accounts)
        .where(func.lower(accounts.c.username) == new.username, accounts.c.domain.is_(None))
    )
    if taken:
        raise ConflictError(f"username {new.username!r} is taken")
    if await conn.fetch_val(
        select(func.count()).select_from(users).where(users.c.email == new.email)
    ):
        raise ConflictError(f"e-mail address {new.email!r} is in use")


async def _insert_account(
    store: Store, conn: Connection, base_url: str, new: NewUser, keys: dict[str, str]
) -> int:
    account_id = store.new_id()
    now = now_ms()
    await conn.execute(
        insert(accounts).values(
            id=account_id,
            username=new.username,
            domain=None,
            display_name=new.display_name,
            created_at=now,
            updated_at=now,
            **actor_urls(base_url, new.username),
            **keys,
        )
    )
    return account_id


def _user_row(
    user_id: int, account_id: int, new: NewUser, password_hash: str | None
) -> dict[str, Any]:
    return {
        "id": user_id,
        "account_id": account_id,
        "email": new.email,
        "password_hash": password_hash,
        "role": new.role,
        "locale": new.locale,
        "created_at": now_ms(),
        "confirmed_at": now_ms(),
    }


async def ensure_instance_actor(store: Store, domain: str, base_url: str) -> int:
    """The instance's Application actor, created with its keys on first call."""
    async with store.read() as conn:
        existing = await conn.fetch_val(
            select(accounts.c.id).where(accounts.c.username == domain, accounts.c.domain.is_(None))
        )
    if existing is not None:
        return int(existing)
    keys = new_key_columns()
    account_id, now = store.new_id(), now_ms()
    async with store.write() as conn:
        await conn.execute(
            insert(accounts).values(
                id=account_id,
                username=domain,
                domain=None,
                actor_type="Application",
                display_name=domain,
                locked=True,
                discoverable=False,
                created_at=now,
                updated_at=now,
                **instance_actor_urls(base_url),
                **keys,
            )
        )
    return account_id


async def find_user_by_login(store: Store, login: str) -> dict[str, Any] | None:
    """A user by e-mail address or local username, as the password grant accepts both."""
    login = login.strip().lower()
    query = (
        select(users, accounts.c.username)
        .join(accounts, accounts.c.id == users.c.account_id)
        .where((users.c.email == login) | (func.lower(accounts.c.username) == login))
        .where(accounts.c.domain.is_(None))
    )
    async with store.read() as conn:
        row = await conn.fetch_one(query)
    return dict(row._mapping) if row is not None else None
