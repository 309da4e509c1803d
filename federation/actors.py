"""Resolving remote actors: by id, by signing key, and by ``acct:`` through WebFinger.

Actors are cached in ``accounts`` (fediverse.remote) and refreshed when stale; their
public keys, once loaded, are kept in memory for the inbox, which verifies every request.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, replace

import orjson

from activitypub.errors import ActivityPubError
from activitypub.html import sanitize_html
from activitypub.keys import PublicKey, load_public_key_pem
from activitypub.vocab import Actor, parse_actor_document
from activitypub.vocab.fields import same_origin
from activitypub.webfinger import parse_acct, parse_jrd
from federation.errors import FetchError, OriginMismatchError
from federation.fetch import Fetcher
from federation.policy import domain_of
from fediverse.ids import now_ms
from fediverse.remote import (
    AccountRef,
    RemoteActor,
    account_by_key_id,
    account_by_uri,
    upsert_remote_account,
)
from fediverse.storage.database import Store

KEY_CACHE_SIZE = 20_000


@dataclass(frozen=True, slots=True)
class VerifyingKey:
    """A remote actor's loaded public key, ready for the inbox."""

    key_id: str
    account_id: int
    actor_uri: str
    key: PublicKey


def remote_actor_from_ap(actor: Actor) -> RemoteActor:
    """The columns we keep of a parsed actor document; its HTML sanitized."""
    key = actor.public_key
    return RemoteActor(
        uri=actor.id,
        username=actor.preferred_username or actor.id.rstrip("/").rsplit("/", 1)[-1],
        domain=domain_of(actor.id),
        inbox_url=actor.inbox,
        actor_type=actor.type,
        display_name=(actor.name or "")[:200],
        note=sanitize_html(actor.summary or ""),
        locked=actor.manually_approves_followers,
        bot=actor.is_bot,
        discoverable=actor.discoverable,
        fields=tuple((f.name, sanitize_html(f.value)) for f in actor.fields),
        url=actor.url,
        outbox_url=actor.outbox,
        shared_inbox_url=actor.shared_inbox,
        followers_url=actor.followers,
        following_url=actor.following,
        featured_url=actor.featured,
        public_key_id=key.id if key else None,
        public_key_pem=key.pem if key else None,
        avatar_remote_url=actor.icon.url if actor.icon else None,
        header_remote_url=actor.image.url if actor.image else None,
        ap_raw=orjson.dumps(actor.raw).decode(),
        suspended=actor.suspended,
    )


class KeyCache:
    """Loaded public keys by keyId, least recently used dropped first."""

    def __init__(self, size: int = KEY_CACHE_SIZE) -> None:
        self._size = size
        self._keys: OrderedDict[str, VerifyingKey] = OrderedDict()

    def get(self, key_id: str) -> VerifyingKey | None:
        found = self._keys.get(key_id)
        if found is not None:
            self._keys.move_to_end(key_id)
        return found

    def put(self, key: VerifyingKey) -> None:
        self._keys[key.key_id] = key
        self._keys.move_to_end(key.key_id)
        while len(self._keys) > self._size:
            self._keys.popitem(last=False)

    def drop(self, key_id: str) -> None:
        self._keys.pop(key_id, None)

    def __len__(self) -> int:
        return len(self._keys)


class Actors:
    """Remote actors through the cache: the database first, the network when needed."""

    def __init__(self, store: Store, fetcher: Fetcher) -> None:
        self.store = store
        self.fetcher = fetcher
        self.keys = KeyCache()

    async def cached(self, uri: str) -> AccountRef | None:
        async with self.store.read() as conn:
            return await account_by_uri(conn, uri)

    async def by_uri(self, uri: str, *, refresh: bool = False) -> AccountRef:
        """The account of actor ``uri``, fetched when unknown, stale or ``refresh``; refused
        (PolicyRefusedError) when its domain is, even if we hold a copy."""
        await self.fetcher.policy.check_url(uri)
        found = await self.cached(uri)
        if found is not None and (found.is_local or not (refresh or found.is_stale(now_ms()))):
            return found
        try:
            return await self.fetch(uri)
        except FetchError:
            if found is None or refresh:
                raise
            return found  # a stale copy is better than none while the peer is down

    async def fetch(self, uri: str) -> AccountRef:
        document = await self.fetcher.fetch_object(uri)
        try:
            actor = parse_actor_document(document)
        except ActivityPubError as exc:
            raise FetchError(f"{uri} is not a usable actor: {exc.message}") from exc
        return await self.store_actor(actor)

    async def store_actor(self, actor: Actor) -> AccountRef:
        remote = remote_actor_from_ap(actor)
        if await self.fetcher.policy.rejects_media(remote.domain):
            remote = replace(remote, avatar_remote_url=None, header_remote_url=None)
        await upsert_remote_account(self.store, remote)
        stored = await self.cached(actor.id)
        assert stored is not None
        if stored.public_key_id:
            self.keys.drop(stored.public_key_id)
        return stored

    async def key(self, key_id: str, *, refresh: bool = False) -> VerifyingKey:
        """The public key ``key_id`` names, from memory, the database, or its actor's server."""
        cached = None if refresh else self.keys.get(key_id)
        if cached is not None:
            return cached
        account = None if refresh else await self._account_by_key_id(key_id)
        if account is None:
            account = await self._fetch_key_owner(key_id)
        if account.public_key_id != key_id or not account.public_key_pem:
            raise FetchError("the key's actor does not publish that key")
        loaded = VerifyingKey(key_id, account.id, account.uri, _load(account.public_key_pem))
        self.keys.put(loaded)
        return loaded

    async def _account_by_key_id(self, key_id: str) -> AccountRef | None:
        async with self.store.read() as conn:
            return await account_by_key_id(conn, key_id)

    async def _fetch_key_owner(self, key_id: str) -> AccountRef:
        """Fetch the key document (usually the actor itself, ``actor#main-key``)."""
        url = key_id.split("#", 1)[0]
        _final, document = await self.fetcher.get_json(url)
        owner = document.get("owner")
        if document.get("id") != url and isinstance(owner, str):
            if not same_origin(owner, key_id):
                raise OriginMismatchError("the key's owner is on another origin")
            return await self.fetch(owner)
        return await self.fetch(url)

    async def by_acct(self, acct: str) -> AccountRef:
        """Resolve ``user@domain`` by WebFinger; the actor must be on the named domain."""
        parsed = parse_acct(acct)
        await self.fetcher.policy.check(parsed.domain)
        try:
            result = parse_jrd(await self.fetcher.webfinger(parsed.domain, str(parsed)))
        except ActivityPubError as exc:
            raise FetchError(f"WebFinger for {acct} failed: {exc.message}") from exc
        account = await self.by_uri(result.actor_url)
        if account.is_local:
            return account
        if account.domain != parsed.domain and domain_of(result.actor_url) != parsed.domain:
            raise OriginMismatchError(f"{acct} points at an actor on another domain")
        return account


def _load(pem: str) -> PublicKey:
    try:
        return load_public_key_pem(pem)
    except ActivityPubError as exc:
        raise FetchError("the actor's public key cannot be read") from exc
