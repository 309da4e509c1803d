"""Small shapes every entity uses: times, ids, media and static URLs."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

DEFAULT_AVATAR = "/static/avatar.png"
DEFAULT_HEADER = "/static/header.png"


def iso_time(ms: int | None) -> str | None:
    """Unix milliseconds as Mastodon writes times: ``2026-11-27T09:00:00.000Z``."""
    if ms is None:
        return None
    return _iso_second(ms // 1000) + f".{ms % 1000:03d}Z"


@lru_cache(maxsize=4096)
def _iso_second(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, tz=UTC).isoformat()[:19]


def iso_midnight(ms: int) -> str:
    return _iso_day(ms // 86_400_000) + "T00:00:00.000Z"


def iso_date(ms: int | None) -> str | None:
    if ms is None:
        return None
    return _iso_day(ms // 86_400_000)


@lru_cache(maxsize=4096)
def _iso_day(day: int) -> str:
    return datetime.fromtimestamp(day * 86_400, tz=UTC).date().isoformat()


def media_url(base_url: str, path: str | None) -> str | None:
    return f"{base_url}/media/{path}" if path else None


def sid(value: int | None) -> str | None:
    """Ids are strings in Mastodon's API, so that JavaScript clients keep every digit."""
    return str(value) if value is not None else None
