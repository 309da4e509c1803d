"""The federation policy as the rest of federation/ asks it: may we talk to this domain?
Is it silenced? Do we take its media?

Answered from an in-memory snapshot, because the inbox asks on every request. The snapshot
is read again when this process changed the policy (at once), or when the stored version
changed (checked at most every ``CHECK_SECONDS``), so every process sees an admin's change
within about a second, without a restart.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from federation.errors import PolicyRefusedError
from fediverse.instances import (
    covering_domains,
    domain_policies,
    federation_mode,
    local_generation,
    policy_version,
)
from fediverse.storage.database import Store

CHECK_SECONDS = 1.0
NONE = ("none", False)


def domain_of(url: str) -> str:
    """The host (and port, when not the default) of a URL, lower-case, as instances store it."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    default = {"https": 443, "http": 80}.get(parts.scheme)
    return f"{host}:{parts.port}" if parts.port and parts.port != default else host


class Policy:
    """Answers whether a domain is federated with, from a snapshot kept fresh."""

    def __init__(self, store: Store, default_mode: str, own_domain: str) -> None:
        self._store = store
        self._default_mode = default_mode
        self._own = own_domain.lower()
        self._mode = default_mode
        self._entries: dict[str, tuple[str, bool]] = {}
        self._version: str | None = None
        self._generation = -1
        self._checked_at = float("-inf")

    async def _refresh(self) -> None:
        generation = local_generation()
        if generation == self._generation and time.monotonic() - self._checked_at < CHECK_SECONDS:
            return
        self._checked_at = time.monotonic()  # concurrent requests keep the snapshot meanwhile
        version = await policy_version(self._store)
        if generation == self._generation and version == self._version:
            return
        self._mode = await federation_mode(self._store, self._default_mode)
        self._entries = {
            p.domain: (p.policy, p.reject_media) for p in await domain_policies(self._store)
        }
        self._version, self._generation = version, generation

    def forget(self) -> None:
        """Read the policy again on the next question."""
        self._generation = -1

    async def mode(self) -> str:
        await self._refresh()
        return self._mode

    async def _entry(self, domain: str) -> tuple[str, bool]:
        await self._refresh()
        entries = self._entries
        if not entries:
            return NONE
        for candidate in covering_domains(domain.lower()):
            found = entries.get(candidate)
            if found is not None:
                return found
        return NONE

    async def policy_of(self, domain: str) -> str:
        return (await self._entry(domain))[0]

    async def allows(self, domain: str) -> bool:
        """Whether anything may pass between us and ``domain``, either way."""
        domain = domain.lower()
        if domain == self._own:
            return True
        policy = (await self._entry(domain))[0]
        if policy == "suspend" or self._mode == "closed":
            return False
        return self._mode == "blocklist" or policy in ("allow", "silence")

    async def silences(self, domain: str) -> bool:
        """Silenced: kept out of public timelines, and its follows need approval."""
        return (await self._entry(domain))[0] == "silence"

    async def rejects_media(self, domain: str) -> bool:
        """Its media is neither fetched nor stored: attachments are shown as links."""
        return (await self._entry(domain))[1]

    async def check(self, domain: str) -> None:
        if not await self.allows(domain):
            raise PolicyRefusedError(f"this instance does not federate with {domain}")

    async def check_url(self, url: str) -> None:
        await self.check(domain_of(url))


def may_federate(status: Mapping[str, Any]) -> bool:
    """Whether a status may leave this instance at all, by anyone's hand (its author's fan-out,
    a boost, a group's Announce): never when local-only or deleted. Where it may go is
    ``Policy.allows`` per domain, which delivery checks for every inbox."""
    return not status["local_only"] and status.get("deleted_at") is None
