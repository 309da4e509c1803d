"""What federation/ holds for one process: policy, keys, fetcher, actor cache.

Built once per process from the runtime and the shared HTTP client; the web app keeps
one on ``app.state`` and the job registry another (each a cache, so two are harmless).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
from cryptography.hazmat.primitives.asymmetric import ed25519
from sqlalchemy import select, update

from activitypub.keys import ed25519_public_key_to_multibase, load_private_key_pem
from activitypub.signatures import Scheme
from federation.actors import Actors
from federation.fetch import Fetcher
from federation.inbox_writer import InboxWriter
from federation.peers import ensure_instance
from federation.policy import Policy
from federation.signing import KeyRing, SchemeMemory
from fediverse.ids import now_ms
from fediverse.runtime import Runtime
from fediverse.storage.tables import accounts, instances

# instances.signature_scheme holds 20 characters: the schemes by short names.
STORED_SCHEMES = {"cavage": Scheme.CAVAGE, "rfc9421": Scheme.RFC9421}


def scheme_name(scheme: Scheme) -> str:
    return "rfc9421" if scheme is Scheme.RFC9421 else "cavage"


@dataclass(slots=True)
class Federation:
    runtime: Runtime
    http: httpx.AsyncClient
    policy: Policy
    keys: KeyRing
    memory: SchemeMemory
    fetcher: Fetcher
    actors: Actors
    inbox_writer: InboxWriter
    multikeys: dict[int, str] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return self.runtime.settings.base_url

    @property
    def domain(self) -> str:
        return self.runtime.settings.domain

    async def multikey(self, account_id: int) -> str | None:
        """The Ed25519 public key of a local actor as a Multikey, parsed once."""
        if account_id not in self.multikeys:
            async with self.runtime.store.read() as conn:
                pem = await conn.fetch_val(
                    select(accounts.c.ed25519_private_key_pem).where(accounts.c.id == account_id)
                )
            if not pem:
                return None
            key = load_private_key_pem(str(pem))
            assert isinstance(key, ed25519.Ed25519PrivateKey)
            self.multikeys[account_id] = ed25519_public_key_to_multibase(key.public_key())
        return self.multikeys[account_id]

    async def load_schemes(self) -> None:
        """Remember the schemes peers took in earlier runs."""
        query = select(instances.c.domain, instances.c.signature_scheme).where(
            instances.c.signature_scheme.is_not(None)
        )
        async with self.runtime.store.read() as conn:
            rows = await conn.fetch_all(query)
        for row in rows:
            if row[1] in STORED_SCHEMES:
                self.memory.knock.record_success(row[0], STORED_SCHEMES[row[1]])

    async def save_scheme(self, domain: str, scheme: Scheme) -> None:
        async with self.runtime.store.write() as conn:
            await ensure_instance(self.runtime.store, conn, domain)
            await conn.execute(
                update(instances)
                .where(instances.c.domain == domain)
                .values(signature_scheme=scheme_name(scheme), updated_at=now_ms())
            )


def build_federation(runtime: Runtime, http: httpx.AsyncClient) -> Federation:
    settings = runtime.settings
    policy = Policy(runtime.store, settings.federation_mode, settings.domain)
    keys = KeyRing(runtime.store)
    memory = SchemeMemory()
    fetcher = Fetcher(http, keys, memory, policy, settings.domain, settings.scheme)
    actors = Actors(runtime.store, fetcher)
    writer = InboxWriter(runtime.store, runtime.queue)
    return Federation(runtime, http, policy, keys, memory, fetcher, actors, writer)
