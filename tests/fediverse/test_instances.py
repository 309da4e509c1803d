"""Federation policy as data: the mode and per-domain allow, silence, suspend."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from fediverse.errors import ValidationError
from fediverse.instances import (
    clear_domain_policy,
    domain_policies,
    federation_mode,
    normalize_domain,
    set_domain_policy,
    set_federation_mode,
)
from fediverse.storage.database import Store
from fediverse.storage.tables import audit_log


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("Kommun-B.SE", "kommun-b.se"),
        ("håbo.se", "xn--hbo-ula.se"),
        ("kommun-b.se.", "kommun-b.se"),
        ("127.0.0.2:8001", "127.0.0.2:8001"),
    ],
)
def test_domains_are_stored_lower_case_and_idna_encoded(raw: str, stored: str) -> None:
    assert normalize_domain(raw) == stored


@pytest.mark.parametrize("raw", ["", "a b.se", "kommun", "x.se:99999", "exa mple.com"])
def test_malformed_domains_are_refused(raw: str) -> None:
    with pytest.raises(ValidationError):
        normalize_domain(raw)


async def test_the_mode_starts_from_the_setting_and_the_stored_choice_wins(store: Store) -> None:
    assert await federation_mode(store, "allowlist") == "allowlist"
    await set_federation_mode(store, "closed", actor="cli")
    assert await federation_mode(store, "allowlist") == "closed"
    with pytest.raises(ValidationError):
        await set_federation_mode(store, "everything", actor="cli")
    assert await federation_mode(store, "allowlist") == "closed"


async def test_a_domain_policy_can_be_set_changed_and_cleared_with_an_audit_trail(
    store: Store,
) -> None:
    await set_domain_policy(store, "kommun-b.se", "allow", actor="cli")
    await set_domain_policy(store, "Kommun-B.se", "silence", actor="cli", reject_media=True)
    [policy] = await domain_policies(store)
    assert (policy.domain, policy.policy, policy.reject_media) == ("kommun-b.se", "silence", True)
    assert await clear_domain_policy(store, "kommun-b.se", actor="cli") is True
    assert await clear_domain_policy(store, "kommun-b.se", actor="cli") is False
    assert await domain_policies(store) == []
    async with store.read() as conn:
        actions = [
            r["action"] for r in await conn.fetch_all(select(audit_log).order_by(audit_log.c.id))
        ]
    assert actions == ["domain.allow", "domain.silence", "domain.clear"]


async def test_an_unknown_policy_is_refused(store: Store) -> None:
    with pytest.raises(ValidationError, match="policy must be one of"):
        await set_domain_policy(store, "kommun-b.se", "embrace", actor="cli")
    assert await domain_policies(store) == []
