"""The limit on failed sign-ins: 25 from one address in five minutes, then 429 on every
sign-in path (password grant, OAuth consent page, web app) until the window has passed,
for that address only."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import func, insert, select, update

from fediverse import sign_in_limits
from fediverse.ids import now_ms
from fediverse.storage.tables import sign_in_failures
from tests.web.mastodon.conftest import Instance
from tests.web.mastodon.test_oauth_flow import hidden_fields, register

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
HERE = "127.0.0.1"  # where httpx's ASGI transport says requests come from


async def _fail_until_the_limit(instance: Instance, creds: dict[str, str]) -> None:
    """Two real failures (they are written down), the rest written straight in."""
    for _ in range(2):
        wrong = await instance.client.post(
            "/oauth/token",
            data=creds | {"grant_type": "password", "username": "anna", "password": "wrong!!"},
        )
        assert wrong.status_code == 400
    async with instance.store.write() as conn:
        count = await conn.fetch_val(select(func.count()).select_from(sign_in_failures))
        assert count == 2
        for _ in range(sign_in_limits.LIMIT - 2):
            await conn.execute(
                insert(sign_in_failures).values(
                    id=instance.store.new_id(), address=HERE, created_at=now_ms()
                )
            )


async def test_password_grant__refused_after_too_many_failures_then_allowed_again(
    instance: Instance,
) -> None:
    await instance.member("anna")
    app = await register(instance.client, "urn:ietf:wg:oauth:2.0:oob")
    creds = {"client_id": app["client_id"], "client_secret": app["client_secret"]}
    right = creds | {"grant_type": "password", "username": "anna", "password": "password123"}
    await _fail_until_the_limit(instance, creds)

    refused = await instance.client.post("/oauth/token", data=right)
    assert refused.status_code == 429
    assert refused.json() == {"error": "Too many requests"}
    assert 1 <= int(refused.headers["retry-after"]) <= 301

    elsewhere = httpx.ASGITransport(app=instance.client._transport.app, client=("10.1.2.3", 9))  # type: ignore[attr-defined]
    async with httpx.AsyncClient(transport=elsewhere, base_url=instance.settings.base_url) as other:
        assert (await other.post("/oauth/token", data=right)).status_code == 200

    async with instance.store.write() as conn:  # five minutes later
        await conn.execute(
            update(sign_in_failures).values(
                created_at=sign_in_failures.c.created_at - sign_in_limits.WINDOW_MS
            )
        )
    assert (await instance.client.post("/oauth/token", data=right)).status_code == 200


async def test_consent_page_and_web_app__say_so_in_the_visitors_language(
    instance: Instance,
) -> None:
    await instance.member("anna")
    app = await register(instance.client, "urn:ietf:wg:oauth:2.0:oob")
    await _fail_until_the_limit(
        instance, {"client_id": app["client_id"], "client_secret": app["client_secret"]}
    )
    page = await instance.client.get("/oauth/authorize", params={"client_id": app["client_id"]})
    form = hidden_fields(page.text) | {"login": "anna", "password": "password123"}
    refused = await instance.client.post("/oauth/authorize", data=form)
    assert refused.status_code == 429
    assert "För många misslyckade inloggningar" in refused.text
    assert "kollegium_session" not in refused.cookies

    sign_in = await instance.client.get("/sign_in")
    csrf = CSRF.search(sign_in.text)
    assert csrf is not None
    answer = await instance.client.post(
        "/sign_in",
        data={"csrf_token": csrf.group(1), "login": "anna", "password": "password123"},
    )
    assert answer.status_code == 429
    assert "För många misslyckade inloggningar" in answer.text
    assert int(answer.headers["retry-after"]) >= 1
    assert "kollegium_session" not in answer.cookies
