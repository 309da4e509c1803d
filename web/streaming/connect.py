"""Who is streaming: the token from the header, the query, or the WebSocket subprotocol."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from fediverse import oauth
from fediverse.errors import ForbiddenError
from fediverse.runtime import Runtime
from web.mastodon.auth import UnauthorizedError

SCOPES = ("read", "read:statuses", "read:notifications")


def token_of(connection: HTTPConnection) -> str | None:
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    # Browsers cannot set headers on a WebSocket; masto.js sends the token as subprotocol.
    return (
        connection.query_params.get("access_token")
        or connection.headers.get("sec-websocket-protocol")
        or None
    )


async def viewer_of(connection: HTTPConnection, runtime: Runtime) -> int:
    """The account streaming; 401 without a valid user token, 403 without a read scope."""
    token = token_of(connection)
    grant = await oauth.authenticate(runtime.store, token) if token else None
    if grant is None or grant.account_id is None:
        raise UnauthorizedError("Error: Missing access token")
    if not any(oauth.scope_covers(grant.scopes, scope) for scope in SCOPES):
        raise ForbiddenError("Error: Access token does not have the required scopes")
    return grant.account_id
