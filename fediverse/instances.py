"""Known instances and the federation policy the admins chose for them.

The instance-wide mode (allowlist, blocklist, closed) starts from ``KOLLEGIUM_FEDERATION_MODE``;
once an admin sets it, the stored choice wins. Every change bumps a stored version (and, for
this process, a counter), which is how every process's policy cache learns of it without a
restart (federation.policy).

Per domain: ``allow``, ``silence``, ``suspend``, or ``none`` (nothing decided, which with
``reject_media`` is Mastodon's "noop" block). Suspending enqueues a durable purge of what we
hold from that domain (fediverse.instances_purge).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import idna
from databases.core import Connection
from sqlalchemy import ColumnElement, delete, func, insert, select, update

from fediverse import audit
from fediverse.errors import ValidationError
from fediverse.ids import now_ms
from fediverse.jobs import JobQueue
from fediverse.settings import FEDERATION_MODES
from fediverse.storage.database import Store
from fediverse.storage.tables import accounts, audit_log, instance_settings, instances, statuses

POLICIES = ("allow", "silence", "suspend")
MODE_KEY = "federation_mode"
VERSION_KEY = "federation_policy_version"
PURGE_JOB = "domain.purge"
MAX_COMMENT = 1000

# Changes made by this process, so its own caches need not wait for the stored version.
_local_changes = [0]


@dataclass(frozen=True, slots=True)
class DomainPolicy:
    domain: str
    policy: str
    reject_media: bool
    public_comment: str
    private_comment: str = ""
    changed_at: int = 0

    @property
    def id(self) -> str:
        return policy_id(self.domain)


def policy_id(domain: str) -> str:
    """A stable numeric id for a domain's policy, as Mastodon's admin API wants ids."""
    return str(int.from_bytes(hashlib.sha256(domain.encode()).digest()[:7], "big"))


def not_silenced(table: Any = statuses) -> ColumnElement[bool]:
    """For public timelines: leave out statuses by accounts of silenced domains."""
    silenced = (
        select(accounts.c.id)
        .join(instances, instances.c.domain == accounts.c.domain)
        .where(instances.c.policy == "silence")
    )
    condition: ColumnElement[bool] = table.c.account_id.not_in(silenced)
    return condition


def local_generation() -> int:
    return _local_changes[0]


def covering_domains(domain: str) -> list[str]:
    """``a.b.example`` and every parent domain: a policy on a domain covers its subdomains."""
    host, _, port = domain.partition(":")
    labels = host.split(".")
    found = [".".join(labels[i:]) for i in range(len(labels) - 1)]
    return [domain] + ([f"{d}:{port}" for d in found[1:]] + found[1:] if port else found[1:])


async def suspended_among(conn: Connection, domains: Iterable[str]) -> set[str]:
    """Those of ``domains`` that a suspension covers (on them or on a parent domain)."""
    covering = {d: covering_domains(d.lower()) for d in set(domains)}
    every = {c for found in covering.values() for c in found}
    if not every:
        return set()
    rows = await conn.fetch_all(
        select(instances.c.domain).where(
            instances.c.domain.in_(every), instances.c.policy == "suspend"
        )
    )
    suspended = {r._mapping["domain"] for r in rows}
    return {d for d, found in covering.items() if suspended.intersection(found)}


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


async def policy_version(store: Store) -> str | None:
    """The stored version of the policy; it changes with every admin change."""
    async with store.read() as conn:
        found = await conn.fetch_val(
            select(instance_settings.c.value).where(instance_settings.c.key == VERSION_KEY)
        )
    return None if found is None else str(found)


async def _put_setting(conn: Connection, key: str, value: str) -> None:
    await conn.execute(delete(instance_settings).where(instance_settings.c.key == key))
    await conn.execute(insert(instance_settings).values(key=key, value=value, updated_at=now_ms()))


async def _bump_version(store: Store, conn: Connection) -> None:
    await _put_setting(conn, VERSION_KEY, str(store.new_id()))
    _local_changes[0] += 1


async def set_federation_mode(store: Store, mode: str, *, actor: str) -> None:
    if mode not in FEDERATION_MODES:
        raise ValidationError(f"federation mode must be one of {', '.join(FEDERATION_MODES)}")
    async with store.write() as conn:
        await _put_setting(conn, MODE_KEY, mode)
        await _bump_version(store, conn)
        await audit.record(store, conn, actor=actor, action="federation.mode", data={"mode": mode})


def _check_comment(name: str, value: str | None) -> None:
    if value is not None and len(value) > MAX_COMMENT:
        raise ValidationError(f"{name} is too long (at most {MAX_COMMENT} characters)")


async def set_domain_policy(
    store: Store,
    raw_domain: str,
    policy: str,
    *,
    actor: str,
    reject_media: bool = False,
    public_comment: str | None = None,
    private_comment: str | None = None,
) -> DomainPolicy:
    """Allow, silence or suspend a domain (``none``: only its media rejected); audited.

    Comments left as None keep what was stored. Suspending purges the domain's content and
    follows in a durable job, enqueued in the same transaction.
    """
    if policy not in (*POLICIES, "none"):
        raise ValidationError(f"policy must be one of {', '.join(POLICIES)}")
    _check_comment("public_comment", public_comment)
    _check_comment("private_comment", private_comment)
    domain = normalize_domain(raw_domain)
    values = {"policy": policy, "reject_media": reject_media}
    if public_comment is not None:
        values["public_comment"] = public_comment
    if private_comment is not None:
        values["private_comment"] = private_comment
    async with store.write() as conn:
        before = await _policy_of(conn, domain)
        await _upsert(conn, domain, values)
        await _bump_version(store, conn)
        await audit.record(
            store,
            conn,
            actor=actor,
            action=f"domain.{policy}",
            target_type="domain",
            target=domain,
            data={k: v for k, v in values.items() if k != "policy"},
        )
        if policy == "suspend" and before != "suspend":
            await JobQueue(store).enqueue(conn, PURGE_JOB, {"domain": domain})
    found = await domain_policy(store, domain)
    assert found is not None
    return found


async def _policy_of(conn: Connection, domain: str) -> str | None:
    found = await conn.fetch_val(select(instances.c.policy).where(instances.c.domain == domain))
    return None if found is None else str(found)


async def _upsert(conn: Connection, domain: str, values: dict[str, object]) -> None:
    now = now_ms()
    changed = await conn.fetch_all(
        update(instances)
        .where(instances.c.domain == domain)
        .values(**values, updated_at=now)
        .returning(instances.c.domain)
    )
    if not changed:
        await conn.execute(
            insert(instances).values(domain=domain, created_at=now, updated_at=now, **values)
        )


async def clear_domain_policy(store: Store, raw_domain: str, *, actor: str) -> bool:
    """Forget what the admins decided for a domain. False if nothing was decided."""
    domain = normalize_domain(raw_domain)
    async with store.write() as conn:
        cleared = await conn.fetch_all(
            update(instances)
            .where(
                instances.c.domain == domain,
                (instances.c.policy != "none") | instances.c.reject_media.is_(True),
            )
            .values(policy="none", reject_media=False, updated_at=now_ms())
            .returning(instances.c.domain)
        )
        if cleared:
            await _bump_version(store, conn)
            await audit.record(
                store,
                conn,
                actor=actor,
                action="domain.clear",
                target_type="domain",
                target=domain,
            )
    return bool(cleared)


_DECIDED = (instances.c.policy != "none") | instances.c.reject_media.is_(True)


async def domain_policies(store: Store, domains: Iterable[str] | None = None) -> list[DomainPolicy]:
    """Every domain the admins decided something for (or only ``domains``), by name."""
    query = select(
        instances.c.domain,
        instances.c.policy,
        instances.c.reject_media,
        instances.c.public_comment,
        instances.c.private_comment,
    ).where(_DECIDED)
    if domains is not None:
        query = query.where(instances.c.domain.in_(list(domains)))
    async with store.read() as conn:
        rows = await conn.fetch_all(query.order_by(instances.c.domain))
        changed = await _changed_at(conn, [r[0] for r in rows])
    return [DomainPolicy(r[0], r[1], bool(r[2]), r[3], r[4], changed.get(r[0], 0)) for r in rows]


async def _changed_at(conn: Connection, domains: list[str]) -> dict[str, int]:
    """When each domain's policy was last changed, from the audit log."""
    if not domains:
        return {}
    rows = await conn.fetch_all(
        select(audit_log.c.target, func.max(audit_log.c.created_at))
        .where(audit_log.c.target_type == "domain", audit_log.c.target.in_(domains))
        .group_by(audit_log.c.target)
    )
    return {r[0]: int(r[1]) for r in rows}


async def domain_policy(store: Store, raw_domain: str) -> DomainPolicy | None:
    found = await domain_policies(store, [normalize_domain(raw_domain)])
    return found[0] if found else None


async def domain_policy_by_id(store: Store, policy_id_: str) -> DomainPolicy | None:
    """The decided policy whose ``id`` is ``policy_id_`` (ids are hashes of the domain)."""
    return next((p for p in await domain_policies(store) if p.id == policy_id_), None)
