"""Known instances and the federation policy the admins chose for them.

The instance-wide mode (allowlist, blocklist, closed) starts from ``KOLLEGIUM_FEDERATION_MODE``;
once an admin sets it, the stored choice wins, so a change takes effect without a restart.
"""

from __future__ import annotations

from dataclasses import dataclass

import idna
from databases.core import Connection
from sqlalchemy import delete, insert, select, update

from fediverse import audit
from fediverse.errors import ValidationError
from fediverse.ids import now_ms
from fediverse.settings import FEDERATION_MODES
from fediverse.storage.database import Store
from fediverse.storage.tables import instance_settings, instances

POLICIES = ("allow", "silence", "suspend")
MODE_KEY = "federation_mode"


@dataclass(frozen=True, slots=True)
class DomainPolicy:
    domain: str
    policy: str
    reject_media: bool
    public_comment: str


def normalize_domain(raw: str) -> str:
    """A domain as we store it: lower-case, IDNA-encoded (``håbo.se`` -> ``xn--hbo-qla.se``)."""
    text = raw.strip().lower().rstrip(".")
    host, _, port = text.partition(":")
    try:
        ascii_host = idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise ValidationError(f"{raw!r} is not a valid domain name") from exc
    if "." not in ascii_host and ascii_host != "localhost":
        raise ValidationError(f"{raw!r} is not a valid domain name: it has no dot")
    if port and not (port.isdigit() and 0 < int(port) < 65536):
        raise ValidationError(f"{raw!r} has an invalid port")
    return f"{ascii_host}:{port}" if port else ascii_host


async def federation_mode(store: Store, default: str) -> str:
    async with store.read() as conn:
        stored = await conn.fetch_val(
            select(instance_settings.c.value).where(instance_settings.c.key == MODE_KEY)
        )
    return str(stored) if stored is not None else default


async def set_federation_mode(store: Store, mode: str, *, actor: str) -> None:
    if mode not in FEDERATION_MODES:
        raise ValidationError(f"federation mode must be one of {', '.join(FEDERATION_MODES)}")
    async with store.write() as conn:
        await conn.execute(delete(instance_settings).where(instance_settings.c.key == MODE_KEY))
        await conn.execute(
            insert(instance_settings).values(key=MODE_KEY, value=mode, updated_at=now_ms())
        )
        await audit.record(store, conn, actor=actor, action="federation.mode", data={"mode": mode})


async def set_domain_policy(
    store: Store, raw_domain: str, policy: str, *, actor: str, reject_media: bool = False
) -> DomainPolicy:
    """Allow, silence or suspend a domain; recorded in the audit log."""
    if policy not in POLICIES:
        raise ValidationError(f"policy must be one of {', '.join(POLICIES)}")
    domain = normalize_domain(raw_domain)
    async with store.write() as conn:
        await _upsert_policy(conn, domain, policy, reject_media)
        await audit.record(
            store,
            conn,
            actor=actor,
            action=f"domain.{policy}",
            target_type="domain",
            target=domain,
            data={"reject_media": reject_media},
        )
    return DomainPolicy(domain, policy, reject_media, "")


async def _upsert_policy(conn: Connection, domain: str, policy: str, reject_media: bool) -> None:
    now = now_ms()
    changed = await conn.fetch_all(
        update(instances)
        .where(instances.c.domain == domain)
        .values(policy=policy, reject_media=reject_media, updated_at=now)
        .returning(instances.c.domain)
    )
    if not changed:
        await conn.execute(
            insert(instances).values(
                domain=domain,
                policy=policy,
                reject_media=reject_media,
                created_at=now,
                updated_at=now,
            )
        )


async def clear_domain_policy(store: Store, raw_domain: str, *, actor: str) -> bool:
    """Forget what the admins decided for a domain. False if nothing was decided."""
    domain = normalize_domain(raw_domain)
    async with store.write() as conn:
        cleared = await conn.fetch_all(
            update(instances)
            .where(instances.c.domain == domain, instances.c.policy != "none")
            .values(policy="none", reject_media=False, updated_at=now_ms())
            .returning(instances.c.domain)
        )
        if cleared:
            await audit.record(
                store,
                conn,
                actor=actor,
                action="domain.clear",
                target_type="domain",
                target=domain,
            )
    return bool(cleared)


async def domain_policies(store: Store) -> list[DomainPolicy]:
    query = (
        select(
            instances.c.domain,
            instances.c.policy,
            instances.c.reject_media,
            instances.c.public_comment,
        )
        .where(instances.c.policy != "none")
        .order_by(instances.c.domain)
    )
    async with store.read() as conn:
        rows = await conn.fetch_all(query)
    return [DomainPolicy(r[0], r[1], bool(r[2]), r[3]) for r in rows]
