"""Live updates for the web app: the streaming API's home stream, signed in by the session
cookie rather than a bearer token (a page has no token, and must not hold one)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import cache

from starlette.requests import Request
from starlette.responses import Response

from fediverse.runtime import Runtime
from web.mastodon.auth import UnauthorizedError
from web.ui.pages import signed_in_user


async def session_viewer(request: Request, runtime: Runtime) -> int:
    user = await signed_in_user(request, runtime)
    if user is None:
        raise UnauthorizedError("Sign in first")
    return user.account_id


@cache
def _endpoint() -> Callable[[Request], Awaitable[Response]]:
    # Imported late: web.streaming imports web.mastodon, whose sign-in pages import this
    # package's catalogues, so a module-level import here closes a cycle.
    from web.streaming.sse import sse_endpoint

    return sse_endpoint("user", viewer=session_viewer, own_types=True)


async def stream(request: Request) -> Response:
    return await _endpoint()(request)
