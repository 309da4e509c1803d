"""Finding a status by its URL for search (``resolve=true``): ours or known, else fetched."""

from __future__ import annotations

from sqlalchemy import or_, select

from activitypub.errors import ActivityPubError
from activitypub.vocab import parse_post_document
from activitypub.vocab.fields import same_origin
from federation.errors import FederationError
from federation.incoming import store_note
from federation.service import Federation
from fediverse.storage.tables import statuses


async def resolve_status(fed: Federation, url: str) -> int | None:
    """The id of the status at ``url``: one we have (by id or page URL), or one fetched from
    its server and stored; None when there is none or it cannot be fetched."""
    async with fed.runtime.store.read() as conn:
        known = await conn.fetch_val(
            select(statuses.c.id).where(or_(statuses.c.uri == url, statuses.c.url == url)).limit(1)
        )
    if known is not None:
        return int(known)
    try:
        await fed.policy.check_url(url)
        note = parse_post_document(await fed.fetcher.fetch_object(url))
        if note.author is None or not same_origin(note.id, note.author):
            return None
        author = await fed.actors.by_uri(note.author)
        stored = await store_note(fed, note, author, require_relevance=False)
    except (FederationError, ActivityPubError):
        return None
    return stored.id if stored is not None else None
