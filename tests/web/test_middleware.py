"""The body cap and the error handlers, on a small app in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from fediverse.errors import ConflictError, NotFoundError
from web.errors import EXCEPTION_HANDLERS
from web.middleware import BodySizeLimitMiddleware


async def echo_length(request: Request) -> Response:
    return PlainTextResponse(str(len(await request.body())))


async def missing(_request: Request) -> Response:
    raise NotFoundError("Record not found")


async def taken(_request: Request) -> Response:
    raise ConflictError("username 'anna' is taken")


async def crash(_request: Request) -> Response:
    raise RuntimeError("secret internal detail")


def client() -> httpx.AsyncClient:
    app = Starlette(
        routes=[
            Route("/echo", echo_length, methods=["POST"]),
            Route("/missing", missing),
            Route("/taken", taken),
            Route("/crash", crash),
        ],
        middleware=[Middleware(BodySizeLimitMiddleware, max_bytes=1000)],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


async def chunks(total: int) -> AsyncIterator[bytes]:
    for _ in range(total // 100):
        yield b"y" * 100


async def test_a_body_within_the_cap_reaches_the_app() -> None:
    async with client() as http:
        response = await http.post("/echo", content=b"x" * 1000)
    assert (response.status_code, response.text) == (200, "1000")


async def test_a_declared_body_over_the_cap_is_refused_before_reading() -> None:
    async with client() as http:
        response = await http.post("/echo", content=b"x" * 1001)
    assert response.status_code == 413
    assert response.json() == {"error": "Request body is larger than 1000 bytes"}


async def test_a_streamed_body_over_the_cap_is_refused_while_reading() -> None:
    async with client() as http:
        response = await http.post("/echo", content=chunks(5000))
    assert response.status_code == 413


async def test_domain_errors_carry_their_status_and_message() -> None:
    async with client() as http:
        assert (await http.get("/missing")).json() == {"error": "Record not found"}
        conflict = await http.get("/taken")
    assert conflict.status_code == 409
    assert conflict.json() == {"error": "username 'anna' is taken"}


async def test_an_unexpected_error_is_a_500_that_reveals_nothing() -> None:
    async with client() as http:
        response = await http.get("/crash")
    assert response.status_code == 500
    assert response.json() == {"error": "Internal server error"}
