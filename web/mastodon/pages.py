"""Rendering the few HTML pages of the API (sign-in and consent) with Jinja2."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse

from web.mastodon.i18n import pick_locale, translator

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@lru_cache(maxsize=1)
def _environment() -> Any:
    """Built when the first page is rendered: Jinja2 costs memory a server may never need."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        auto_reload=False,
    )


def render(
    request: Request, template: str, title: str, status: int = 200, **context: Any
) -> HTMLResponse:
    locale = pick_locale(request)
    _ = translator(locale)
    html = (
        _environment().get_template(template).render(locale=locale, title=_(title), _=_, **context)
    )
    response = HTMLResponse(html, status_code=status)
    response.headers["cache-control"] = "no-store"
    response.headers["x-frame-options"] = "DENY"
    response.headers["x-content-type-options"] = "nosniff"
    response.headers["referrer-policy"] = "same-origin"
    # No inline style or script (the web app's stylesheet); the form may end in a redirect
    # to the app's own redirect URI, which can be any scheme, hence the * in form-action.
    response.headers["content-security-policy"] = (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self' *; "
        "frame-ancestors 'none'; base-uri 'none'"
    )
    return response
