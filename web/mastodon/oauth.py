"""OAuth routes: app registration, the authorize page, tokens, revocation, server metadata."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from fediverse import oauth
from fediverse.errors import KollegiumError
from fediverse.oauth import OOB, Application, IssuedToken, OAuthError
from fediverse.push import vapid_public_key
from fediverse.runtime import Runtime
from fediverse.sign_in_limits import TooManyAttemptsError
from fediverse.web_users import web_user
from web.mastodon import sessions
from web.mastodon.auth import client_address
from web.mastodon.endpoint import Call, api, json, route
from web.mastodon.i18n import pick_locale, translator
from web.mastodon.pages import render
from web.ui.messages import TOO_MANY_ATTEMPTS

_AUTH_FIELDS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
    "lang",
)


def application_json(app: Application, vapid_key: str, secret: str | None = None) -> dict[str, Any]:
    entity: dict[str, Any] = {
        "id": str(app.id),
        "name": app.name,
        "website": app.website,
        "scopes": sorted(app.scopes),
        "redirect_uri": "\n".join(app.redirect_uris),
        "redirect_uris": list(app.redirect_uris),
        "vapid_key": vapid_key,  # deprecated by Mastodon 4.3 (instance v2 has it) but still read
    }
    if secret is not None:
        entity.update(client_id=app.client_id, client_secret=secret, client_secret_expires_at=0)
    return entity


def _redirect_uris(call: Call) -> list[str]:
    raw = call.params.raw("redirect_uris")
    if isinstance(raw, list):
        return [str(u) for u in raw if str(u).strip()]
    text = call.params.required_str("redirect_uris")
    return [line for line in text.split() if line]


@api(access="public")
async def create_app(call: Call) -> Response:
    app, secret = await oauth.create_application(
        call.store,
        name=call.params.required_str("client_name", max_length=200),
        redirect_uris=_redirect_uris(call),
        scopes=oauth.parse_scopes(call.params.text("scopes")),
        website=call.params.text("website", max_length=2000),
    )
    return json(application_json(app, await vapid_public_key(call.store), secret))


@api(access="app")
async def verify_app(call: Call) -> Response:
    assert call.viewer is not None
    app = await oauth.application_by_id(call.store, call.viewer.application_id)
    assert app is not None
    return json(application_json(app, await vapid_public_key(call.store)))


def token_json(token: IssuedToken) -> dict[str, Any]:
    entity: dict[str, Any] = {
        "access_token": token.access_token,
        "token_type": "Bearer",
        "scope": " ".join(sorted(token.scopes)),
        "created_at": token.created_at // 1000,
    }
    if token.refresh_token:
        entity["refresh_token"] = token.refresh_token
    return entity


async def _client(call: Call) -> Application:
    p = call.params
    client_id, secret = p.text("client_id"), p.text("client_secret")
    basic = call.request.headers.get("authorization", "")
    if basic.lower().startswith("basic ") and not client_id:
        import base64
        import binascii

        try:
            client_id, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise OAuthError("invalid_client", "Malformed client credentials", 401) from exc
    if not client_id or not secret:
        raise OAuthError(
            "invalid_client",
            "Client authentication failed: client_id and client_secret are required",
            401,
        )
    return await oauth.authenticate_client(call.store, client_id, secret)


@api(access="public")
async def token(call: Call) -> Response:
    p = call.params
    grant = p.text("grant_type", "")
    app = await _client(call)
    scope = p.text("scope")
    if grant == "authorization_code":
        issued = await oauth.exchange_code(
            call.store,
            app,
            p.required_str("code"),
            p.text("redirect_uri", ""),
            p.text("code_verifier"),
        )
    elif grant == "client_credentials":
        issued = await oauth.client_credentials(call.store, app, scope)
    elif grant == "refresh_token":
        issued = await oauth.refresh_grant(call.store, app, p.required_str("refresh_token"), scope)
    elif grant == "password" and call.settings.password_grant:
        issued = await oauth.password_grant(
            call.store,
            app,
            p.required_str("username"),
            p.required_str("password"),
            scope,
            address=client_address(call.request),
        )
    else:
        raise OAuthError(
            "unsupported_grant_type",
            "The authorization grant type is not supported by the authorization server.",
        )
    return json(token_json(issued), headers={"cache-control": "no-store"})


@api(access="public")
async def revoke(call: Call) -> Response:
    app = await _client(call)
    await oauth.revoke(call.store, app, call.params.required_str("token"))
    return json({})


@api(access="public")
async def server_metadata(call: Call) -> Response:
    base = call.settings.base_url
    grants = ["authorization_code", "client_credentials", "refresh_token"]
    if call.settings.password_grant:
        grants.append("password")
    return json(
        {
            "issuer": base + "/",
            "service_documentation": "https://docs.joinmastodon.org/",
            "authorization_endpoint": f"{base}/oauth/authorize",
            "token_endpoint": f"{base}/oauth/token",
            "revocation_endpoint": f"{base}/oauth/revoke",
            "app_registration_endpoint": f"{base}/api/v1/apps",
            "scopes_supported": sorted(oauth.SCOPES),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query", "fragment", "form_post"],
            "grant_types_supported": grants,
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
        }
    )


@dataclass(frozen=True, slots=True)
class AuthorizeRequest:
    """A checked authorization request: its app, where to send the code, what it may do."""

    app: Application
    redirect_uri: str
    scopes: frozenset[str]
    state: str | None
    code_challenge: str | None
    fields: list[tuple[str, str]]


async def _authorize_request(runtime: Runtime, values: dict[str, str]) -> AuthorizeRequest:
    if values.get("response_type", "code") != "code":
        raise OAuthError("unsupported_response_type", "Only response_type=code is supported")
    app = await oauth.find_application(runtime.store, values.get("client_id", ""))
    if app is None:
        raise OAuthError("invalid_client", "Unknown client_id")
    redirect_uri = values.get("redirect_uri") or app.redirect_uris[0]
    if redirect_uri not in app.redirect_uris:
        raise OAuthError("invalid_redirect_uri", "The redirect URI is not one the app registered")
    challenge = values.get("code_challenge") or None
    oauth.check_pkce_method(challenge, values.get("code_challenge_method") or None)
    scopes = oauth.requested_scopes(app, values.get("scope"))
    fields = [(k, values[k]) for k in _AUTH_FIELDS if values.get(k)]
    return AuthorizeRequest(app, redirect_uri, scopes, values.get("state"), challenge, fields)


def _page(
    request: Request, runtime: Runtime, template: str, title: str, status: int = 200, **context: Any
) -> Response:
    seed, fresh = sessions.csrf_seed(request)
    response = render(
        request,
        template,
        title,
        status,
        csrf=sessions.csrf_token(runtime.settings, seed),
        **context,
    )
    if fresh:
        sessions.set_csrf_cookie(response, runtime.settings, seed)
    return response


async def _consent_or_sign_in(
    request: Request,
    runtime: Runtime,
    auth: AuthorizeRequest,
    user_id: int | None,
    error: str | None = None,
    *,
    status: int = 401,
) -> Response:
    if user_id is None:
        return _page(
            request,
            runtime,
            "oauth_sign_in.html",
            "Sign in",
            status if error else 200,
            hidden=auth.fields,
            error=error,
        )
    username = await oauth.username_of_user(runtime.store, user_id)
    if username is None:
        return _page(
            request, runtime, "oauth_sign_in.html", "Sign in", hidden=auth.fields, error=None
        )
    return _page(
        request,
        runtime,
        "oauth_consent.html",
        "Authorize",
        hidden=auth.fields,
        app_name=auth.app.name,
        username=username,
        scopes=sorted(auth.scopes),
    )


def _error_page(request: Request, exc: KollegiumError) -> Response:
    _ = translator(pick_locale(request))
    return render(
        request,
        "oauth_error.html",
        "Something is wrong with the sign-in request",
        400,
        message=exc.message,
    )


async def _session_user(request: Request, runtime: Runtime) -> int | None:
    """The signed-in user of the browser, as the web app sees them: a session begun before
    the user last signed out no longer counts."""
    found = sessions.session_of(request, runtime.settings)
    if found is None:
        return None
    user = await web_user(runtime.store, found[0])
    return user.user_id if user is not None and found[1] > user.signed_out_at else None


async def authorize_page(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    try:
        auth = await _authorize_request(runtime, dict(request.query_params))
    except KollegiumError as exc:
        return _error_page(request, exc)
    user_id = await _session_user(request, runtime)
    if request.query_params.get("force_login") in ("true", "1"):
        user_id = None
    return await _consent_or_sign_in(request, runtime, auth, user_id)


async def authorize_submit(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    async with request.form(max_files=0) as form:
        values = {k: str(v) for k, v in form.items()}
    try:
        auth = await _authorize_request(runtime, values)
    except KollegiumError as exc:
        return _error_page(request, exc)
    _ = translator(pick_locale(request))
    if not sessions.csrf_ok(request, runtime.settings, values.get("csrf_token", "")):
        return _page(
            request,
            runtime,
            "oauth_error.html",
            "Sign in",
            403,
            message=_("The form has expired. Please try again."),
        )
    step = values.get("step")
    if step == "sign_in":
        return await _sign_in(request, runtime, auth, values)
    user_id = await _session_user(request, runtime)
    if user_id is None:
        return await _consent_or_sign_in(request, runtime, auth, None)
    if step == "approve":
        return await _approve(request, runtime, auth, user_id)
    return _finish(
        request, auth, {"error": "access_denied", "error_description": _("Access was denied.")}
    )


async def _sign_in(
    request: Request, runtime: Runtime, auth: AuthorizeRequest, values: dict[str, str]
) -> Response:
    _ = translator(pick_locale(request))
    try:
        user = await oauth.sign_in(
            runtime.store,
            client_address(request),
            values.get("login", ""),
            values.get("password", ""),
        )
    except TooManyAttemptsError as exc:
        refused = await _consent_or_sign_in(
            request, runtime, auth, None, _(TOO_MANY_ATTEMPTS), status=429
        )
        refused.headers["retry-after"] = str(exc.retry_after)
        return refused
    if user is None:
        return await _consent_or_sign_in(
            request, runtime, auth, None, _("Wrong e-mail, username or password.")
        )
    response = await _consent_or_sign_in(request, runtime, auth, int(user["id"]))
    sessions.start_session(response, runtime.settings, int(user["id"]))
    return response


async def _approve(
    request: Request, runtime: Runtime, auth: AuthorizeRequest, user_id: int
) -> Response:
    code = await oauth.create_code(
        runtime.store,
        auth.app,
        user_id=user_id,
        redirect_uri=auth.redirect_uri,
        scopes=auth.scopes,
        code_challenge=auth.code_challenge,
    )
    return _finish(request, auth, {"code": code})


def _finish(request: Request, auth: AuthorizeRequest, answer: dict[str, str]) -> Response:
    if auth.redirect_uri == OOB:
        if "code" in answer:
            return render(request, "oauth_code.html", "Authorization code", code=answer["code"])
        return render(
            request, "oauth_error.html", "Authorize", 403, message=answer["error_description"]
        )
    if auth.state:
        answer["state"] = auth.state
    joiner = "&" if "?" in auth.redirect_uri else "?"
    return RedirectResponse(auth.redirect_uri + joiner + urlencode(answer), status_code=302)


def oauth_routes() -> list[BaseRoute]:
    return [
        *route("/api/v1/apps", POST=create_app),
        *route("/api/v1/apps/verify_credentials", GET=verify_app),
        *route("/oauth/token", POST=token),
        *route("/oauth/revoke", POST=revoke),
        *route("/.well-known/oauth-authorization-server", GET=server_metadata),
        Route("/oauth/authorize", authorize_page, methods=["GET"]),
        Route("/oauth/authorize/", authorize_page, methods=["GET"]),
        Route("/oauth/authorize", authorize_submit, methods=["POST"]),
        Route("/oauth/authorize/", authorize_submit, methods=["POST"]),
    ]
