"""An in-process Kollegium for Mastodon API tests: the real app, a real database, httpx."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from sqlalchemy import select

from fediverse import oauth
from fediverse.accounts import NewUser, create_user
from fediverse.runtime import Runtime
from fediverse.settings import Settings
from fediverse.storage.database import Store
from fediverse.storage.tables import metadata
from tests.conftest import make_settings
from web.app import create_app

SKIP_TABLES = {"id_nodes"}  # the node lease is renewed on a timer, whatever the request did


@dataclass
class Member:
    """A member of staff with an access token, as a client would hold it."""

    username: str
    account_id: int
    user_id: int
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Instance:
    """A running app in-process: its client, runtime and helpers to make members."""

    client: httpx.AsyncClient
    runtime: Runtime
    settings: Settings

    @property
    def store(self) -> Store:
        return self.runtime.store

    async def member(
        self, username: str, *, scopes: str = "read write follow push", locked: bool = False
    ) -> Member:
        created = await create_user(
            self.store,
            self.settings.base_url,
            NewUser(username, f"{username}@kommun-a.se", "password123"),
        )
        app, _secret = await oauth.create_application(
            self.store,
            name="tests",
            redirect_uris=[oauth.OOB],
            scopes=oauth.parse_scopes("read write follow push profile"),
            website=None,
        )
        async with self.store.write() as conn:
            issued = await oauth._issue(  # the test skips the password hash round trip
                self.store, conn, app.id, created.user_id, oauth.parse_scopes(scopes)
            )
        member = Member(username, created.account_id, created.user_id, issued.access_token)
        if locked:
            response = await self.client.patch(
                "/api/v1/accounts/update_credentials",
                data={"locked": "true"},
                headers=member.headers,
            )
            assert response.status_code == 200
        return member


@pytest.fixture
async def instance(database_url: str, tmp_path: Path) -> AsyncIterator[Instance]:
    settings = make_settings(database_url=database_url, media_dir=tmp_path / "media")
    app = create_app(settings, run_worker=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=settings.base_url) as client:
            yield Instance(client, app.state.runtime, settings)


async def snapshot(store: Store) -> dict[str, list[Any]]:
    """Every row of every table, to show that a refused request changed nothing."""
    tables: dict[str, list[Any]] = {}
    async with store.read() as conn:
        for name, table in metadata.tables.items():
            if name in SKIP_TABLES:
                continue
            rows = await conn.fetch_all(select(table))
            tables[name] = sorted(
                repr(sorted((str(k), repr(v)) for k, v in dict(r._mapping).items())) for r in rows
            )
    return tables


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (120, 90), **save: Any) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(out, fmt, **save)
    return out.getvalue()
