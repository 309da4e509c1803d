"""The worker's half of the inbox: parse a stored activity and hand it to its handler."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from sqlalchemy import select, update

from activitypub.errors import ActivityPubError
from activitypub.vocab import parse_activity
from federation.errors import FetchError, PolicyRefusedError
from federation.handlers import HANDLERS, Context
from federation.policy import domain_of
from federation.service import Federation
from fediverse.ids import now_ms
from fediverse.storage.tables import received_activities

log = logging.getLogger(__name__)


async def process_received(fed: Federation, payload: dict[str, Any]) -> None:
    """Process one stored activity once; an unknown type is only marked processed."""
    store = fed.runtime.store
    async with store.read() as conn:
        row = await conn.fetch_one(
            select(received_activities.c.ap_raw, received_activities.c.processed_at).where(
                received_activities.c.id == int(payload["id"])
            )
        )
    if row is None or row[1] is not None:
        return
    raw = orjson.loads(row[0])
    handler = HANDLERS.get(str(raw.get("type")))
    if handler is not None:
        await _dispatch(fed, handler, raw)
    async with store.write() as conn:
        await conn.execute(
            update(received_activities)
            .where(received_activities.c.id == int(payload["id"]))
            .values(processed_at=now_ms())
        )


async def _dispatch(fed: Federation, handler: Any, raw: dict[str, Any]) -> None:
    try:
        activity = parse_activity(raw)
    except ActivityPubError as exc:  # checked at the inbox; a parser change may still refuse
        log.warning("stored activity no longer parses", extra={"error": exc.message})
        return
    if not await fed.policy.allows(domain_of(activity.actor)):
        return  # stored before its domain was suspended (or the mode closed): dropped
    try:
        actor = await fed.actors.by_uri(activity.actor)
    except FetchError:
        raise  # the worker retries: the actor's server may be back later
    if actor.suspended_at is not None:
        return
    try:
        await handler(Context(fed, actor), activity)
    except PolicyRefusedError as exc:  # e.g. a boost of a post on a refused domain
        log.info("activity refers to a refused domain", extra={"error": exc.message})
