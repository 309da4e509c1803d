"""Turning errors into responses: the one place where domain errors meet HTTP."""

from __future__ import annotations

import logging
from http import HTTPStatus

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from fediverse.errors import KollegiumError
from web.responses import error_response

log = logging.getLogger(__name__)


async def domain_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, KollegiumError)
    if exc.status >= 500:
        log.error("request failed", extra={"error": exc.message})
    return error_response(exc.status, exc.message)


async def http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = exc.detail or HTTPStatus(exc.status_code).phrase
    response = error_response(exc.status_code, message)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def server_error(_request: Request, exc: Exception) -> Response:
    log.exception("unhandled error", exc_info=exc)
    return error_response(500, "Internal server error")


EXCEPTION_HANDLERS = {
    KollegiumError: domain_error,
    HTTPException: http_error,
    Exception: server_error,
}
