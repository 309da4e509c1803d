"""Web Push subscriptions (one per access token, as in Mastodon), the instance's VAPID key,
and the durable job that a new notification enqueues for a subscribed user; federation/
sends it (federation/push_delivery.py)."""

from __future__ import annotations

from base64 import urlsafe_b64decode, urlsafe_b64encode
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import orjson
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from databases.core import Connection
from sqlalchemy import delete, insert, select, update

from fediverse.errors import NotFoundError, ValidationError
from fediverse.hydrate import Row
from fediverse.ids import now_ms
from fediverse.jobs import JobQueue
from fediverse.storage.database import Store
from fediverse.storage.tables import instance_settings, push_subscriptions

PUSH_NOTIFICATION = "push.notification"
VAPID_SETTING = "vapid_private_key"
ALERTS = (
    "mention",
    "status",
    "reblog",
    "follow",
    "follow_request",
    "favourite",
    "poll",
    "update",
    "admin.sign_up",
    "admin.report",
)
POLICIES = ("all", "followed", "follower", "none")


@dataclass(frozen=True, slots=True)
class NewSubscription:
    endpoint: str
    p256dh: str
    auth: str
    alerts: dict[str, bool]
    policy: str = "all"


def _check_key(value: str, size: int, name: str) -> None:
    try:
        raw = urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except ValueError:
        raise ValidationError(f"Validation failed: {name} is not base64url") from None
    if len(raw) != size:
        raise ValidationError(f"Validation failed: {name} has the wrong length")


def check_subscription(new: NewSubscription) -> None:
    parts = urlsplit(new.endpoint)
    if parts.scheme not in ("https", "http") or not parts.netloc or len(new.endpoint) > 2000:
        raise ValidationError("Validation failed: Endpoint is not a URL")
    _check_key(new.p256dh, 65, "keys[p256dh]")
    _check_key(new.auth, 16, "keys[auth]")
    check_data(new.alerts, new.policy)


def check_data(alerts: dict[str, bool], policy: str | None) -> None:
    unknown = [a for a in alerts if a not in ALERTS]
    if unknown:
        raise ValidationError(f"Validation failed: unknown alerts: {', '.join(unknown)}")
    if policy is not None and policy not in POLICIES:
        raise ValidationError(f"Validation failed: policy must be one of {', '.join(POLICIES)}")


def _token_cipher(secret_key: str) -> Fernet:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"kollegium push access token"
    ).derive(secret_key.encode())
    return Fernet(urlsafe_b64encode(derived))


def seal_token(secret_key: str, access_token: str) -> str:
    """The access token encrypted for the subscription row (Mastodon's payload carries it)."""
    return _token_cipher(secret_key).encrypt(access_token.encode()).decode()


def unseal_token(secret_key: str, sealed: str | None) -> str | None:
    """The access token of a subscription; None when there is none or SECRET_KEY changed."""
    if not sealed:
        return None
    try:
        return _token_cipher(secret_key).decrypt(sealed.encode()).decode()
    except InvalidToken:
        return None


async def subscribe(
    store: Store,
    account_id: int,
    token_id: int,
    new: NewSubscription,
    *,
    sealed_token: str | None = None,
) -> Row:
    """Subscribe the token (replacing its earlier subscription, as Mastodon does)."""
    check_subscription(new)
    async with store.write() as conn:
        await conn.execute(
            delete(push_subscriptions).where(push_subscriptions.c.token_id == token_id)
        )
        await conn.execute(
            insert(push_subscriptions).values(
                id=store.new_id(),
                account_id=account_id,
                token_id=token_id,
                endpoint=new.endpoint,
                key_p256dh=new.p256dh,
                key_auth=new.auth,
                alerts=orjson.dumps({a: bool(new.alerts.get(a)) for a in ALERTS}).decode(),
                policy=new.policy,
                access_token_sealed=sealed_token,
                created_at=now_ms(),
            )
        )
    return await get_subscription(store, token_id)


async def get_subscription(store: Store, token_id: int) -> Row:
    async with store.read() as conn:
        row = await conn.fetch_one(
            select(push_subscriptions).where(push_subscriptions.c.token_id == token_id)
        )
    if row is None:
        raise NotFoundError("Record not found")
    return row._mapping


async def update_data(
    store: Store, token_id: int, alerts: dict[str, bool], policy: str | None
) -> Row:
    check_data(alerts, policy)
    current = await get_subscription(store, token_id)
    merged = {**orjson.loads(current["alerts"]), **{a: bool(v) for a, v in alerts.items()}}
    values: dict[str, Any] = {"alerts": orjson.dumps(merged).decode()}
    if policy is not None:
        values["policy"] = policy
    async with store.write() as conn:
        await conn.execute(
            update(push_subscriptions)
            .where(push_subscriptions.c.token_id == token_id)
            .values(**values)
        )
    return await get_subscription(store, token_id)


async def unsubscribe(store: Store, token_id: int) -> None:
    async with store.write() as conn:
        await conn.execute(
            delete(push_subscriptions).where(push_subscriptions.c.token_id == token_id)
        )


async def remove_gone(store: Store, subscription_id: int) -> None:
    """Forget a subscription its push service says is gone (404 or 410)."""
    async with store.write() as conn:
        await conn.execute(
            delete(push_subscriptions).where(push_subscriptions.c.id == subscription_id)
        )


async def subscriptions_of(store: Store, account_id: int) -> list[Row]:
    async with store.read() as conn:
        rows = await conn.fetch_all(
            select(push_subscriptions).where(push_subscriptions.c.account_id == account_id)
        )
    return [r._mapping for r in rows]


async def enqueue_for(
    store: Store, conn: Connection, account_id: int, notification_id: int
) -> None:
    """In the notification's transaction: a push job, if the user has a subscription."""
    subscribed = await conn.fetch_val(
        select(push_subscriptions.c.id)
        .where(push_subscriptions.c.account_id == account_id)
        .limit(1)
    )
    if subscribed is not None:
        await JobQueue(store).enqueue(
            conn, PUSH_NOTIFICATION, {"notification_id": str(notification_id)}
        )


async def vapid_key(store: Store) -> ec.EllipticCurvePrivateKey:
    """The instance's VAPID key, made on first use and kept in ``instance_settings``."""
    async with store.read() as conn:
        pem = await conn.fetch_val(
            select(instance_settings.c.value).where(instance_settings.c.key == VAPID_SETTING)
        )
    if pem is None:
        made = ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        async with store.write() as conn:
            pem = await conn.fetch_val(
                select(instance_settings.c.value).where(instance_settings.c.key == VAPID_SETTING)
            )
            if pem is None:  # another process may have made it meanwhile
                pem = made.decode()
                await conn.execute(
                    insert(instance_settings).values(
                        key=VAPID_SETTING, value=pem, updated_at=now_ms()
                    )
                )
    key = serialization.load_pem_private_key(str(pem).encode(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key


async def vapid_public_key(store: Store) -> str:
    """The VAPID public key as clients read it (base64url of the uncompressed point)."""
    raw = (
        (await vapid_key(store))
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return urlsafe_b64encode(raw).decode().rstrip("=")
