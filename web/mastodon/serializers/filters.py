"""Filter, FilterKeyword, FilterStatus and FilterResult entities, and ``filtered`` on statuses."""

from __future__ import annotations

from typing import Any

from fediverse.filters import ActiveFilters, Filter
from fediverse.hydrate import Row
from web.mastodon.serializers.common import iso_time


def serialize_keyword(row: Row) -> dict[str, Any]:
    return {"id": str(row["id"]), "keyword": row["keyword"], "whole_word": bool(row["whole_word"])}


def serialize_filter_status(row: Row) -> dict[str, Any]:
    return {"id": str(row["id"]), "status_id": str(row["status_id"])}


def serialize_filter(f: Filter) -> dict[str, Any]:
    return {
        "id": str(f.id),
        "title": f.row["title"],
        "context": f.context,
        "expires_at": iso_time(f.row["expires_at"]),
        "filter_action": f.action,
        "keywords": [serialize_keyword(k) for k in f.keywords],
        "statuses": [serialize_filter_status(s) for s in f.statuses],
    }


def serialize_v1(f: Filter, keyword: Row) -> dict[str, Any]:
    """The v1 view: one filter per keyword."""
    return {
        "id": str(keyword["id"]),
        "phrase": keyword["keyword"],
        "context": f.context,
        "whole_word": bool(keyword["whole_word"]),
        "expires_at": iso_time(f.row["expires_at"]),
        "irreversible": f.action == "hide",
    }


def apply_filters(
    entities: list[dict[str, Any]], active: ActiveFilters, context: str | None
) -> list[dict[str, Any]]:
    """Set ``filtered`` on each status (and its boosted original); in a timeline of
    ``context``, leave out the statuses a ``hide`` filter of that context matches."""
    from fediverse.filters import status_text

    kept = []
    for entity in entities:
        shown = entity["reblog"] or entity
        matches = active.matches(int(shown["id"]), status_text(shown))
        results = [
            {
                "filter": serialize_filter(m.filter),
                "keyword_matches": m.keyword_matches,
                "status_matches": m.status_matches,
            }
            for m in matches
        ]
        shown["filtered"] = results
        if entity is not shown:
            entity["filtered"] = results
        if context is not None and active.hides(matches, context):
            continue
        kept.append(entity)
    return kept
