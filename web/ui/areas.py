"""The routes of the groups, staff directory and admin pages, in the same ``page()`` wrapper as
every other page of the web app (``web.ui.ui_routes`` includes them)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from web.ui import (
    admin,
    admin_announcements,
    admin_federation,
    admin_reports,
    admin_users,
    announcements,
    directory,
    groups,
    groups_moderation,
)
from web.ui.pages import Handler, page


def _get(path: str, handler: Handler) -> Route:
    return Route(path, page(handler), methods=["GET", "HEAD"])


def _post(path: str, handler: Handler) -> Route:
    return Route(path, page(handler), methods=["POST"])


def group_routes() -> list[BaseRoute]:
    return [
        _get("/groups", groups.index),
        _get("/groups/new", groups.new),
        _get("/groups/find", groups.find),
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


def admin_routes() -> list[BaseRoute]:
    return [
        _get("/admin", admin.index),
        _get("/admin/users", admin_users.index),
        _post("/admin/users/{id}/role", admin_users.set_role),
        _post("/admin/users/{id}/action", admin_users.action),
        _get("/admin/departments", admin_users.departments_index),
        _post("/admin/departments", admin_users.create_department),
        _post("/admin/departments/{id}", admin_users.change_department),
        _get("/admin/federation", admin_federation.index),
        _post("/admin/federation/mode", admin_federation.set_mode),
        _post("/admin/federation/domains", admin_federation.set_domain),
        _post("/admin/federation/domains/remove", admin_federation.remove_domain),
        _get("/admin/reports", admin_reports.index),
        _get("/admin/reports/{id}", admin_reports.show),
        _post("/admin/reports/{id}", admin_reports.change),
        _get("/admin/announcements", admin_announcements.index),
        _post("/admin/announcements", admin_announcements.create),
        _post("/admin/announcements/{id}", admin_announcements.change),
        _get("/admin/audit", admin.audit),
        _get("/admin/instance", admin.instance),
    ]


def area_routes() -> list[BaseRoute]:
    return [
        *group_routes(),
        _post("/announcements/{id}/dismiss", announcements.dismiss),
        _get("/directory", directory.index),
        _get("/directory/me", directory.my_entry),
        _post("/directory/me", directory.save_my_entry),
        *admin_routes(),
    ]
