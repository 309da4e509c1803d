"""Small shapes every entity uses: times, ids, media and static URLs."""

from __future__ import annotations

from datetime import UTC, datetime

DEFAULT_AVATAR = "/static/avatar.png"
DEFAULT_HEADER = "/static/header.png"


def iso_time(ms: int | None) -> str | None:
    """Unix milliseconds as Mastodon writes times: ``2026-11-27T09:00:00.000Z``."""
    if ms is None:
        return None
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def iso_midnight(ms: int) -> str:
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT00:00:00.000Z")


def iso_date(ms: int | None) -> str | None:
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d")


def media_url(base_url: str, path: str | None) -> str | None:
    return f"{base_url}/media/{path}" if path else None


def sid(value: int | None) -> str | None:
    """Ids are strings in Mastodon's API, so that JavaScript clients keep every digit."""
    return str(value) if value is not None else None
