"""Shared helpers for the protocol tests: recorded remote documents and small factories."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "remote"


def load_fixture(name: str) -> dict[str, Any]:
    """A recorded remote document, e.g. ``load_fixture("mastodon/actor.json")``."""
    document: dict[str, Any] = orjson.loads((FIXTURES / name).read_bytes())
    return document


def fixture_names(exclude: str = "webfinger/") -> list[str]:
    """Every recorded ActivityStreams document, relative to the fixtures directory."""
    paths = sorted(FIXTURES.rglob("*.json"))
    names = [path.relative_to(FIXTURES).as_posix() for path in paths]
    return [name for name in names if not name.startswith(exclude)]


def make_note(**overrides: Any) -> dict[str, Any]:
    """A minimal valid Note from kommun-b.test; keyword arguments replace fields."""
    note: dict[str, Any] = {
        "id": "https://kommun-b.test/users/anna/statuses/1",
        "type": "Note",
        "attributedTo": "https://kommun-b.test/users/anna",
        "content": "<p>Hej</p>",
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": ["https://kommun-b.test/users/anna/followers"],
        "published": "2024-05-01T10:00:00Z",
    }
    note.update(overrides)
    return {key: value for key, value in note.items() if value is not None}


def make_activity(kind: str = "Create", obj: Any = None, **overrides: Any) -> dict[str, Any]:
    """A minimal activity from anna at kommun-b.test wrapping ``obj`` (a Note by default)."""
    activity: dict[str, Any] = {
        "id": f"https://kommun-b.test/activities/{kind.lower()}/1",
        "type": kind,
        "actor": "https://kommun-b.test/users/anna",
        "object": make_note() if obj is None else obj,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
    }
    activity.update(overrides)
    return {key: value for key, value in activity.items() if value is not None}
