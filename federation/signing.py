"""Signing outgoing requests: local actors' keys, loaded once, and an ``httpx.Auth`` that signs.

Loading a private key from PEM costs tens of milliseconds, so every key is parsed once per
process and kept. The scheme a peer takes (draft-cavage or RFC 9421) is learned by
double-knocking: on a 401 the request is signed again with the other scheme, and the one
that worked is remembered per instance (in memory here, in ``instances.signature_scheme``
by the caller).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from dataclasses import dataclass

import httpx
from sqlalchemy import select

from activitypub.keys import PrivateKey, load_private_key_pem
from activitypub.signatures import DoubleKnock, Scheme, sign_request
from fediverse.errors import NotFoundError
from fediverse.storage.database import Store
from fediverse.storage.tables import accounts

SchemeListener = Callable[[str, Scheme], None]


@dataclass(frozen=True, slots=True)
class SigningKey:
    """A local actor's loaded RSA key and the keyId peers fetch to verify it."""

    account_id: int
    key_id: str
    key: PrivateKey


class KeyRing:
    """Every local actor's private key, parsed from PEM on first use and then kept."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._keys: dict[int, SigningKey] = {}
        self._instance_actor: SigningKey | None = None

    async def for_account(self, account_id: int) -> SigningKey:
        found = self._keys.get(account_id)
        if found is None:
            found = await self._load(accounts.c.id == account_id)
            self._keys[account_id] = found
        return found

    async def instance_actor(self, domain: str) -> SigningKey:
        """The instance actor signs fetches, so a fetch reveals no member of staff."""
        if self._instance_actor is None:
            self._instance_actor = await self._load(
                (accounts.c.username == domain) & accounts.c.domain.is_(None)
            )
        return self._instance_actor

    async def _load(self, where: object) -> SigningKey:
        query = select(accounts.c.id, accounts.c.public_key_id, accounts.c.private_key_pem).where(
            where  # type: ignore[arg-type]
        )
        async with self._store.read() as conn:
            row = await conn.fetch_one(query)
        if row is None or not row[2]:
            raise NotFoundError("no local actor with a signing key")
        return SigningKey(int(row[0]), str(row[1]), load_private_key_pem(str(row[2])))


class SchemeMemory:
    """Which signature scheme each peer domain takes; cavage first, as Mastodon expects."""

    def __init__(self, known: dict[str, Scheme] | None = None) -> None:
        self.knock = DoubleKnock(known, first=Scheme.CAVAGE)
        self.listeners: list[SchemeListener] = []

    def learned(self, domain: str, scheme: Scheme) -> None:
        if self.knock.remembered().get(domain.lower()) is scheme:
            return
        self.knock.record_success(domain, scheme)
        for listener in self.listeners:
            listener(domain, scheme)


def sign(request: httpx.Request, key: SigningKey, scheme: Scheme) -> None:
    """Add Date, the digest and the signature of ``scheme`` to ``request`` in place."""
    extra = {
        name: request.headers[name]
        for name in ("Content-Type", "Accept")
        if name in request.headers
    }
    signed = sign_request(
        scheme=scheme,
        method=request.method,
        url=str(request.url),
        headers=extra,
        body=request.content,
        key=key.key,
        key_id=key.key_id,
        now=time.time(),
    )
    for name, value in signed.items():
        request.headers[name] = value


class SignatureAuth(httpx.Auth):
    """Signs a request as ``key``; on a 401 knocks again with the other scheme once."""

    requires_request_body = True

    def __init__(self, key: SigningKey, memory: SchemeMemory) -> None:
        self.key = key
        self.memory = memory

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        domain = request.url.netloc.decode("ascii")
        scheme = self.memory.knock.scheme_for(domain)
        sign(request, self.key, scheme)
        response = yield request
        if response.status_code != 401:
            self._learn(request, response, domain, scheme)
            return
        fallback = self.memory.knock.fallback_for(domain, scheme)
        if fallback is None:
            return
        _strip_signature(request)
        sign(request, self.key, fallback)
        response = yield request
        self._learn(request, response, domain, fallback)

    def _learn(
        self, request: httpx.Request, response: httpx.Response, domain: str, scheme: Scheme
    ) -> None:
        # Only an inbox POST proves the scheme: many GETs succeed whatever the signature.
        if request.method == "POST" and response.is_success:
            self.memory.learned(domain, scheme)


def _strip_signature(request: httpx.Request) -> None:
    for name in ("Signature", "Signature-Input", "Digest", "Content-Digest"):
        request.headers.pop(name, None)
