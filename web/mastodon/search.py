"""``GET /api/v2/search``: local and known accounts, hashtags, and statuses by full text
(fediverse.search); ``resolve=true`` fetches a remote account or status named by URL."""

from __future__ import annotations

import re
from urllib.parse import quote

from starlette.responses import Response

from fediverse import directory
from fediverse.errors import KollegiumError, ValidationError
from fediverse.search import search_statuses
from fediverse.tags import following_names
from fediverse.visibility import visible_rows
from web.mastodon.endpoint import Call, api, json
from web.mastodon.render import accounts_json, statuses_json

TYPES = ("accounts", "hashtags", "statuses")
_ACCT = re.compile(r"^@?[\w.-]+@[\w.-]+(:\d+)?$")


async def _resolve_remote(call: Call, q: str) -> int | None:
    """A remote account named by ``user@domain`` or its URL, fetched by federation; None
    when it is not one, or cannot be fetched (a search finds nothing rather than failing)."""
    from federation.errors import FederationError, PolicyRefusedError
    from web.activitypub.common import federation_of

    text = q.strip()
    actors = federation_of(call.request).actors
    try:
        if text.startswith(("https://", "http://")):
            return (await actors.by_uri(text)).id
        if _ACCT.match(text) and text.lstrip("@").split("@", 1)[1] != call.settings.domain:
            return (await actors.by_acct(text.lstrip("@"))).id
    except PolicyRefusedError:
        raise  # a refused domain is found neither remotely nor in what we hold of it
    except FederationError:
        return None
    return None


async def _statuses(call: Call, q: str, limit: int, offset: int) -> list[object]:
    p = call.params
    if p.flag("resolve", False) and q.strip().startswith(("https://", "http://")):
        from federation.resolve import resolve_status
        from web.activitypub.common import federation_of

        resolved = await resolve_status(federation_of(call.request), q.strip())
        rows = await visible_rows(call.store, call.account_id, [resolved] if resolved else [])
        return list(await statuses_json(call, rows))
    rows = await search_statuses(
        call.store,
        call.account_id,
        q,
        limit=limit,
        offset=offset,
        account_id=p.id("account_id"),
        max_id=p.id("max_id"),
        min_id=p.id("min_id"),
    )
    return list(await statuses_json(call, rows))


@api("read:search")
async def search(call: Call) -> Response:
    p = call.params
    q = p.required_str("q", max_length=500)
    kind = p.text("type")
    if kind is not None and kind not in TYPES:
        raise ValidationError(f"type must be one of {', '.join(TYPES)}")
    limit = max(1, min(p.integer("limit", 20), 40))
    offset = p.integer("offset", 0)
    if offset < 0:
        raise ValidationError("offset must be 0 or more")
    found: dict[str, list[object]] = {"accounts": [], "statuses": [], "hashtags": []}
    if kind in (None, "accounts") and p.flag("resolve", False):
        try:
            resolved = await _resolve_remote(call, q)
        except KollegiumError:  # the federation policy refuses the domain
            return json(found)
        if resolved is not None:
            row = await directory.account_by_id(call.store, resolved)
            found["accounts"] = list(accounts_json(call, [row]))
            return json(found)
    if kind in (None, "accounts"):
        rows = await directory.search(
            call.store,
            call.account_id,
            q,
            limit=limit,
            offset=offset,
            following=bool(p.flag("following", False)),
        )
        found["accounts"] = list(accounts_json(call, rows))
    if kind in (None, "statuses"):
        found["statuses"] = await _statuses(call, q, limit, offset)
    if kind in (None, "hashtags"):
        names = await directory.search_tags(call.store, q, limit=limit, offset=offset)
        base = call.settings.base_url
        followed = await following_names(call.store, call.account_id, [n.lower() for n in names])
        found["hashtags"] = [
            {
                "name": n.lower(),
                "url": f"{base}/tags/{quote(n.lower())}",
                "history": [],
                "following": n.lower() in followed,
            }
            for n in names
        ]
    return json(found)
