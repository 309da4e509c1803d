"""The one HTTP client for talking to other servers: timeouts, a fixed User-Agent, capped
response bodies, content-type checks, and no requests to private addresses outside
``KOLLEGIUM_DEV_INSECURE=1``.

The address check runs twice: once before the request (to fail fast with a clear error),
and again inside the connection, which then connects to the very address it checked, so a
DNS answer that changes between check and connect (DNS rebinding) cannot reach inside.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable

import httpcore
import httpx

from federation.errors import ResponseTooLargeError, UnsafeAddressError, WrongContentTypeError
from fediverse import __version__
from fediverse.settings import Settings

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
LIMITS = httpx.Limits(max_connections=200, max_keepalive_connections=100)
MAX_DOCUMENT_BYTES = 1_048_576  # actors and notes; Mastodon caps fetched JSON the same way
MAX_REDIRECTS = 3
ACTIVITY_TYPES = ("application/activity+json", "application/ld+json")
JRD_TYPES = ("application/jrd+json", "application/json", *ACTIVITY_TYPES)
ACCEPT_ACTIVITY = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"'


def user_agent(settings: Settings) -> str:
    return f"Kollegium/{__version__} (+{settings.base_url}/)"


Networks = tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]


def is_public_address(address: str) -> bool:
    return ipaddress.ip_address(address).is_global


def is_allowed_address(address: str, networks: Networks = ()) -> bool:
    """Public, or inside a network the admins named (municipal networks such as SGSI)."""
    ip = ipaddress.ip_address(address)
    return ip.is_global or any(ip in network for network in networks)


async def resolve(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


async def public_addresses(host: str, port: int, networks: Networks = ()) -> list[str]:
    """Every address ``host`` resolves to, all of them allowed, or UnsafeAddressError."""
    try:
        addresses = await resolve(host, port)
    except OSError as exc:
        raise UnsafeAddressError(f"cannot resolve {host}") from exc
    if not addresses or not all(is_allowed_address(a, networks) for a in addresses):
        raise UnsafeAddressError(f"refusing {host}: it resolves to a private address")
    return addresses


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves, checks, and connects to the checked address itself (no second lookup)."""

    def __init__(
        self, inner: httpcore.AsyncNetworkBackend | None = None, networks: Networks = ()
    ) -> None:
        self._inner = inner or httpcore.AnyIOBackend()
        self._networks = networks

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await public_addresses(host, port, self._networks)
        # TLS still verifies the certificate against the host name: httpcore passes the
        # request's host as server_hostname to start_tls, whatever address we dialled.
        return await self._inner.connect_tcp(
            addresses[0], port, timeout, local_address, socket_options
        )

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncBaseTransport):
    """Refuses non-https URLs and private addresses before the request is sent."""

    def __init__(
        self, inner: httpx.AsyncBaseTransport, *, allow_private: bool, networks: Networks = ()
    ) -> None:
        self._inner = inner
        self._allow_private = allow_private
        self._networks = networks

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not self._allow_private:
            await self._check(request.url)
        return await self._inner.handle_async_request(request)

    async def _check(self, url: httpx.URL) -> None:
        if url.scheme != "https":
            raise UnsafeAddressError(f"refusing {url.scheme}:// URL {url}; only https is allowed")
        await public_addresses(url.host, url.port or 443, self._networks)

    async def aclose(self) -> None:
        await self._inner.aclose()


def guarded_transport(allow_private: bool, networks: Networks = ()) -> httpx.AsyncHTTPTransport:
    """httpx's transport whose connections go through ``GuardedBackend``."""
    transport = httpx.AsyncHTTPTransport(limits=LIMITS, retries=0)
    if not allow_private:
        # httpx offers no public hook for the network backend; its pool is rebuilt with ours.
        transport._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=LIMITS.max_connections,
            max_keepalive_connections=LIMITS.max_keepalive_connections,
            keepalive_expiry=LIMITS.keepalive_expiry,
            network_backend=GuardedBackend(networks=networks),
        )
    return transport


def build_client(
    settings: Settings, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    networks = tuple(settings.private_networks)
    inner = transport or guarded_transport(settings.dev_insecure, networks)
    return httpx.AsyncClient(
        transport=GuardedTransport(inner, allow_private=settings.dev_insecure, networks=networks),
        timeout=TIMEOUT,
        headers={"User-Agent": user_agent(settings)},
        follow_redirects=False,
        trust_env=False,  # a proxy from the environment would bypass the address guard
    )


async def read_capped(response: httpx.Response, limit: int = MAX_DOCUMENT_BYTES) -> bytes:
    """The body of a streamed response, refusing more than ``limit`` bytes."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ResponseTooLargeError(f"response from {response.url.host} is larger than {limit}")
    chunks, seen = [], 0
    async for chunk in response.aiter_bytes():  # decoded: a gzip bomb is capped too
        seen += len(chunk)
        if seen > limit:
            raise ResponseTooLargeError(f"response from {response.url.host} is larger than {limit}")
        chunks.append(chunk)
    return b"".join(chunks)


def check_content_type(response: httpx.Response, accepted: Iterable[str]) -> None:
    media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in accepted:
        raise WrongContentTypeError(
            f"{response.url.host} answered {media_type or 'no content type'}, not JSON"
        )
