"""The web app staff use: server-rendered pages (Jinja2) that work without JavaScript,
in Swedish and English, calling the same domain services as the client API.

One module per page area; ``ui_routes()`` lists them all.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from web.ui import (
    accessibility,
    auth,
    compose,
    home,
    live,
    notifications,
    profiles,
    pwa,
    search,
    settings,
    statuses,
)
from web.ui.areas import area_routes
from web.ui.pages import Handler, page


def _get(path: str, handler: Handler, *, signed_in: bool = True) -> Route:
    return Route(path, page(handler, signed_in=signed_in), methods=["GET", "HEAD"])


def _post(path: str, handler: Handler, *, signed_in: bool = True) -> Route:
    return Route(path, page(handler, signed_in=signed_in), methods=["POST"])


def ui_routes() -> list[BaseRoute]:
    return [
        _get("/", home.home),
        _get("/home/newer", home.newer),
        _get("/sign_in", auth.sign_in_form, signed_in=False),
        _post("/sign_in", auth.sign_in, signed_in=False),
        _post("/sign_out", auth.sign_out, signed_in=False),
        _post("/language", auth.choose_language, signed_in=False),
        _get("/compose", compose.compose),
        _post("/statuses", compose.post),
        _get("/statuses/{id}", statuses.thread, signed_in=False),
        _post("/statuses/{id}/favourite", statuses.favourite),
        _post("/statuses/{id}/boost", statuses.boost),
        _get("/statuses/{id}/delete", statuses.delete_form),
        _post("/statuses/{id}/delete", statuses.delete),
        _post("/polls/{id}/votes", statuses.vote),
        _get("/@{acct}", profiles.profile, signed_in=False),
        _get("/@{acct}/{id}", statuses.thread, signed_in=False),  # a status's Mastodon url
        _post("/@{acct}/follow", profiles.follow),
        _get("/notifications", notifications.index),
        _get("/search", search.search),
        _get("/tags/{name}", search.tag),
        _get("/settings", settings.show),
        _post("/settings", settings.save),
        _get("/settings/apps", settings.apps),
        _post("/settings/apps/revoke", settings.revoke),
        _get("/settings/export", settings.export),
        _get("/accessibility", accessibility.statement, signed_in=False),
        _post("/accessibility/report", accessibility.report, signed_in=False),
        _get("/accessibility/edit", accessibility.edit_form),
        _post("/accessibility/edit", accessibility.edit),
        _get("/offline", pwa.offline, signed_in=False),
        Route("/manifest.webmanifest", pwa.manifest, methods=["GET", "HEAD"]),
        Route("/sw.js", pwa.service_worker, methods=["GET", "HEAD"]),
        Route("/ui/live", live.stream, methods=["GET"]),
        *area_routes(),  # groups, staff directory, admin
    ]
