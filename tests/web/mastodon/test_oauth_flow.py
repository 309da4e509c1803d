"""Signing in: the authorize page with CSRF, codes with PKCE, tokens, refresh and revocation."""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.conftest import make_settings
from tests.web.mastodon.conftest import Instance

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def register(client: httpx.AsyncClient, redirect_uri: str) -> dict[str, str]:
    response = await client.post(
        "/api/v1/apps",
        data={"client_name": "Appen", "redirect_uris": redirect_uri, "scopes": "read write"},
    )
    assert response.status_code == 200
    return dict(response.json())


def hidden_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', html))


async def sign_in_and_consent(
    client: httpx.AsyncClient, query: dict[str, str], login: str = "anna"
) -> httpx.Response:
    page = await client.get("/oauth/authorize", params=query)
    assert page.status_code == 200
    assert "Logga in" in page.text  # Swedish by default
    form = hidden_fields(page.text) | {"login": login, "password": "password123"}
    consent = await client.post("/oauth/authorize", data=form)
    assert consent.status_code == 200, consent.text
    assert "Appen" in consent.text
    return await client.post(
        "/oauth/authorize", data=hidden_fields(consent.text) | {"step": "approve"}
    )


async def test_authorize__custom_scheme_redirect_with_pkce(instance: Instance) -> None:
    await instance.member("anna")
    app = await register(instance.client, "kollegium-app://callback")
    verifier = "a-long-enough-verifier-for-pkce-0123456789-abcdef"
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    query = {
        "response_type": "code",
        "client_id": app["client_id"],
        "redirect_uri": "kollegium-app://callback",
        "scope": "read",
        "state": "xyz",
        "code_challenge": challenge.decode().rstrip("="),
        "code_challenge_method": "S256",
    }
    answer = await sign_in_and_consent(instance.client, query)
    assert answer.status_code == 302
    location = urlsplit(answer.headers["location"])
    assert location.scheme == "kollegium-app"
    params = parse_qs(location.query)
    assert params["state"] == ["xyz"]
    token_form = {
        "grant_type": "authorization_code",
        "code": params["code"][0],
        "client_id": app["client_id"],
        "client_secret": app["client_secret"],
        "redirect_uri": "kollegium-app://callback",
    }
    wrong = await instance.client.post("/oauth/token", data=token_form | {"code_verifier": "nope"})
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    right = await instance.client.post(
        "/oauth/token", data=token_form | {"code_verifier": verifier}
    )
    assert right.status_code == 200
    assert right.json()["scope"] == "read"
    again = await instance.client.post(
        "/oauth/token", data=token_form | {"code_verifier": verifier}
    )
    assert again.status_code == 400


async def test_authorize__oob_shows_the_code_and_it_gives_a_token(instance: Instance) -> None:
    await instance.member("anna")
    app = await register(instance.client, "urn:ietf:wg:oauth:2.0:oob")
    query = {
        "response_type": "code",
        "client_id": app["client_id"],
        "redirect_uri": "urn:ietf:wg:oauth:2.0:oob",
        "scope": "read write",
    }
    answer = await sign_in_and_consent(instance.client, query)
    code = re.search(r'id="authorization-code">([^<]+)<', answer.text)
    assert code is not None
    token = await instance.client.post(
        "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code.group(1),
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "redirect_uri": "urn:ietf:wg:oauth:2.0:oob",
        },
    )
    assert token.status_code == 200
    body = token.json()
    assert body["scope"] == "read write"
    assert isinstance(body["created_at"], int)
    me = await instance.client.get(
        "/api/v1/accounts/verify_credentials",
        headers={"Authorization": f"Bearer {body['access_token']}"},
    )
    assert me.json()["username"] == "anna"
    refreshed = await instance.client.post(
        "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": body["refresh_token"],
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
        },
    )
    assert refreshed.status_code == 200
    old = await instance.client.get(
        "/api/v1/accounts/verify_credentials",
        headers={"Authorization": f"Bearer {body['access_token']}"},
    )
    assert old.status_code == 401
    assert old.json() == {"error": "The access token is invalid"}


async def test_authorize__refuses_a_post_without_the_csrf_token(instance: Instance) -> None:
    await instance.member("anna")
    app = await register(instance.client, "urn:ietf:wg:oauth:2.0:oob")
    form = {
        "client_id": app["client_id"],
        "redirect_uri": "urn:ietf:wg:oauth:2.0:oob",
        "step": "sign_in",
        "login": "anna",
        "password": "password123",
    }
    answer = await instance.client.post("/oauth/authorize", data=form)
    assert answer.status_code == 403
    assert "kollegium_session" not in answer.cookies


async def test_authorize__wrong_password_shows_the_form_again(instance: Instance) -> None:
    await instance.member("anna")
    app = await register(instance.client, "urn:ietf:wg:oauth:2.0:oob")
    page = await instance.client.get(
        "/oauth/authorize/", params={"client_id": app["client_id"], "lang": "en"}
    )
    assert "Sign in" in page.text
    form = hidden_fields(page.text) | {"login": "anna", "password": "wrong-password"}
    answer = await instance.client.post("/oauth/authorize", data=form)
    assert answer.status_code == 401
    assert "kollegium_session" not in answer.cookies


async def test_authorize__unknown_client_or_redirect_is_an_error_page(instance: Instance) -> None:
    app = await register(instance.client, "https://app.example/cb")
    unknown = await instance.client.get("/oauth/authorize", params={"client_id": "nope"})
    assert unknown.status_code == 400
    elsewhere = await instance.client.get(
        "/oauth/authorize",
        params={"client_id": app["client_id"], "redirect_uri": "https://evil.example/cb"},
    )
    assert elsewhere.status_code == 400


async def test_password_grant__takes_email_or_username_and_app_token(instance: Instance) -> None:
    await instance.member("anna")
    app = await register(instance.client, "urn:ietf:wg:oauth:2.0:oob")
    creds = {"client_id": app["client_id"], "client_secret": app["client_secret"]}
    for login in ("anna", "anna@kommun-a.se"):
        answer = await instance.client.post(
            "/oauth/token",
            data=creds | {"grant_type": "password", "username": login, "password": "password123"},
        )
        assert answer.status_code == 200, answer.text
    bad = await instance.client.post(
        "/oauth/token",
        data=creds | {"grant_type": "password", "username": "anna", "password": "nope-nope"},
    )
    assert bad.status_code == 400
    assert bad.json()["error"] == "invalid_grant"
    app_token = await instance.client.post(
        "/oauth/token", data=creds | {"grant_type": "client_credentials"}
    )
    headers = {"Authorization": f"Bearer {app_token.json()['access_token']}"}
    verified = await instance.client.get("/api/v1/apps/verify_credentials", headers=headers)
    assert verified.json()["name"] == "Appen"
    assert "client_secret" not in verified.json()
    user_only = await instance.client.get("/api/v1/accounts/verify_credentials", headers=headers)
    assert user_only.status_code == 422
    revoked = await instance.client.post(
        "/oauth/revoke", data=creds | {"token": app_token.json()["access_token"]}
    )
    assert revoked.status_code == 200
    after = await instance.client.get("/api/v1/apps/verify_credentials", headers=headers)
    assert after.status_code == 401


async def test_metadata__lists_the_password_grant_only_while_it_is_on(instance: Instance) -> None:
    metadata = (await instance.client.get("/.well-known/oauth-authorization-server")).json()
    assert "password" in metadata["grant_types_supported"]
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert metadata["token_endpoint"] == "http://kommun-a.test/oauth/token"


async def test_password_grant__off_when_the_setting_is_off(database_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from web.app import create_app

    settings = make_settings(database_url=database_url, password_grant=False, media_dir=tmp_path)
    app = create_app(settings, run_worker=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=settings.base_url) as client:
            metadata = (await client.get("/.well-known/oauth-authorization-server")).json()
            assert "password" not in metadata["grant_types_supported"]
            registered = await register(client, "urn:ietf:wg:oauth:2.0:oob")
            answer = await client.post(
                "/oauth/token",
                data={
                    "grant_type": "password",
                    "username": "x",
                    "password": "y",
                    "client_id": registered["client_id"],
                    "client_secret": registered["client_secret"],
                },
            )
            assert answer.json()["error"] == "unsupported_grant_type"


async def test_tokens_and_secrets_are_stored_only_as_hashes(instance: Instance) -> None:
    anna = await instance.member("anna")
    app = await register(instance.client, "urn:ietf:wg:oauth:2.0:oob")
    async with instance.store.read() as conn:
        tokens = await conn.fetch_all("SELECT token_hash FROM oauth_tokens")
        secrets = await conn.fetch_all("SELECT client_secret FROM oauth_applications")
    assert anna.token not in {r[0] for r in tokens}
    assert app["client_secret"] not in {r[0] for r in secrets}
