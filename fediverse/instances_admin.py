"""Domain allows and domain blocks, as Mastodon's admin API and our web admin speak of them,
over the one policy per domain that fediverse.instances keeps.

An *allow* is a domain whose policy is ``allow``. A *block* is a domain silenced or
suspended, or one whose media we reject (severity ``noop``). A domain can be both: allowed
with its media rejected. Allowing a blocked domain lifts the block (one policy per domain);
every change goes through ``set_domain_policy`` and so is audited and takes effect at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from fediverse.errors import NotFoundError, ValidationError
from fediverse.instances import (
    DomainPolicy,
    clear_domain_policy,
    domain_policies,
    domain_policy,
    domain_policy_by_id,
    normalize_domain,
    set_domain_policy,
)
from fediverse.storage.database import Store

SEVERITIES = ("silence", "suspend", "noop")


class DomainBlockExistsError(ValidationError):
    """A block exists already: change it (PUT) rather than create it again."""

    def __init__(self, existing: DomainPolicy) -> None:
        super().__init__(f"You have already imposed limits on {existing.domain}")
        self.existing = existing


@dataclass(frozen=True, slots=True)
class BlockChange:
    """What an admin may set on a block; None keeps what is stored."""

    severity: str | None = None
    reject_media: bool | None = None
    public_comment: str | None = None
    private_comment: str | None = None


def is_allowed(policy: DomainPolicy) -> bool:
    return policy.policy == "allow"


def is_blocked(policy: DomainPolicy) -> bool:
    return policy.policy in ("silence", "suspend") or policy.reject_media


def severity(policy: DomainPolicy) -> str:
    return policy.policy if policy.policy in ("silence", "suspend") else "noop"


def _check_severity(value: str | None) -> None:
    if value is not None and value not in SEVERITIES:
        raise ValidationError(f"severity must be one of {', '.join(SEVERITIES)}")


async def domain_allows(store: Store) -> list[DomainPolicy]:
    return [p for p in await domain_policies(store) if is_allowed(p)]


async def domain_blocks(store: Store) -> list[DomainPolicy]:
    return [p for p in await domain_policies(store) if is_blocked(p)]


async def _by_id(store: Store, policy_id: str, wanted: str) -> DomainPolicy:
    found = await domain_policy_by_id(store, policy_id)
    if found is None or not (is_allowed(found) if wanted == "allow" else is_blocked(found)):
        raise NotFoundError("Record not found")
    return found


async def domain_allow(store: Store, policy_id: str) -> DomainPolicy:
    return await _by_id(store, policy_id, "allow")


async def domain_block(store: Store, policy_id: str) -> DomainPolicy:
    return await _by_id(store, policy_id, "block")


async def allow_domain(store: Store, raw_domain: str, *, actor: str) -> DomainPolicy:
    """Allow a domain (lifting a silence or suspension); its media rule is kept."""
    domain = normalize_domain(raw_domain)
    existing = await domain_policy(store, domain)
    if existing is not None and is_allowed(existing):
        return existing
    reject_media = existing.reject_media if existing is not None else False
    return await set_domain_policy(store, domain, "allow", actor=actor, reject_media=reject_media)


async def remove_allow(store: Store, policy_id: str, *, actor: str) -> None:
    found = await domain_allow(store, policy_id)
    if found.reject_media:  # what remains is a noop block
        await set_domain_policy(store, found.domain, "none", actor=actor, reject_media=True)
    else:
        await clear_domain_policy(store, found.domain, actor=actor)


def _policy_for(change: BlockChange, current: DomainPolicy | None) -> str:
    wanted = change.severity or (severity(current) if current is not None else "silence")
    if wanted != "noop":
        return wanted
    return "allow" if current is not None and is_allowed(current) else "none"


async def _apply(
    store: Store, domain: str, change: BlockChange, current: DomainPolicy | None, actor: str
) -> DomainPolicy:
    policy = _policy_for(change, current)
    reject_media = change.reject_media
    if reject_media is None:
        reject_media = current.reject_media if current is not None else False
    if policy in ("none", "allow") and not reject_media:
        raise ValidationError("Validation failed: a noop block must reject media")
    return await set_domain_policy(
        store,
        domain,
        policy,
        actor=actor,
        reject_media=reject_media,
        public_comment=change.public_comment,
        private_comment=change.private_comment,
    )


async def block_domain(
    store: Store, raw_domain: str, change: BlockChange, *, actor: str
) -> DomainPolicy:
    """Silence, suspend or reject the media of a domain (severity defaults to silence)."""
    _check_severity(change.severity)
    domain = normalize_domain(raw_domain)
    existing = await domain_policy(store, domain)
    if existing is not None and is_blocked(existing):
        raise DomainBlockExistsError(existing)
    return await _apply(store, domain, change, existing, actor)


async def update_block(
    store: Store, policy_id: str, change: BlockChange, *, actor: str
) -> DomainPolicy:
    _check_severity(change.severity)
    found = await domain_block(store, policy_id)
    return await _apply(store, found.domain, change, found, actor)


async def remove_block(store: Store, policy_id: str, *, actor: str) -> None:
    """Lift a block: an allowed domain stays allowed, anything else is forgotten."""
    found = await domain_block(store, policy_id)
    if is_allowed(found):
        await set_domain_policy(store, found.domain, "allow", actor=actor, reject_media=False)
    else:
        await clear_domain_policy(store, found.domain, actor=actor)
