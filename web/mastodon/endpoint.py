"""The one wrapper every Mastodon API route goes through: CORS, token, scope, params, errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from fediverse.errors import KollegiumError, NotFoundError
from fediverse.runtime import Runtime
from fediverse.settings import Settings
from fediverse.storage.database import Store
from web.mastodon.auth import Viewer, authenticate, check_access
from web.mastodon.params import Params, read_params
from web.responses import OrjsonResponse, error_response

CORS_HEADERS = {
    "access-control-allow-origin": "*",
    "access-control-allow-methods": "POST, PUT, DELETE, GET, PATCH, OPTIONS",
    "access-control-expose-headers": (
        "Link, X-RateLimit-Reset, X-RateLimit-Limit, X-RateLimit-Remaining, X-Request-Id, "
        "Idempotency-Key"
    ),
    "access-control-max-age": "7200",
}


@dataclass(frozen=True, slots=True)
class Call:
    """One API request, checked: its parameters, its viewer, and the running instance."""

    request: Request
    params: Params
    viewer: Viewer | None
    runtime: Runtime

    @property
    def store(self) -> Store:
        return self.runtime.store

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    @property
    def account_id(self) -> int:
        """The signed-in account; only for routes declared with ``access="user"``."""
        assert self.viewer is not None
        assert self.viewer.account_id is not None
        return self.viewer.account_id

    def path_id(self, name: str = "id") -> int:
        """An id from the path; anything but digits is a missing record, as in Mastodon."""
        raw = str(self.request.path_params.get(name, ""))
        if not raw.isdigit() or len(raw) > 19:
            raise NotFoundError("Record not found")
        return int(raw)

    @property
    def viewer_account_id(self) -> int | None:
        return self.viewer.account_id if self.viewer is not None else None


Handler = Callable[[Call], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class Api:
    """A handler with what it needs: a scope (None: any) and who may call it."""

    handler: Handler
    scope: str | None
    access: str


def api(scope: str | None = None, *, access: str = "user") -> Callable[[Handler], Api]:
    def wrap(handler: Handler) -> Api:
        return Api(handler, scope, access)

    return wrap


def json(content: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return OrjsonResponse(content, status_code=status, headers=dict(headers or {}))


def _with_cors(response: Response, request: Request) -> Response:
    response.headers.update(CORS_HEADERS)
    requested = request.headers.get("access-control-request-headers")
    if requested:
        response.headers["access-control-allow-headers"] = requested
    return response


async def _run(request: Request, target: Api) -> Response:
    runtime: Runtime = request.app.state.runtime
    # Public endpoints ignore tokens, as Mastodon's do: a stale token must not lock an app
    # out of the instance description it reads before signing in again.
    viewer = None if target.access == "public" else await authenticate(request, runtime.store)
    check_access(viewer, target.scope, target.access)
    params = await read_params(request)
    try:
        return await target.handler(Call(request, params, viewer, runtime))
    finally:
        await params.close()


def _error(exc: Exception) -> Response:
    if isinstance(exc, KollegiumError):
        if hasattr(exc, "code"):  # OAuth errors carry their protocol code
            return json({"error": exc.code, "error_description": exc.message}, exc.status)
        response = error_response(exc.status, exc.message)
        if hasattr(exc, "retry_after"):  # a limit (429) says when to come back
            response.headers["retry-after"] = str(exc.retry_after)
        return response
    assert isinstance(exc, HTTPException)
    return error_response(exc.status_code, str(exc.detail))


def dispatcher(by_method: Mapping[str, Api]) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        if request.method == "OPTIONS":
            return _with_cors(Response(status_code=200), request)
        target = by_method.get(request.method) or by_method.get(
            "GET" if request.method == "HEAD" else ""
        )
        if target is None:
            return _with_cors(error_response(405, "Method not allowed"), request)
        try:
            response = await _run(request, target)
        except (KollegiumError, HTTPException) as exc:
            response = _error(exc)
        return _with_cors(response, request)

    return endpoint


def route(path: str, **by_method: Api) -> list[BaseRoute]:
    """A route and its trailing-slash twin, answering OPTIONS for CORS preflight.

    Two routes rather than a pattern with an optional slash, so that the first one's path is
    the endpoint's plain template (as /metrics labels requests).
    """
    methods = sorted({*by_method, "OPTIONS"} | ({"HEAD"} if "GET" in by_method else set()))
    endpoint = dispatcher({method.upper(): target for method, target in by_method.items()})
    return [
        Route(path, endpoint, methods=methods),
        Route(path.rstrip("/") + "/", endpoint, methods=methods),
    ]
