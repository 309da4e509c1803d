"""The federation policy as the rest of federation/ asks it: may we talk to this domain?

Read from the database and kept for a few seconds, because the inbox asks on every request;
an admin's change takes effect within ``TTL_SECONDS``.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from federation.errors import PolicyRefusedError
from fediverse.instances import domain_policies, federation_mode
from fediverse.storage.database import Store

TTL_SECONDS = 5.0


def domain_of(url: str) -> str:
    """The host (and port, when not the default) of a URL, lower-case, as instances store it."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    default = {"https": 443, "http": 80}.get(parts.scheme)
    return f"{host}:{parts.port}" if parts.port and parts.port != default else host


def _parents(domain: str) -> list[str]:
    """``a.b.example`` and every parent domain: a policy on a domain covers its subdomains."""
    host, _, port = domain.partition(":")
    labels = host.split(".")
    found = [".".join(labels[i:]) for i in range(len(labels) - 1)]
    return [domain] + ([f"{d}:{port}" for d in found[1:]] + found[1:] if port else found[1:])


class Policy:
    """Answers whether a domain is federated with, from a short-lived snapshot."""

    def __init__(self, store: Store, default_mode: str, own_domain: str) -> None:
        self._store = store
        self._default_mode = default_mode
        self._own = own_domain.lower()
        self._mode = default_mode
        self._policies: dict[str, str] = {}
        self._loaded_at = float("-inf")

    async def _refresh(self) -> None:
        if time.monotonic() - self._loaded_at < TTL_SECONDS:
            return
        self._mode = await federation_mode(self._store, self._default_mode)
        self._policies = {p.domain: p.policy for p in await domain_policies(self._store)}
        self._loaded_at = time.monotonic()

    def forget(self) -> None:
        """Read the policy again on the next question (after an admin changed it)."""
        self._loaded_at = float("-inf")

    async def policy_of(self, domain: str) -> str:
        await self._refresh()
        for candidate in _parents(domain.lower()):
            if candidate in self._policies:
                return self._policies[candidate]
        return "none"

    async def allows(self, domain: str) -> bool:
        domain = domain.lower()
        if domain == self._own:
            return True
        policy = await self.policy_of(domain)
        if policy == "suspend" or self._mode == "closed":
            return False
        return self._mode == "blocklist" or policy in ("allow", "silence")

    async def check(self, domain: str) -> None:
        if not await self.allows(domain):
            raise PolicyRefusedError(f"this instance does not federate with {domain}")

    async def check_url(self, url: str) -> None:
        await self.check(domain_of(url))
