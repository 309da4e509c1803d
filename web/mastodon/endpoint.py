"""The one wrapper every Mastodon API route goes through: CORS, token, scope, params, errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from fediverse.errors import KollegiumError, NotFoundError
from fediverse.rawsql import Plan
from fediverse.runtime import Runtime
from fediverse.settings import Settings
from fediverse.storage.database import Store
from web.mastodon.auth import Viewer, authenticate, bearer_token, check_access, viewer_plan
from web.mastodon.params import Params, read_params
from web.responses import OrjsonResponse, error_response

T = TypeVar("T")

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
    """One API request, checked: its parameters, its viewer, and the running instance.

    For a route declared ``@api(..., signs_in=True)`` the token is not checked yet:
    ``viewer`` is None and the handler reads it through ``signed_in``.
    """

    request: Request
    params: Params
    viewer: Viewer | None
    runtime: Runtime
    target: Api | None = None

    def signed_in(self, then: Callable[[Viewer], Plan[T]]) -> Plan[T]:
        """A plan that checks the token and the route's scope, then reads what ``then``
        plans for the viewer: one trip to the database (on SQLite) for both, on the
        request every app makes most."""
        assert self.target is not None
        viewer = yield from viewer_plan(bearer_token(self.request))
        check_access(viewer, self.target.scope, self.target.access)
        assert viewer is not None
        return (yield from then(viewer))

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
    """A handler with what it needs: a scope (None: any) and who may call it, and whether
    it checks the token itself, in its own reads (``Call.signed_in``)."""

    handler: Handler
    scope: str | None
    access: str
    signs_in: bool = False


def api(
    scope: str | None = None, *, access: str = "user", signs_in: bool = False
) -> Callable[[Handler], Api]:
    if signs_in and access != "user":
        raise ValueError("only routes for a signed-in user check the token themselves")

    def wrap(handler: Handler) -> Api:
        return Api(handler, scope, access, signs_in)

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
    viewer = None
    if not target.signs_in:
        # Public endpoints ignore tokens, as Mastodon's do: a stale token must not lock an
        # app out of the instance description it reads before signing in again.
        if target.access != "public":
            viewer = await authenticate(request, runtime.store)
        check_access(viewer, target.scope, target.access)
    params = await read_params(request)
    try:
        return await target.handler(Call(request, params, viewer, runtime, target))
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
