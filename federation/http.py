"""The one HTTP client for talking to other servers: timeouts, a fixed User-Agent, and no
requests to private addresses outside ``KOLLEGIUM_DEV_INSECURE=1``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket

import httpx

from federation.errors import UnsafeAddressError
from fediverse import __version__
from fediverse.settings import Settings

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
LIMITS = httpx.Limits(max_connections=200, max_keepalive_connections=50)


def user_agent(settings: Settings) -> str:
    return f"Kollegium/{__version__} (+{settings.base_url}/)"


def is_public_address(address: str) -> bool:
    return ipaddress.ip_address(address).is_global


async def resolve(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


class GuardedTransport(httpx.AsyncBaseTransport):
    """Refuses a request unless every address its host resolves to is public.

    The address is checked before the connection is opened; a host whose DNS answer
    changes between the check and the connect is a known gap, closed in the federation
    issue by connecting to the checked address itself.
    """

    def __init__(self, inner: httpx.AsyncBaseTransport, *, allow_private: bool) -> None:
        self._inner = inner
        self._allow_private = allow_private

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not self._allow_private:
            await self._check(request.url)
        return await self._inner.handle_async_request(request)

    async def _check(self, url: httpx.URL) -> None:
        if url.scheme != "https":
            raise UnsafeAddressError(f"refusing {url.scheme}:// URL {url}; only https is allowed")
        try:
            addresses = await resolve(url.host, url.port or 443)
        except OSError as exc:
            raise UnsafeAddressError(f"cannot resolve {url.host}") from exc
        if not addresses or not all(is_public_address(a) for a in addresses):
            raise UnsafeAddressError(f"refusing {url.host}: it resolves to a private address")

    async def aclose(self) -> None:
        await self._inner.aclose()


def build_client(
    settings: Settings, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    inner = transport or httpx.AsyncHTTPTransport(limits=LIMITS, retries=0)
    return httpx.AsyncClient(
        transport=GuardedTransport(inner, allow_private=settings.dev_insecure),
        timeout=TIMEOUT,
        headers={"User-Agent": user_agent(settings)},
        follow_redirects=False,
    )
