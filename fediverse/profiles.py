"""Staff profiles: what a user may change about their own account, and their posting defaults."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import func, select, update

from fediverse.errors import ValidationError
from fediverse.formatting import format_note
from fediverse.ids import now_ms
from fediverse.media import upload
from fediverse.outgoing import federate
from fediverse.runtime import Runtime
from fediverse.storage.tables import accounts, follow_requests, users
from fediverse.visibility import VISIBILITIES

MAX_FIELDS = 4
AVATAR_SIZE = (400, 400)
HEADER_SIZE = (1500, 500)


@dataclass(frozen=True, slots=True)
class ProfileChange:
    """Only the fields a client sent; None means "leave as it is"."""

    display_name: str | None = None
    note: str | None = None
    avatar: bytes | None = None
    header: bytes | None = None
    locked: bool | None = None
    bot: bool | None = None
    discoverable: bool | None = None
    fields: list[tuple[str, str]] | None = None
    privacy: str | None = None
    sensitive: bool | None = None
    language: str | None = None
    local_only: bool | None = None


def check_change(change: ProfileChange) -> None:
    if change.display_name is not None and len(change.display_name) > 30:
        raise ValidationError(
            "Validation failed: Display name is too long (maximum is 30 characters)"
        )
    if change.note is not None and len(change.note) > 500:
        raise ValidationError("Validation failed: Note is too long (maximum is 500 characters)")
    if change.fields is not None and len(change.fields) > MAX_FIELDS:
        raise ValidationError(f"Validation failed: Fields can be at most {MAX_FIELDS}")
    for name, value in change.fields or ():
        if len(name) > 255 or len(value) > 255:
            raise ValidationError(
                "Validation failed: Field names and values are at most 255 characters"
            )
    if change.privacy is not None and change.privacy not in VISIBILITIES:
        raise ValidationError(f"source[privacy] must be one of {', '.join(VISIBILITIES)}")
    if change.language is not None and len(change.language) > 10:
        raise ValidationError("source[language] is not a language code")


def _preferences(change: ProfileChange) -> dict[str, Any]:
    chosen = {
        "default_privacy": change.privacy,
        "default_sensitive": change.sensitive,
        "default_language": change.language,
        "default_local_only": change.local_only,
    }
    return {k: v for k, v in chosen.items() if v is not None}


async def _account_values(
    runtime: Runtime, conn: Any, account_id: int, change: ProfileChange
) -> dict[str, Any]:
    settings = runtime.settings
    values: dict[str, Any] = {}
    for name in ("display_name", "locked", "bot", "discoverable"):
        if getattr(change, name) is not None:
            values[name] = getattr(change, name)
    if change.note is not None:
        values["note_source"] = change.note
        values["note"] = await format_note(
            conn, change.note, base_url=settings.base_url, local_domain=settings.domain
        )
    if change.fields is not None:
        rendered = []
        for name, value in change.fields:
            if name or value:
                html = await format_note(
                    conn, value, base_url=settings.base_url, local_domain=settings.domain
                )
                rendered.append(
                    {
                        "name": name,
                        "value": value,
                        "value_html": html.removeprefix("<p>").removesuffix("</p>"),
                    }
                )
        values["fields"] = orjson.dumps(rendered).decode()
    return values


async def update_profile(runtime: Runtime, account_id: int, change: ProfileChange) -> None:
    """Apply a profile change in one transaction; images are processed before it begins."""
    check_change(change)
    store, media_dir = runtime.store, Path(runtime.settings.media_dir)
    images: dict[str, Any] = {}
    if change.avatar is not None:
        images["avatar_media_id"] = await upload(
            store, media_dir, account_id, change.avatar, max_size=AVATAR_SIZE
        )
    if change.header is not None:
        images["header_media_id"] = await upload(
            store, media_dir, account_id, change.header, max_size=HEADER_SIZE
        )
    async with store.write() as conn:
        values = await _account_values(runtime, conn, account_id, change) | images
        await conn.execute(
            update(accounts)
            .where(accounts.c.id == account_id)
            .values(updated_at=now_ms(), **values)
        )
        prefs = _preferences(change)
        if prefs:
            raw = await conn.fetch_val(
                select(users.c.settings).where(users.c.account_id == account_id)
            )
            merged = orjson.loads(raw or "{}") | prefs
            await conn.execute(
                update(users)
                .where(users.c.account_id == account_id)
                .values(settings=orjson.dumps(merged).decode())
            )
        await federate(store, conn, "actor.update", account_id=account_id)


async def own_profile(runtime: Runtime, account_id: int) -> tuple[dict[str, Any], int]:
    """The user's posting defaults and how many follow requests wait for them."""
    async with runtime.store.read() as conn:
        raw = await conn.fetch_val(select(users.c.settings).where(users.c.account_id == account_id))
        waiting = await conn.fetch_val(
            select(func.count())
            .select_from(follow_requests)
            .where(follow_requests.c.target_account_id == account_id)
        )
    prefs = orjson.loads(raw or "{}")
    return (prefs if isinstance(prefs, dict) else {}), int(waiting or 0)
