"""The web app's defences: a strict Content-Security-Policy and the other security headers
on every page, and the CSRF check of every form."""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from fediverse.settings import Settings
from web.mastodon import sessions

# No inline script or style anywhere: everything comes from our own origin, nothing from a
# CDN (data residency). blob: lets the composer preview an image before it is uploaded.
CSP = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    )
)

HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "cache-control": "no-store",
}


def secure(response: Response, settings: Settings) -> Response:
    """Add the security headers of a page (HSTS only where the instance speaks https)."""
    response.headers.update(HEADERS)
    if not settings.dev_insecure:
        response.headers["strict-transport-security"] = "max-age=31536000"
    return response


def same_origin(request: Request, settings: Settings) -> bool:
    """False when the browser says the form came from another site.

    The CSRF token is the real check; this refuses a cross-site post early and clearly.
    """
    origin = request.headers.get("origin")
    if origin == "null":
        return False
    if origin is None:
        return request.headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")
    return urlsplit(origin).netloc == settings.domain


def csrf_valid(request: Request, settings: Settings, submitted: str) -> bool:
    """The form's token matches this browser's CSRF cookie, and it came from our origin."""
    if not same_origin(request, settings):
        return False
    seed = request.cookies.get(sessions.CSRF_COOKIE, "")
    if not seed:
        return False
    return hmac.compare_digest(submitted, sessions.csrf_token(settings, seed))
