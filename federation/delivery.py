"""Delivery: a ``federate`` job becomes one ``deliver`` job per inbox; each delivery signs
and POSTs, and is retried with backoff for more than two days.

A peer that answers 2xx is healthy; 4xx (but 401 after both schemes, 408 and 429) means
it will never take this activity, so the job ends; anything else is retried, and a peer
that keeps failing is marked unavailable (federation.peers).
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
import orjson

from activitypub.signatures import Scheme
from federation import groups, outgoing, outgoing_relations, outgoing_reports
from federation.errors import DeliveryError, SendError
from federation.http import ACTIVITY_TYPES
from federation.outgoing import Builder, Outgoing
from federation.peers import Peers
from federation.policy import domain_of
from federation.sender import Sender
from federation.service import Federation
from federation.signing import SignatureAuth
from fediverse.jobs.backoff import BASE_MS, CAP_MS, JITTER
from fediverse.outgoing import ACTOR_SUSPENSION

log = logging.getLogger(__name__)
DELIVER = "deliver"
MIN_RETRY_MS = 2 * 24 * 3_600_000
RETRYABLE_4XX = frozenset({401, 408, 429})


def attempts_for(duration_ms: int) -> int:
    """Tries needed so that retries span ``duration_ms`` even if every jitter runs short."""
    total, attempts = 0.0, 1
    while total < duration_ms:
        total += min(BASE_MS * 2 ** (attempts - 1), CAP_MS) * (1 - JITTER)
        attempts += 1
    return attempts


DELIVER_ATTEMPTS = attempts_for(MIN_RETRY_MS)

BUILDERS: dict[str, Builder] = {
    "status.create": outgoing.status_create,
    "status.update": outgoing.status_update,
    "status.delete": outgoing.status_delete,
    "reblog": outgoing.reblog,
    "unreblog": outgoing.unreblog,
    "actor.update": outgoing.actor_update,
    ACTOR_SUSPENSION: outgoing.actor_suspension,
    "follow": outgoing_relations.follow,
    "unfollow": outgoing_relations.unfollow,
    "accept_follow": outgoing_relations.accept_follow,
    "reject_follow": outgoing_relations.reject_follow,
    "remove_follower": outgoing_relations.reject_follow,
    "favourite": outgoing_relations.favourite,
    "unfavourite": outgoing_relations.unfavourite,
    "block": outgoing_relations.block,
    "unblock": outgoing_relations.unblock,
    "report.forward": outgoing_reports.report_forward,
    "group.announce_activity": groups.announce_activity,
    "group.announce_object": groups.announce_object,
    "group.remove": groups.announce_removal,
}


class Delivery:
    """The two job handlers of sending: fan-out (``federate``) and one POST (``deliver``)."""

    def __init__(self, fed: Federation, sender: Sender | None = None) -> None:
        self.fed = fed
        self.sender = sender
        self.peers = Peers(fed.runtime.store)
        self._learned: list[tuple[str, Scheme]] = []
        self._loaded = False
        fed.memory.listeners.append(lambda domain, scheme: self._learned.append((domain, scheme)))

    async def federate(self, payload: dict[str, Any]) -> None:
        builder = BUILDERS.get(str(payload.get("kind")))
        if builder is None:
            log.warning("unknown federate kind", extra={"kind": payload.get("kind")})
            return
        store = self.fed.runtime.store
        async with store.write() as conn:
            found = await builder(self.fed, conn, payload)
            if found is not None:
                await self._fan_out(conn, found)

    async def _fan_out(self, conn: Any, found: Outgoing) -> None:
        body = orjson.dumps(found.activity).decode()
        jobs = [
            (DELIVER, {"account_id": found.account_id, "inbox": inbox, "body": body})
            for inbox in found.inboxes
            if await self.fed.policy.allows(domain_of(inbox))
        ]
        await self.fed.runtime.queue.enqueue_many(conn, jobs, max_attempts=DELIVER_ATTEMPTS)

    async def deliver(self, payload: dict[str, Any]) -> None:
        inbox = str(payload["inbox"])
        domain = domain_of(inbox)
        if not await self.fed.policy.allows(domain):
            return  # blocked since: never delivered to
        await self._load_once()
        if not self.peers.may_try(domain):
            raise DeliveryError(f"{domain} is unavailable; waiting to probe it again")
        key = await self.fed.keys.for_account(int(payload["account_id"]))
        try:
            status = await self._post(inbox, str(payload["body"]).encode(), key)
        except (httpx.HTTPError, SendError, TimeoutError) as exc:
            await self.peers.failed(domain)
            raise DeliveryError(f"delivery to {inbox} failed: {type(exc).__name__}") from exc
        await self._saw(domain, status, inbox)

    async def _load_once(self) -> None:
        if not self._loaded:
            await self.peers.load()
            await self.fed.load_schemes()
            self._loaded = True

    async def _post(self, inbox: str, body: bytes, key: Any) -> int:
        if self.sender is not None:
            status = await self.sender.post(inbox, body, key)
        else:
            response = await self.fed.http.post(
                inbox,
                content=body,
                headers={"Content-Type": ACTIVITY_TYPES[0]},
                auth=SignatureAuth(key, self.fed.memory),
            )
            status = response.status_code
        await self._save_learned()
        return status

    async def _saw(self, domain: str, status: int, inbox: str) -> None:
        if 200 <= status < 300:
            await self.peers.succeeded(domain)
            return
        if 400 <= status < 500 and status not in RETRYABLE_4XX:
            await self.peers.succeeded(domain)  # it answered; it will never take this one
            log.info("delivery refused for good", extra={"inbox": inbox, "status": status})
            return
        if status == 401:
            log.info("delivery refused: signature not accepted", extra={"inbox": inbox})
            return
        await self.peers.failed(domain)
        raise DeliveryError(f"delivery to {inbox} answered {status}")

    async def _save_learned(self) -> None:
        while self._learned:
            domain, scheme = self._learned.pop()
            if scheme is not Scheme.CAVAGE:  # cavage is tried first anyway: nothing to keep
                await self.fed.save_scheme(domain, scheme)
