"""The aiohttp half of delivery, imported on the first delivery: aiohttp costs about 9 MB
of memory, which a server that has not yet delivered anything should not pay."""

from __future__ import annotations

import socket

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from federation.errors import UnsafeAddressError
from federation.http import Networks, is_allowed_address, user_agent
from fediverse.settings import Settings

TIMEOUT = aiohttp.ClientTimeout(total=15, connect=5)
ClientError = aiohttp.ClientError


class GuardedResolver(AbstractResolver):
    """Resolves, then refuses hosts with any address outside what is allowed."""

    def __init__(self, networks: Networks) -> None:
        self._inner = aiohttp.ThreadedResolver()
        self._networks = networks

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self._inner.resolve(host, port, family)
        if not found or not all(is_allowed_address(r["host"], self._networks) for r in found):
            raise UnsafeAddressError(f"refusing {host}: it resolves to a private address")
        return found

    async def close(self) -> None:
        await self._inner.close()


def open_session(settings: Settings) -> aiohttp.ClientSession:
    """A session whose resolver refuses private addresses outside DEV_INSECURE."""
    networks = tuple(settings.private_networks)
    resolver = None if settings.dev_insecure else GuardedResolver(networks)
    connector = aiohttp.TCPConnector(limit=200, limit_per_host=8, resolver=resolver)
    return aiohttp.ClientSession(
        connector=connector,
        timeout=TIMEOUT,
        headers={"User-Agent": user_agent(settings)},
        trust_env=False,
    )
