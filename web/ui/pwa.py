"""Installable as an app: the manifest, a small service worker, and the offline page."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from web.ui.pages import Ui

STATIC = Path(__file__).resolve().parent.parent / "static" / "ui"


async def manifest(request: Request) -> Response:
    return JSONResponse(
        {
            "name": "Kollegium",
            "short_name": "Kollegium",
            "description": "Kollegiernas sociala intranät",
            "lang": "sv",
            "start_url": "/",
            "scope": "/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#1d4b73",
            "icons": [
                {"src": "/static/ui/icon-192.png", "sizes": "192x192", "type": "image/png"},
                {"src": "/static/ui/icon-512.png", "sizes": "512x512", "type": "image/png"},
                {
                    "src": "/static/ui/icon-512.png",
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "maskable",
                },
            ],
        },
        media_type="application/manifest+json",
        headers={"cache-control": "public, max-age=86400"},
    )


async def service_worker(request: Request) -> Response:
    """Served from the root, so that it may control every page of the site."""
    return FileResponse(
        STATIC / "sw.js",
        media_type="text/javascript",
        headers={"cache-control": "no-cache", "x-content-type-options": "nosniff"},
    )


async def offline(ui: Ui) -> Response:
    return ui.render("ui/offline.html", ui.gettext("You are offline"))
