"""Keyset pages over snowflake ids: ``max_id``, ``since_id`` and ``min_id``, as in Mastodon."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PageQuery:
    """Which slice of a newest-first list: below ``max_id``, above ``since_id`` or ``min_id``.

    ``min_id`` pages upward from just above it (the oldest first, then turned around);
    ``since_id`` gives the newest items above it.
    """

    limit: int = 20
    max_id: int | None = None
    since_id: int | None = None
    min_id: int | None = None


def apply_page(query: Select[Any], column: ColumnElement[Any], page: PageQuery) -> Select[Any]:
    """Add the keyset bounds, order and limit of ``page`` on ``column`` to ``query``."""
    if page.max_id is not None:
        query = query.where(column < page.max_id)
    if page.since_id is not None:
        query = query.where(column > page.since_id)
    if page.min_id is not None:
        return query.where(column > page.min_id).order_by(column.asc()).limit(page.limit)
    return query.order_by(column.desc()).limit(page.limit)


def newest_first(rows: Sequence[T], page: PageQuery) -> list[T]:
    """Rows of a page in the newest-first order clients expect."""
    return list(reversed(rows)) if page.min_id is not None else list(rows)
