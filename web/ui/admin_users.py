"""Admin: the municipality's users (roles; disable, silence, suspend) and the department
tree (förvaltningar and units). Every change goes through a domain service that audits it."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.responses import Response

from fediverse import departments, moderation, user_roles
from fediverse.accounts import ROLES
from fediverse.departments import Editor
from fediverse.errors import KollegiumError, NotFoundError
from fediverse.moderation import AccountAction, AccountFilter
from web.ui.admin import require_admin
from web.ui.directory import department_tree
from web.ui.pages import Ui
from web.ui.views import account_dicts, page_query

PAGE = 50
ACTIONS = ("disable", "enable", "silence", "unsilence", "suspend", "unsuspend")


def _path_id(ui: Ui) -> int:
    raw = str(ui.request.path_params.get("id", ""))
    if not raw.isdigit() or len(raw) > 19:
        raise NotFoundError(ui.gettext("There is no such record."))
    return int(raw)


async def index(ui: Ui, error: str | None = None, status: int = 200) -> Response:
    require_admin(ui)
    q = ui.request.query_params.get("q", "").strip().lstrip("@")[:100]
    rows = await moderation.admin_accounts(
        ui.runtime.store, AccountFilter(origin="local", username=q or None), page_query(ui, PAGE)
    )
    older = None
    if len(rows) == PAGE:
        older = "/admin/users?" + urlencode({"max_id": rows[-1]["id"], **({"q": q} if q else {})})
    people = [r for r in rows if r["user_id"] is not None]  # not groups, not the instance
    return ui.render(
        "ui/admin/users.html",
        ui.gettext("Users and roles"),
        status,
        rows=people,
        accounts=await account_dicts(ui, [r["id"] for r in people]),
        roles=ROLES,
        q=q,
        older=older,
        error=error,
        done=ui.request.query_params.get("done", ""),
    )


async def set_role(ui: Ui) -> Response:
    by = require_admin(ui)
    try:
        await user_roles.set_user_role(ui.runtime.store, _path_id(ui), ui.field("role"), by)
    except KollegiumError as exc:
        return await index(ui, ui.gettext(exc.message), exc.status)
    return ui.redirect("/admin/users?done=role")


async def action(ui: Ui) -> Response:
    by = require_admin(ui)
    kind = ui.field("action")
    target = _path_id(ui)
    try:
        if kind in moderation.UNDO:
            await moderation.undo_action(ui.runtime.store, target, kind, by)
        elif kind in ACTIONS:
            await moderation.take_action(ui.runtime.store, target, AccountAction(kind), by)
        else:
            raise NotFoundError(ui.gettext("There is no such action."))
    except KollegiumError as exc:
        return await index(ui, ui.gettext(exc.message), exc.status)
    return ui.redirect(f"/admin/users?done={kind}")


async def departments_page(ui: Ui, error: str | None = None, status: int = 200) -> Response:
    require_admin(ui)
    every = await departments.list_departments(ui.runtime.store)
    return ui.render(
        "ui/admin/departments.html",
        ui.gettext("Departments"),
        status,
        departments=every,
        tree=department_tree(every),
        error=error,
        done=ui.request.query_params.get("done", ""),
    )


async def departments_index(ui: Ui) -> Response:
    return await departments_page(ui)


def _parent(ui: Ui) -> int | None:
    raw = ui.field("parent_id")
    return int(raw) if raw.isdigit() and len(raw) <= 19 else None


async def create_department(ui: Ui) -> Response:
    by = require_admin(ui)
    try:
        await departments.create_department(
            ui.runtime.store,
            ui.field("name"),
            _parent(ui),
            editor=Editor(by.actor, by.account_id),
        )
    except KollegiumError as exc:
        return await departments_page(ui, ui.gettext(exc.message), exc.status)
    return ui.redirect("/admin/departments?done=created")


async def change_department(ui: Ui) -> Response:
    """Rename and move a department, or delete it (``action=delete``)."""
    by = require_admin(ui)
    editor = Editor(by.actor, by.account_id)
    target = _path_id(ui)
    store = ui.runtime.store
    try:
        if ui.field("action") == "delete":
            await departments.delete_department(store, target, editor=editor)
            return ui.redirect("/admin/departments?done=deleted")
        await departments.update_department(
            store, target, name=ui.field("name"), parent_id=_parent(ui), move=True, editor=editor
        )
    except KollegiumError as exc:
        return await departments_page(ui, ui.gettext(exc.message), exc.status)
    return ui.redirect("/admin/departments?done=saved")
