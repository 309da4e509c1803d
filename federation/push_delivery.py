"""The ``push.notification`` job: a new notification sent by Web Push to each subscription of
its user that wants that kind of notification from that sender (alerts and policy).

Push is best effort, as in Mastodon: a push service that refuses is logged, one that says
the subscription is gone (404, 410) has it forgotten, and the job is not retried, so that
one bad endpoint never sends the others the same notification twice.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable
from functools import partial
from typing import Any

import httpx
import orjson
from sqlalchemy import select

from federation.errors import FederationError
from federation.webpush import PushTarget, send
from fediverse.hydrate import Row, load_accounts
from fediverse.jobs import JobRegistry
from fediverse.push import (
    PUSH_NOTIFICATION,
    remove_gone,
    subscriptions_of,
    unseal_token,
    vapid_key,
)
from fediverse.runtime import Runtime
from fediverse.storage.tables import follows, notifications, statuses, users

log = logging.getLogger(__name__)
BODY_CHARACTERS = 140
_BREAK = re.compile(r"<br\s*/?>|</p>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
# The title of a push: (the recipient's locale, the notification type, the sender's name).
Titler = Callable[[str, str, str], str]


def name_only(locale: str, kind: str, name: str) -> str:
    """The title when no web layer gives a translated one: the sender's name."""
    return name


async def _policy_allows(runtime: Runtime, policy: str, recipient: int, sender: int) -> bool:
    if policy == "all":
        return True
    if policy == "none":
        return False
    who, whom = (recipient, sender) if policy == "followed" else (sender, recipient)
    async with runtime.store.read() as conn:
        found = await conn.fetch_val(
            select(follows.c.id).where(
                follows.c.account_id == who, follows.c.target_account_id == whom
            )
        )
    return found is not None


async def _message(runtime: Runtime, row: Row, titler: Titler) -> dict[str, Any]:
    """What the push carries, as Mastodon's payload (each subscription adds its own access
    token); the app fetches the notification by its id."""
    base = runtime.settings.base_url
    async with runtime.store.read() as conn:
        sender = (await load_accounts(conn, [row["from_account_id"]]))[row["from_account_id"]]
        locale = await conn.fetch_val(
            select(users.c.locale).where(users.c.account_id == row["account_id"])
        )
        content = ""
        if row["status_id"] is not None:
            content = (
                await conn.fetch_val(
                    select(statuses.c.content).where(statuses.c.id == row["status_id"])
                )
                or ""
            )
    name = sender["display_name"] or sender["username"]
    text = html.unescape(_TAG.sub("", _BREAK.sub(" ", content))).strip()
    avatar = sender["avatar_path"]
    return {
        "notification_id": str(row["id"]),
        "notification_type": row["type"],
        "preferred_locale": locale or "sv",
        "icon": f"{base}/media/{avatar}" if avatar else f"{base}/static/avatar.png",
        "title": titler(locale or "sv", row["type"], name),
        "body": " ".join(text.split())[:BODY_CHARACTERS],
    }


async def deliver_push(
    runtime: Runtime,
    http: httpx.AsyncClient,
    payload: dict[str, Any],
    titler: Titler = name_only,
) -> None:
    async with runtime.store.read() as conn:
        found = await conn.fetch_one(
            select(notifications).where(notifications.c.id == int(payload["notification_id"]))
        )
    if found is None:
        return  # dismissed before it could be sent
    row = found._mapping
    wanted = [
        s
        for s in await subscriptions_of(runtime.store, row["account_id"])
        if orjson.loads(s["alerts"]).get(row["type"])
        and await _policy_allows(runtime, s["policy"], row["account_id"], row["from_account_id"])
    ]
    if not wanted:
        return
    message = await _message(runtime, row, titler)
    key = await vapid_key(runtime.store)
    contact = f"mailto:admin@{runtime.settings.domain.split(':', 1)[0]}"
    for sub in wanted:
        target = PushTarget(sub["endpoint"], sub["key_p256dh"], sub["key_auth"])
        token = unseal_token(runtime.settings.secret_key, sub["access_token_sealed"])
        try:
            status = await send(http, target, {"access_token": token, **message}, key, contact)
        except (FederationError, httpx.HTTPError) as exc:
            log.warning("a push could not be sent", extra={"error": str(exc), "id": sub["id"]})
            continue
        if status in (404, 410):
            await remove_gone(runtime.store, sub["id"])
        elif status >= 400:
            log.warning("a push service refused a push", extra={"status": status, "id": sub["id"]})


def register(
    registry: JobRegistry, runtime: Runtime, http: httpx.AsyncClient, titler: Titler = name_only
) -> None:
    registry.register(PUSH_NOTIFICATION, partial(deliver_push, runtime, http, titler=titler))
