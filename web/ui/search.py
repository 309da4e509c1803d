"""Search: colleagues by name or handle, and hashtags; a hashtag's posts."""

from __future__ import annotations

import re

from starlette.responses import Response

from fediverse import directory, timelines
from fediverse.hydrate import Row
from web.mastodon.serializers.accounts import serialize_account
from web.ui.pages import Ui
from web.ui.views import older_url, page_query, status_dicts

LIMIT = 20


_ACCT = re.compile(r"^@?[\w.-]+@[\w.-]+(:\d+)?$")


async def _remote(ui: Ui, q: str) -> list[Row]:
    """A colleague in another municipality named ``user@domain``, fetched by federation
    (as the API's search with resolve=true); nothing when it cannot be fetched or allowed."""
    from fediverse.errors import KollegiumError
    from web.activitypub.common import federation_of

    handle = q.lstrip("@")
    if not _ACCT.match(q) or handle.split("@", 1)[1] == ui.settings.domain:
        return []
    try:
        found = await federation_of(ui.request).actors.by_acct(handle)
    except KollegiumError:  # federation's errors too: unknown, refused, unreachable
        return []
    return [await directory.account_by_id(ui.runtime.store, found.id)]


async def search(ui: Ui) -> Response:
    q = ui.request.query_params.get("q", "").strip()[:200]
    accounts: list[dict[str, object]] = []
    tags: list[str] = []
    if q:
        store = ui.runtime.store
        rows = await _remote(ui, q) or await directory.search(
            store, ui.account_id, q, limit=LIMIT, offset=0, following=False
        )
        accounts = [serialize_account(r, ui.settings.base_url) for r in rows]
        tags = await directory.search_tags(store, q.lstrip("#"), limit=LIMIT, offset=0)
    return ui.render("ui/search.html", ui.gettext("Search"), q=q, accounts=accounts, tags=tags)


async def tag(ui: Ui) -> Response:
    name = str(ui.request.path_params["name"])[:100]
    rows = await timelines.tag(
        ui.runtime.store,
        ui.account_id,
        name,
        page_query(ui),
        timelines.TagFilter(),
    )
    return ui.render(
        "ui/tag.html",
        f"#{name}",
        statuses=await status_dicts(ui, rows),
        older=older_url(ui, rows),
        next=f"/tags/{name}",
    )
