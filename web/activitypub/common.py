"""What every ActivityPub route shares: the process's Federation, negotiation, responses."""

from __future__ import annotations

from html import escape
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from federation.inbox import SignedRequest
from federation.service import Federation, build_federation

ACTIVITY_JSON = "application/activity+json; charset=utf-8"
_AP_TYPES = ("application/activity+json", "application/ld+json")


def federation_of(request: Request) -> Federation:
    """The Federation of this process, built on first use from the app's runtime and client."""
    state = request.app.state
    if getattr(state, "federation", None) is None:
        state.federation = build_federation(state.runtime, state.http)
    federation: Federation = state.federation
    return federation


def wants_activity_json(request: Request) -> bool:
    accept = request.headers.get("accept", "").lower()
    return any(kind in accept for kind in _AP_TYPES)


def activity_response(document: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(document), status_code=status, media_type=ACTIVITY_JSON)


def minimal_page(title: str, body: str = "") -> HTMLResponse:
    """Until the web UI exists, browsers get a plain page rather than JSON."""
    return HTMLResponse(
        "<!doctype html><html lang=sv><meta charset=utf-8>"
        f"<title>{escape(title)}</title><h1>{escape(title)}</h1>{body}</html>"
    )


def signed_request(request: Request, body: bytes) -> SignedRequest:
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return SignedRequest(
        method=request.method,
        path=path,
        headers=dict(request.headers.items()),
        body=body,
        scheme=request.url.scheme,
    )
