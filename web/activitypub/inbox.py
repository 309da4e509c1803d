"""Inboxes, per actor and shared: verify, store, answer 202 (federation.inbox does the work)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from federation.errors import PayloadTooLargeError
from federation.inbox import MAX_INBOX_BYTES, receive
from fediverse.errors import NotFoundError
from fediverse.remote import local_account_by_username
from web.activitypub.common import federation_of, signed_request


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_INBOX_BYTES:
        raise PayloadTooLargeError(f"activity is larger than {MAX_INBOX_BYTES} bytes")
    chunks, seen = [], 0
    async for chunk in request.stream():
        seen += len(chunk)
        if seen > MAX_INBOX_BYTES:
            raise PayloadTooLargeError(f"activity is larger than {MAX_INBOX_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def shared_inbox(request: Request) -> Response:
    fed = federation_of(request)
    await receive(fed, signed_request(request, await _body(request)))
    return Response(status_code=202)


async def user_inbox(request: Request) -> Response:
    fed = federation_of(request)
    async with fed.runtime.store.read() as conn:
        owner = await local_account_by_username(conn, request.path_params["username"])
    if owner is None:
        raise NotFoundError("no such account")
    await receive(fed, signed_request(request, await _body(request)))
    return Response(status_code=202)
