"""The person signed in to the web app: who they are, their language and posting defaults."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import func, select, update

from fediverse.errors import ValidationError
from fediverse.ids import now_ms
from fediverse.storage.database import Store
from fediverse.storage.tables import accounts, departments, notifications, users

LANGUAGES = ("sv", "en")
_LOCALE = re.compile(r"^[a-z]{2}$")


@dataclass(frozen=True, slots=True)
class WebUser:
    """One signed-in user, as every page needs them (one query per request)."""

    user_id: int
    account_id: int
    username: str
    display_name: str
    role: str
    locale: str
    preferences: dict[str, Any] = field(default_factory=dict)
    unread_notifications: int = 0  # counted up to UNREAD_CAP

    @property
    def signed_out_at(self) -> int:
        """When the user last signed out: sessions begun before then are over."""
        value = self.preferences.get("signed_out_at", 0)
        return value if isinstance(value, int) else 0

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def default_local_only(self) -> bool:
        return bool(self.preferences.get("default_local_only", True))

    @property
    def default_privacy(self) -> str:
        return str(self.preferences.get("default_privacy", "public"))


UNREAD_CAP = 99
_unread = (
    select(notifications.c.id)
    .where(notifications.c.account_id == users.c.account_id, notifications.c.read.is_(False))
    .limit(UNREAD_CAP)
    .correlate(users)
    .subquery()
)
_WEB_USER = (
    select(
        users.c.id,
        users.c.account_id,
        users.c.role,
        users.c.locale,
        users.c.settings,
        accounts.c.username,
        accounts.c.display_name,
        # The menu's count of unread notifications, in the same trip to the database.
        select(func.count()).select_from(_unread).scalar_subquery().label("unread"),
    )
    .join(accounts, accounts.c.id == users.c.account_id)
    .where(users.c.disabled.is_(False), accounts.c.suspended_at.is_(None))
)


async def web_user(store: Store, user_id: int) -> WebUser | None:
    """The user of a session, or None when they are gone, disabled or suspended."""
    async with store.read() as conn:
        row = await conn.fetch_one(_WEB_USER.where(users.c.id == user_id))
    if row is None:
        return None
    prefs = orjson.loads(row["settings"] or "{}")
    return WebUser(
        user_id=row["id"],
        account_id=row["account_id"],
        username=row["username"],
        display_name=row["display_name"] or row["username"],
        role=row["role"] or "user",
        locale=row["locale"] if row["locale"] in LANGUAGES else "sv",
        preferences=prefs if isinstance(prefs, dict) else {},
        unread_notifications=int(row["unread"] or 0),
    )


async def set_locale(store: Store, user_id: int, locale: str) -> None:
    """The language of the web app for this user."""
    if not _LOCALE.match(locale) or locale not in LANGUAGES:
        raise ValidationError(f"locale must be one of {', '.join(LANGUAGES)}")
    async with store.write() as conn:
        await conn.execute(update(users).where(users.c.id == user_id).values(locale=locale))


@dataclass(frozen=True, slots=True)
class StaffCard:
    """What a profile page shows beside the account: the work title and department."""

    title: str
    department: str


async def staff_card(store: Store, account_id: int) -> StaffCard:
    query = (
        select(accounts.c.title, departments.c.name)
        .select_from(accounts.outerjoin(departments, departments.c.id == accounts.c.department_id))
        .where(accounts.c.id == account_id)
    )
    async with store.read() as conn:
        row = await conn.fetch_one(query)
    if row is None:
        return StaffCard("", "")
    return StaffCard(row[0] or "", row[1] or "")


async def record_sign_out(store: Store, user_id: int) -> None:
    """End every web session of the user begun until now (cookies are signed, not stored)."""
    async with store.write() as conn:
        raw = await conn.fetch_val(select(users.c.settings).where(users.c.id == user_id))
        prefs = orjson.loads(raw or "{}")
        prefs = prefs if isinstance(prefs, dict) else {}
        prefs["signed_out_at"] = now_ms()
        await conn.execute(
            update(users).where(users.c.id == user_id).values(settings=orjson.dumps(prefs).decode())
        )
