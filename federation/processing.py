"""The worker's half of the inbox: parse a stored activity and hand it to its handler."""

from __future__ import annotations

import logging
from typing import Any

import orjson

from activitypub.errors import ActivityPubError
from activitypub.vocab import Activity, parse_activity
from federation.errors import FetchError, PolicyRefusedError
from federation.handlers import HANDLERS, Context
from federation.policy import domain_of
from federation.receipts import PROCESSED, Receipt
from federation.service import Federation
from fediverse.ids import now_ms
from fediverse.rawsql import Raw
from fediverse.remote import REMOTE, AccountRef

log = logging.getLogger(__name__)


_STORED = "SELECT ap_raw, processed_at FROM received_activities WHERE id = ?"


async def process_received(fed: Federation, payload: dict[str, Any]) -> None:
    """Process one stored activity once; an unknown type is only marked processed.

    Both statements are hand-written (``fediverse.rawsql``): compiling them cost more than
    running them, twice for every activity a worker processes.
    """
    store = fed.runtime.store
    received_id = int(payload["id"])
    async with store.read() as conn:
        rows = await Raw(conn).rows(_STORED, ("ap_raw", "processed_at"), received_id)
    if not rows or rows[0]["processed_at"] is not None:
        return
    raw = orjson.loads(rows[0]["ap_raw"])
    handler = HANDLERS.get(str(raw.get("type")))
    receipt = Receipt(received_id)
    if handler is not None:
        await _dispatch(fed, handler, raw, receipt)
    if not receipt.marked:  # a handler may have marked it in its own transaction
        await store.write_alone(PROCESSED, now_ms(), received_id)


def _allowed_while_suspended(actor: AccountRef, activity: Activity) -> bool:
    """An actor its own server suspended may still tell us about itself: an Update that
    lifts the suspension, or its Delete. Nothing of an actor our moderators suspended is
    taken."""
    return actor.suspension_origin == REMOTE and activity.object_id == actor.uri


async def _dispatch(fed: Federation, handler: Any, raw: dict[str, Any], receipt: Receipt) -> None:
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
    if actor.suspended_at is not None and not _allowed_while_suspended(actor, activity):
        return
    try:
        await handler(Context(fed, actor, receipt), activity)
    except PolicyRefusedError as exc:  # e.g. a boost of a post on a refused domain
        log.info("activity refers to a refused domain", extra={"error": exc.message})
