"""Domain rows to what templates show: statuses and accounts through the API's serializers,
so that a page and an app see the same post the same way."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from fediverse.hydrate import Row, load_accounts, load_status_page
from fediverse.paging import PageQuery
from web.mastodon.serializers.accounts import serialize_account
from web.mastodon.serializers.statuses import StatusSerializer
from web.ui.pages import Ui

PAGE_SIZE = 20


async def status_dicts(ui: Ui, rows: Sequence[Row]) -> list[dict[str, Any]]:
    viewer = ui.user.account_id if ui.user else None
    async with ui.runtime.store.read() as conn:
        page = await load_status_page(conn, rows, viewer)
    return StatusSerializer(page, ui.settings.base_url).all()


async def account_dicts(ui: Ui, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    async with ui.runtime.store.read() as conn:
        found = await load_accounts(conn, ids)
    return {i: serialize_account(row, ui.settings.base_url) for i, row in found.items()}


def query_id(ui: Ui, name: str) -> int | None:
    raw = ui.request.query_params.get(name, "")
    return int(raw) if raw.isdigit() and len(raw) <= 19 else None


def page_query(ui: Ui, limit: int = PAGE_SIZE) -> PageQuery:
    return PageQuery(limit=limit, max_id=query_id(ui, "max_id"), since_id=query_id(ui, "since_id"))


def older_url(ui: Ui, rows: Sequence[Row], limit: int = PAGE_SIZE) -> str | None:
    """The link to the next, older page; None on the last page."""
    if len(rows) < limit:
        return None
    params = dict(ui.request.query_params)
    params["max_id"] = str(rows[-1]["id"])
    params.pop("since_id", None)
    from urllib.parse import urlencode

    return f"{ui.request.url.path}?{urlencode(params)}"


def local_path(target: str, fallback: str = "/") -> str:
    """A redirect target from a form, only if it stays on this site."""
    parts = urlsplit(target)
    # Browsers read "/\\host" as "//host": a backslash anywhere is refused too.
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    if "\\" in target or any(ord(c) < 32 for c in target):
        return fallback
    return target
