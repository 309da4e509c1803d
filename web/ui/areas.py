"""The routes of the groups, staff directory and admin pages, in the same ``page()`` wrapper as
every other page of the web app (``web.ui.ui_routes`` includes them)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from web.ui import groups, groups_moderation
from web.ui.pages import Handler, page


def _get(path: str, handler: Handler) -> Route:
    return Route(path, page(handler), methods=["GET", "HEAD"])


def _post(path: str, handler: Handler) -> Route:
    return Route(path, page(handler), methods=["POST"])


def group_routes() -> list[BaseRoute]:
    return [
        _get("/groups", groups.index),
        _get("/groups/new", groups.new),
        _post("/groups", groups.create),
        _get("/groups/{id}", groups.show),
        _post("/groups/{id}/join", groups.join),
        _post("/groups/{id}/leave", groups.leave),
        _post("/groups/{id}/posts", groups.post),
        _post("/groups/{id}/posts/{status_id}/remove", groups_moderation.remove_post),
        _get("/groups/{id}/members", groups_moderation.members),
        _post("/groups/{id}/moderate", groups_moderation.moderate),
        _get("/groups/{id}/edit", groups_moderation.edit_form),
        _post("/groups/{id}/edit", groups_moderation.edit),
    ]


def area_routes() -> list[BaseRoute]:
    return [
        *group_routes(),
    ]
