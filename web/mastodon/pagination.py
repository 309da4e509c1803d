"""Page parameters and the ``Link`` header: absolute URLs, ``next`` first, other params kept."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

from fediverse.paging import PageQuery
from web.mastodon.endpoint import Call

_BOUNDS = ("max_id", "since_id", "min_id")


def page_query(call: Call, *, default: int = 20, maximum: int = 40) -> PageQuery:
    """Bounds and a limit clamped to 1..``maximum`` (Mastodon's max is twice the default)."""
    p = call.params
    limit = p.integer("limit", default)
    return PageQuery(
        limit=max(1, min(abs(limit), maximum)),
        max_id=p.id("max_id"),
        since_id=p.id("since_id"),
        min_id=p.id("min_id"),
    )


def _url(call: Call, bound: str, value: int) -> str:
    kept = [(k, v) for k, v in call.request.query_params.multi_items() if k not in _BOUNDS]
    query = urlencode([*kept, (bound, str(value))])
    return f"{call.settings.base_url}{call.request.url.path}?{query}"


def link_header(call: Call, keys: Sequence[int]) -> dict[str, str]:
    """``Link`` for a newest-first page whose pagination keys are ``keys``; none when empty."""
    if not keys:
        return {}
    older = _url(call, "max_id", keys[-1])
    newer = _url(call, "min_id", keys[0])
    return {"link": f'<{older}>; rel="next", <{newer}>; rel="prev"'}
