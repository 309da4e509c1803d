"""Who is calling: the bearer token checked once, as a frozen ``Viewer``, with its scopes."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from fediverse import oauth
from fediverse.errors import ForbiddenError, KollegiumError, ValidationError
from fediverse.storage.database import Store


class UnauthorizedError(KollegiumError):
    status = 401


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in user (or, for app-only tokens, just the application) of one request."""

    user_id: int | None
    account_id: int | None
    scopes: frozenset[str]
    application_id: int
    role: str

    def allows(self, scope: str) -> bool:
        return oauth.scope_covers(self.scopes, scope)


def client_address(request: Request) -> str:
    """The address a request came from; behind nginx, the one it forwarded (uvicorn's proxy
    headers middleware trusts the proxies in ``FORWARDED_ALLOW_IPS``, 127.0.0.1 by default)."""
    return request.client.host if request.client is not None else "unknown"


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.query_params.get("access_token") or None


async def authenticate(request: Request, store: Store) -> Viewer | None:
    """The viewer of a token, None without a token, 401 for a token we do not know."""
    token = bearer_token(request)
    if token is None:
        return None
    grant = await oauth.authenticate(store, token)
    if grant is None:
        raise UnauthorizedError("The access token is invalid")
    return Viewer(grant.user_id, grant.account_id, grant.scopes, grant.application_id, grant.role)


def check_access(viewer: Viewer | None, scope: str | None, access: str) -> None:
    """Refuse as Mastodon does: 401 without a token, 422 for an app token, 403 for a scope.

    ``scope`` may name alternatives, as ``read:accounts|profile``. ``access`` is ``user``
    (a user's token), ``app`` (any token), ``optional`` (a token is used when given) or
    ``public``.
    """
    if access == "public":
        return
    if viewer is None:
        if access == "optional":
            return
        raise UnauthorizedError("The access token is invalid")
    if access == "user" and viewer.account_id is None:
        raise ValidationError("This method requires an authenticated user")
    if scope is not None and not any(viewer.allows(s) for s in scope.split("|")):
        raise ForbiddenError("This action is outside the authorized scopes")
