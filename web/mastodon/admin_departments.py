"""Kollegium's department tree for admins (``/api/v1/admin/departments``), the public list
staff pick from (``/api/v1/directory/departments``), and the audit log for admins."""

from __future__ import annotations

from starlette.responses import Response

from fediverse import departments, moderation
from fediverse.departments import Editor
from fediverse.moderation import AuditFilter
from web.mastodon.admin import acting, require_admin
from web.mastodon.endpoint import Call, api, json
from web.mastodon.pagination import link_header, page_query
from web.mastodon.serializers.admin import serialize_audit_entry, serialize_department

READ, WRITE = "admin:read", "admin:write"


async def _editor(call: Call) -> Editor:
    moderator = await acting(call)
    return Editor(moderator.actor, moderator.account_id)


@api("read:accounts")
async def public_index(call: Call) -> Response:
    """The tree staff pick their department from; any signed-in user may read it."""
    return json([serialize_department(d) for d in await departments.list_departments(call.store)])


@api(READ)
async def index(call: Call) -> Response:
    require_admin(call)
    return json([serialize_department(d) for d in await departments.list_departments(call.store)])


@api(READ)
async def show(call: Call) -> Response:
    require_admin(call)
    return json(serialize_department(await departments.get_department(call.store, call.path_id())))


@api(WRITE)
async def create(call: Call) -> Response:
    require_admin(call)
    p = call.params
    created = await departments.create_department(
        call.store,
        p.required_str("name", max_length=1000),
        p.id("parent_id"),
        editor=await _editor(call),
    )
    return json(serialize_department(created))


@api(WRITE)
async def update(call: Call) -> Response:
    """``name`` renames; ``parent_id`` moves (empty or null: to the top of the tree)."""
    require_admin(call)
    p = call.params
    changed = await departments.update_department(
        call.store,
        call.path_id(),
        name=p.text("name", max_length=1000),
        parent_id=p.id("parent_id"),
        move=p.has("parent_id"),
        editor=await _editor(call),
    )
    return json(serialize_department(changed))


@api(WRITE)
async def delete(call: Call) -> Response:
    require_admin(call)
    await departments.delete_department(call.store, call.path_id(), editor=await _editor(call))
    return json({})


@api(READ)
async def audit_log(call: Call) -> Response:
    """Newest first; ``actor`` (a handle or ``cli``), ``account_id`` and ``action`` (exact, or
    a prefix ending in ``.`` such as ``report.``) filter it."""
    require_admin(call)
    p = call.params
    found = AuditFilter(
        actor=p.text("actor", max_length=200),
        account_id=p.id("account_id"),
        action=p.text("action", max_length=100),
    )
    rows = await moderation.audit_page(call.store, found, page_query(call, default=40, maximum=200))
    entries = [serialize_audit_entry(r) for r in rows]
    return json(entries, headers=link_header(call, [r["id"] for r in rows]))
