"""The staff directory's profile fields: title, department, phone, workplace, languages and
"ask me about" topics, as a member of staff (or a CSV import) sets them."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import Any

import orjson
from databases.core import Connection
from sqlalchemy import select, update

from fediverse import audit
from fediverse.accounts import MIN_PASSWORD, hash_password
from fediverse.errors import NotFoundError, ValidationError
from fediverse.ids import now_ms
from fediverse.outgoing import federate
from fediverse.storage.database import Store
from fediverse.storage.tables import accounts, departments, users

NO_DEPARTMENT = 0  # department_id that clears the department
MAX_TITLE = 200
MAX_PHONE = 50
MAX_WORKPLACE = 200
MAX_LANGUAGES = 10
MAX_LANGUAGE = 50
MAX_TOPICS = 10
MAX_TOPIC = 100
PHONE = re.compile(r"^[0-9+()\- ]*$")
COLUMNS = ("title", "department_id", "phone", "workplace", "languages", "ask_me_about")


@dataclass(frozen=True, slots=True)
class StaffChange:
    """Only what was sent; None means "leave as it is", ``NO_DEPARTMENT`` clears it."""

    title: str | None = None
    department_id: int | None = None
    phone: str | None = None
    workplace: str | None = None
    languages: list[str] | None = None
    ask_me_about: list[str] | None = None

    def is_empty(self) -> bool:
        return all(getattr(self, name) is None for name in COLUMNS)


def _text(name: str, value: str | None, limit: int) -> None:
    if value is not None and len(value) > limit:
        raise ValidationError(f"Validation failed: {name} is too long (maximum is {limit})")


def _items(name: str, values: list[str] | None, count: int, limit: int) -> None:
    if values is None:
        return
    if len(values) > count:
        raise ValidationError(f"Validation failed: {name} can have at most {count} entries")
    for value in values:
        _text(name, value, limit)


def check_staff_change(change: StaffChange) -> StaffChange:
    """Validate and normalize (whitespace trimmed, empty entries and duplicates dropped)."""
    _text("title", change.title, MAX_TITLE)
    _text("phone", change.phone, MAX_PHONE)
    _text("workplace", change.workplace, MAX_WORKPLACE)
    if change.phone is not None and not PHONE.match(change.phone):
        raise ValidationError("Validation failed: phone may hold digits, spaces and + ( ) - only")
    languages, topics = _clean(change.languages), _clean(change.ask_me_about)
    _items("languages", languages, MAX_LANGUAGES, MAX_LANGUAGE)
    _items("ask_me_about", topics, MAX_TOPICS, MAX_TOPIC)
    return StaffChange(
        title=change.title.strip() if change.title is not None else None,
        department_id=change.department_id,
        phone=change.phone.strip() if change.phone is not None else None,
        workplace=change.workplace.strip() if change.workplace is not None else None,
        languages=languages,
        ask_me_about=topics,
    )


def _clean(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    return list(dict.fromkeys(v.strip() for v in values if v.strip()))


def staff_values(change: StaffChange) -> dict[str, Any]:
    """The account columns a checked change sets."""
    values: dict[str, Any] = {}
    for name in ("title", "phone", "workplace"):
        if getattr(change, name) is not None:
            values[name] = getattr(change, name)
    for name in ("languages", "ask_me_about"):
        if getattr(change, name) is not None:
            values[name] = orjson.dumps(getattr(change, name)).decode()
    if change.department_id is not None:
        values["department_id"] = change.department_id or None
    return values


async def check_department(conn: Connection, department_id: int | None) -> None:
    if department_id is None or department_id == NO_DEPARTMENT:
        return
    found = await conn.fetch_val(select(departments.c.id).where(departments.c.id == department_id))
    if found is None:
        raise ValidationError("Validation failed: department_id is not a department")


async def check_department_exists(store: Store, department_id: int | None) -> None:
    async with store.read() as conn:
        await check_department(conn, department_id)


async def update_staff_profile(store: Store, account_id: int, change: StaffChange) -> None:
    """Apply the fields in one transaction, and tell other servers the actor changed."""
    change = check_staff_change(change)
    if change.is_empty():
        return
    async with store.write() as conn:
        await check_department(conn, change.department_id)
        await conn.execute(
            update(accounts)
            .where(accounts.c.id == account_id)
            .values(updated_at=now_ms(), **staff_values(change))
        )
        await federate(store, conn, "actor.update", account_id=account_id)


def json_list(raw: str | None) -> list[str]:
    """A JSON list column as a list of strings (empty when unreadable)."""
    try:
        found = orjson.loads(raw or "[]")
    except orjson.JSONDecodeError:
        return []
    return [str(v) for v in found] if isinstance(found, list) else []


async def set_password(store: Store, username: str, password: str, *, actor: str = "cli") -> None:
    """Give a local user a password (an imported account has none: single sign-on only)."""
    if len(password) < MIN_PASSWORD:
        raise ValidationError(f"password must be at least {MIN_PASSWORD} characters")
    hashed = await asyncio.to_thread(hash_password, password)  # slow: off the loop, first
    async with store.write() as conn:
        user_id = await conn.fetch_val(
            select(users.c.id)
            .join(accounts, accounts.c.id == users.c.account_id)
            .where(accounts.c.username == username.strip().lower(), accounts.c.domain.is_(None))
        )
        if user_id is None:
            raise NotFoundError(f"no local user {username!r}")
        await conn.execute(update(users).where(users.c.id == user_id).values(password_hash=hashed))
        await audit.record(
            store, conn, actor=actor, action="user.password", target_type="account", target=username
        )
